"""The ``lrtui`` command line: thin over the engine, argparse only, one-line errors with exit status 2."""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from lrtui.params import MAX_EPOCHS, ConfigError, Param, coerce, format_value
from lrtui.schedules import registry

EXIT_USAGE = 2

EPOCHS = Param("epochs", "int", 100, "number of epochs in the run", 1, MAX_EPOCHS)


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (no usage dump) and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lrtui",
        description="See and feel how learning-rate schedules shape training, in the terminal.",
        epilog="Examples:  lrtui list   |   lrtui curve cosine lr=0.1 T_max=100 --epochs 200 --plot",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p_list = sub.add_parser("list", help="every schedule with its parameters, defaults, ranges and help")
    p_list.add_argument("--format", choices=("text", "json"), default="text")

    p_curve = sub.add_parser(
        "curve",
        help="print a schedule's learning rate per epoch",
        description="Print a schedule's learning rate per epoch. Parameters as key=value "
        "(lists comma-separated, booleans true/false), e.g. lrtui curve multistep milestones=30,60 --epochs 90",
    )
    p_curve.add_argument("name", nargs="?", help="schedule name (see lrtui list); optional with --spec")
    p_curve.add_argument("assignments", nargs="*", metavar="param=value", help="schedule parameters")
    p_curve.add_argument("--epochs", default="100", help=f"number of epochs, 1 to {MAX_EPOCHS} (default 100)")
    p_curve.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p_curve.add_argument("--spec", metavar="FILE", help="a JSON or TOML schedule spec (nested specs for sequential/chained)")
    p_curve.add_argument("--plot", action="store_true", help="draw the curve with plotext instead of printing numbers")
    p_curve.add_argument("--ascii", action="store_true", help="plain ASCII plot (no braille, no box drawing)")
    return parser


def parse_assignments(tokens: Sequence[str]) -> dict[str, str]:
    """``["T_max=10", "eta_min=0"]`` -> ``{"T_max": "10", "eta_min": "0"}`` (values stay text)."""
    out: dict[str, str] = {}
    for token in tokens:
        key, sep, value = token.partition("=")
        if not sep or not key:
            raise UsageError(f"lrtui: {token!r} is not a param=value pair")
        if key in out:
            raise UsageError(f"lrtui: {key} is given twice")
        out[key] = value
    return out


def load_spec(path: str) -> dict[str, Any]:
    """A schedule spec from a JSON or TOML file (``{"name": ..., "params": {...}}``)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"lrtui: cannot read spec file {path}: {getattr(err, 'strerror', None) or err}") from None
    try:
        data = tomllib.loads(text) if path.endswith(".toml") else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as err:
        kind = "TOML" if path.endswith(".toml") else "JSON"
        raise UsageError(f"lrtui: spec file {path} is not valid {kind}: {str(err).splitlines()[0]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise UsageError(f'lrtui: spec file {path} must hold an object with "name" and "params"')
    if not isinstance(data.get("params", {}), dict):
        raise UsageError(f'lrtui: spec file {path}: "params" must be an object')
    return data


def cmd_list(args: argparse.Namespace) -> int:
    defs = [registry.get(n) for n in registry.names()]
    if args.format == "json":
        out = [
            {
                "name": d.name,
                "family": d.family,
                "summary": d.summary,
                "params": [
                    {"name": p.name, "kind": p.kind, "default": p.default, "allowed": p.allowed(), "log": p.log, "help": p.help}
                    for p in d.all_params
                ],
            }
            for d in defs
        ]
        print(json.dumps(out, indent=1))
        return 0
    lines = []
    for d in defs:
        lines.append(f"{d.name}  ({d.family})  {d.summary}")
        for p in d.all_params:
            scale = ", log scale" if p.log else ""
            lines.append(f"    {p.name:<20} default {format_value(p.default):<10} {p.allowed()}{scale}. {p.help}")
        lines.append("")
    print("\n".join(lines).rstrip())
    return 0


def _write_rows(epochs: np.ndarray, lrs: np.ndarray, fmt: str) -> None:
    out = sys.stdout
    if fmt == "csv":
        out.write("epoch,lr\n")
        out.writelines(f"{e},{v!r}\n" for e, v in zip(epochs.tolist(), lrs.tolist()))
    else:
        out.write(f"{'epoch':>8}  lr\n")
        out.writelines(f"{e:>8}  {v:.10g}\n" for e, v in zip(epochs.tolist(), lrs.tolist()))


def cmd_curve(args: argparse.Namespace) -> int:
    from lrtui.schedules import create

    tokens = list(args.assignments)
    name = args.name
    if args.spec:
        spec = load_spec(args.spec)
        if name is not None and "=" in name:
            tokens.insert(0, name)
            name = None
        if name is not None and name != spec["name"]:
            raise UsageError(f"lrtui: schedule {name} does not match the spec file's {spec['name']}")
        name, params = spec["name"], {**spec.get("params", {}), **parse_assignments(tokens)}
    elif name is None:
        raise UsageError("lrtui curve: a schedule name is required (see lrtui list), or --spec FILE")
    else:
        params = parse_assignments(tokens)
    epochs = coerce(EPOCHS, args.epochs)
    schedule = create(name, **params)
    if registry.get(name).family == "metric":
        raise ConfigError(f"{name} follows the loss, not the epoch: it has no curve of its own (use lrtui simulate)")
    t = np.arange(epochs, dtype=np.int64)
    lrs = schedule(t)
    if args.plot:
        from lrtui.textplot import plot_curve, use_colour

        described = " ".join(f"{k}={format_value(v)}" for k, v in params.items() if k != "schedulers")
        print(plot_curve(t, lrs, title=f"{name} {described}".strip(), ascii_only=args.ascii, colour=use_colour() and not args.ascii))
    elif args.format == "json":
        json.dump({"name": name, "params": schedule.spec["params"], "epoch": t.tolist(), "lr": lrs.tolist()}, sys.stdout)
        sys.stdout.write("\n")
    else:
        _write_rows(t, lrs, args.format)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        return {"list": cmd_list, "curve": cmd_curve}[args.command](args)
    except (UsageError, ConfigError) as err:
        message = str(err)
        if not message.startswith("lrtui"):
            message = f"lrtui: {message}"
        print(message.splitlines()[0] if message else "lrtui: error", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        _silence_stdout()
        return 0
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
