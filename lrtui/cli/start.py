"""Opening the app from the command line: what it starts on (a preset, a session, or the run the options
describe), its terminal, and screenshots of it without one."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from lrtui.cli.parser import EPOCHS, RUN_DEFAULTS, UsageError, grid_size
from lrtui.cli.runs import run_config
from lrtui.params import APP_MAX_EPOCHS, coerce, format_value
from lrtui.printable import escaped
from lrtui.plotting.terminal import Options
from lrtui.ui.start import Start

def app_start(args: argparse.Namespace) -> Start:
    """What the app opens on: a preset, a saved session, or the run the options describe, drawn as --ascii
    and the terminal (or, for lrtui serve's sessions, the browser) allow."""
    from lrtui.sim.config import DEFAULT_SCHEDULE, check_app_epochs

    served = getattr(args, "serve_session", False)  # (lrtui screenshot and simulate have no --serve-session)
    options = Options.for_browser(args.ascii) if served else Options.from_environment(args.ascii)
    if args.preset is not None or args.load is not None:
        rescale = args.preset is not None and args.epochs is not None  # a preset scaled to other epochs
        given = [f"--{name.replace('_', '-')}" for name in (*RUN_DEFAULTS, "schedule", "spec")
                 if getattr(args, name) is not None and not (rescale and name == "epochs") and name != "seeds"]
        given += ["param=value pairs"] if args.assignments else []
        which = "--preset" if args.preset is not None else "--load"
        if args.preset is not None and args.load is not None:
            raise UsageError("lrtui: --preset and --load each set the whole run: allowed one of them")
        if given:
            raise UsageError(f"lrtui: {which} sets the whole run: allowed no {', '.join(given)} with it")
    if getattr(args, "lab", None) is not None:
        return _lab_start(args, options)
    if getattr(args, "results", None) is not None or getattr(args, "student", ""):
        raise UsageError("lrtui: --student and --results go with --lab FILE")
    if args.preset is not None:
        from lrtui.presets import find

        preset = find(args.preset)
        if args.epochs is not None:  # in the preset's own units ("10k steps" at its steps per epoch)
            from lrtui.sim.config import prepare
            from lrtui.sim.units import Units

            epochs = Units.of(prepare(preset.config)).to_epochs("epochs", args.epochs)
            preset = preset.scaled(coerce(replace(EPOCHS, high=APP_MAX_EPOCHS), epochs))
        check_app_epochs(preset.config, *preset.pinned)
        config, pinned = with_seeds(args, preset.config, preset.pinned)
        return Start(config, options, pinned=pinned, preset=preset)
    if args.load is not None:
        from lrtui.io.sessions import load_session

        session = load_session(args.load)
        check_app_epochs(session.config, *session.pinned)
        config, pinned = with_seeds(args, session.config, session.pinned)
        return Start(config, options, pinned=pinned, epoch=session.epoch, target_loss=session.target_loss,
                     session_path=args.load, note=session.note, smoothing=session.smoothing)
    # (the horizon follows the run unless typed, as in simulate)
    config = run_config(args, DEFAULT_SCHEDULE, max_epochs=APP_MAX_EPOCHS)
    check_app_epochs(config)
    return Start(config, options)


def _lab_start(args: argparse.Namespace, options) -> Start:
    """A lab's first exercise, for the student named."""
    from lrtui.lab.spec import default_results, find_lab, load_lab
    from lrtui.sim.config import check_app_epochs
    from lrtui.ui.lab import LabProgress

    given = [f"--{name}" for name in ("preset", "schedule", "spec") if getattr(args, name) is not None]
    if given or args.assignments:
        raise UsageError(f"lrtui: --lab opens its exercises' runs: allowed no {', '.join(given) or 'param=value'} "
                         "with it (--load: a session saved in the lab, to go on with)")
    results = getattr(args, "results", None) or str(default_results(find_lab(args.lab)))
    progress = LabProgress(load_lab(args.lab), student=args.student.strip(), results=results)
    if args.load is None:
        session = progress.start()
        check_app_epochs(session.config, *session.pinned)
        return Start(session.config, options, pinned=session.pinned, target_loss=session.target_loss,
                     note=progress.note(), lab=progress)
    from lrtui.io.sessions import load_session

    session = load_session(args.load)  # a session saved in the lab: its runs, and where the student was
    check_app_epochs(session.config, *session.pinned)
    if session.lab is not None and progress.someone_elses(session.lab):
        print(f"lrtui: {args.load} was saved by {session.lab.get('student')!r}: its runs open, and the results "
              f"stay {progress.student!r}'s", file=sys.stderr)
    if session.lab is not None and not progress.restore(session.lab):
        raise UsageError(f"lrtui: {args.load} was saved in another lab ({session.lab.get('title', '')!r})")
    if args.student.strip():
        progress.student = args.student.strip()
    return Start(session.config, options, pinned=session.pinned, epoch=session.epoch,
                 target_loss=session.target_loss, smoothing=session.smoothing, session_path=args.load,
                 note=progress.note(), lab=progress)


def with_seeds(args: argparse.Namespace, config, pinned: tuple) -> tuple:
    """A preset's or a session's runs over the seeds --seeds gives (the one run option they take), checked."""
    if args.seeds is None:
        return config, pinned
    from lrtui.sim.config import SEEDS, prepare

    runs = [replace(c, seeds=coerce(SEEDS, args.seeds, "--")) for c in (config, *pinned)]
    for run in runs:
        prepare(run)  # within the work budget
    return runs[0], tuple(runs[1:])


def has_terminal() -> bool:
    """Whether stdin and stdout are a terminal: the app reads keys from one and draws on it."""
    return all(stream is not None and stream.isatty() for stream in (sys.stdin, sys.stdout))


def cmd_app(args: argparse.Namespace) -> int:
    """Open the app (Textual is imported only here). SIGTERM and SIGHUP end it as q does, the terminal
    restored; lrtui then ends by the same signal, so its parent sees what happened."""
    start = app_start(args)
    if args.serve_session:
        return _serve_session(start)
    if not has_terminal():
        raise UsageError("lrtui: the app needs a terminal on stdin and stdout: for scripts, use lrtui curve, "
                         "simulate or screenshot (lrtui -h)")
    import signal

    from lrtui.ui.app import make_app

    app = make_app(start, exit_signals=(signal.SIGTERM, signal.SIGHUP))
    app.run()
    if app.ended_by is not None:
        sys.stdout.flush()
        signal.signal(app.ended_by, signal.SIG_DFL)
        os.kill(os.getpid(), app.ended_by)
    return app.return_code or 0


def _serve_session(start: Start) -> int:
    """One browser session of lrtui serve: Textual's web driver (ending with its input), braille (the browser
    has it whatever the server's locale), and files in a folder of its own, delivered to the browser."""
    from lrtui.serve.driver import SessionDriver
    from lrtui.ui.app import make_app
    from lrtui.io.sandbox import Sandbox

    import signal

    sandbox = Sandbox.create(lambda path: app.deliver_binary(path, open_method="download"))
    try:  # SIGTERM or SIGHUP (the instructor's terminal closed) end it as q does: its folder is removed
        app = make_app(start, sandbox=sandbox, driver_class=SessionDriver, exit_signals=(signal.SIGTERM, signal.SIGHUP))
        app.run()
    finally:
        sandbox.remove()
    return app.return_code or 0


def _check_output(path: str) -> None:
    """Refuse an output file that cannot be written before any work is done for it."""
    if not path.endswith(".svg"):
        raise UsageError(f"lrtui: -o {path} is not allowed: a file name ending in .svg")
    directory = Path(path).parent
    if not directory.is_dir():
        raise UsageError(f"lrtui: -o {path} is not allowed: there is no directory {directory} to write it in")
    if not os.access(directory, os.W_OK) or Path(path).is_dir():
        raise UsageError(f"lrtui: -o {path} is not allowed: it cannot be written there")


def cmd_screenshot(args: argparse.Namespace) -> int:
    size = grid_size(args.size, "lrtui: --size", (20, 1000), (8, 500), "120x40")
    _check_output(args.output)
    start = app_start(args)
    keys = [k.strip() for k in args.press.split(",") if k.strip()]
    _check_keys(keys)
    from lrtui.ui.screenshot import take_screenshot

    take_screenshot(start, Path(args.output), size, keys)
    print(escaped(args.output))
    return 0


def _check_keys(keys: list[str]) -> None:
    """Refuse a key Textual has no name for (a typo would otherwise be pressed as nothing)."""
    from textual.keys import KEY_ALIASES, Keys, key_to_character

    names = {k.value.rsplit("+", 1)[-1] for k in Keys} | set(KEY_ALIASES)
    for key in keys:
        base = key.rsplit("+", 1)[-1] if len(key) > 1 else key
        if not (len(base) == 1 and base.isprintable() or base in names or key_to_character(base)):
            raise UsageError(f"lrtui: --press {format_value(key)} is not a key: allowed characters and Textual's "
                             "key names, e.g. right,ctrl+s,question_mark,plus_sign")
