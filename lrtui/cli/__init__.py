"""The ``lrtui`` command line: thin over the engine, argparse only, one-line errors with exit status 2.

:mod:`~lrtui.cli.parser` holds the parsers, :mod:`~lrtui.cli.runs` turns options into a validated run,
:mod:`~lrtui.cli.commands` the headless commands, :mod:`~lrtui.cli.start` opens the app, and
:mod:`~lrtui.cli.output` streams numbers."""

from __future__ import annotations

import sys
from typing import Sequence

from lrtui.cli.commands import cmd_code, cmd_curve, cmd_list, cmd_presets, cmd_range_test, cmd_simulate
from lrtui.cli.parser import UsageError, build_parser
from lrtui.cli.runs import SPEC_MAX_BYTES, load_spec, parse_assignments, run_config
from lrtui.cli.lab import cmd_lab
from lrtui.cli.maps import cmd_map
from lrtui.cli.report import cmd_report
from lrtui.cli.start import app_start, cmd_app, cmd_screenshot
from lrtui.params import ConfigError
from lrtui.printable import one_line
from lrtui.schedules.registry import names as schedule_names

__all__ = ["EXIT_USAGE", "SPEC_MAX_BYTES", "UsageError", "app_start", "build_parser", "load_spec", "main",
           "parse_assignments", "run_config"]

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser, commands = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "serve":
            from lrtui.cli.serve import cmd_serve

            return cmd_serve(argv[1:], parser)
        if argv and argv[0] in commands:
            args = commands[argv[0]].parse_intermixed_args(argv[1:])
            args.command = argv[0]
        else:
            if argv and not argv[0].startswith("-") and "=" not in argv[0] and argv[0] not in schedule_names():
                raise UsageError(f"lrtui: {argv[0]} is not a command: allowed " + ", ".join([*commands, "serve"])
                                 + ", or param=value pairs and options for the app (lrtui -h)")
            args = parser.parse_intermixed_args(argv)
            args.command = "app"
        if getattr(args, "plot", False) and args.format is not None:
            drawn = {"map": "the map", "range-test": "the range test"}.get(args.command, "the curve")
            raise UsageError(f"lrtui {args.command}: --plot draws {drawn}, --format prints numbers: "
                             "allowed one of them")
        if getattr(args, "ascii", False) and getattr(args, "plot", None) is False:
            raise UsageError(f"lrtui {args.command}: --ascii shapes a plot: allowed only with --plot")
        if hasattr(args, "format") and args.format is None:
            args.format = "table"
        if sys.stdout is None:  # started with stdout closed (>&-): nowhere to write a result
            print("lrtui: stdout is closed: nowhere to write the output", file=sys.stderr)
            return 1
        code = {"list": cmd_list, "curve": cmd_curve, "simulate": cmd_simulate, "screenshot": cmd_screenshot,
                "range-test": cmd_range_test, "code": cmd_code, "presets": cmd_presets, "lab": cmd_lab,
                "report": cmd_report, "map": cmd_map, "app": cmd_app}[args.command](args)
        sys.stdout.flush()  # write errors (a full disk) surface here, not as a traceback at exit
        return code
    except (UsageError, ConfigError) as err:
        message = str(err)
        if not message.startswith("lrtui"):
            message = f"lrtui: {message}"
        print(one_line(message) if message else "lrtui: error", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print("lrtui: out of memory: try fewer epochs or a smaller problem (lrtui -h gives the limits)",
              file=sys.stderr)
        return 1
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except OSError as err:  # e.g. a full disk behind stdout
        _silence_stdout()
        print(f"lrtui: cannot write the output: {err.strerror or err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _silence_stdout() -> None:
    """After the reader went away (``| head``), point stdout at devnull so the exit flush is quiet."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
