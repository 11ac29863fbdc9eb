"""The headless commands: list, curve, simulate, range-test, code and presets (numbers on stdout, notes and
progress on stderr)."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from typing import Any

import numpy as np

from lrtui.cli.parser import EPOCHS, UsageError
from lrtui.cli.runs import curve_units, in_epochs, run_config, schedule_spec, split_assignments
from lrtui.params import ConfigError, Param, coerce, format_value
from lrtui.printable import cut
from lrtui.schedules import registry

def _catalogue() -> dict[str, list[tuple[str, str, str, tuple[Param, ...]]]]:
    """(name, family, summary, parameters) of every schedule, problem and optimizer."""
    from lrtui.sim.optimizers import OPTIMIZERS
    from lrtui.sim.config import PROBLEMS

    defs = [registry.get(n) for n in registry.names()]
    return {  # the summaries are docstrings' first lines: without their ``code`` marks
        "schedules": [(d.name, d.family, registry.without_markup(d.summary), d.all_params) for d in defs],
        "problems": [(p.name, p.kind, p.note.split(". ")[0] + ".", p.params) for p in PROBLEMS.values()],
        "optimizers": [(o.name, "optimizer", o.summary, o.params) for o in OPTIMIZERS.values()],
    }


def _only(catalogue: dict, name: str) -> dict:
    """The catalogue's entries named ``name``; :class:`UsageError` (with the closest name) when none is."""
    found = {section: [e for e in entries if e[0] == name] for section, entries in catalogue.items()}
    found = {section: entries for section, entries in found.items() if entries}
    if not found:
        names = [e[0] for entries in catalogue.values() for e in entries]
        close = difflib.get_close_matches(name, names, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UsageError(f"lrtui list: {cut(name)} is not a schedule, problem or optimizer{hint}: "
                         "allowed a name lrtui list shows")
    return found


def cmd_list(args: argparse.Namespace) -> int:
    catalogue = _catalogue()
    if args.name is not None:
        catalogue = _only(catalogue, args.name)
    if args.format == "json":
        out = {
            section: [
                {
                    "name": name,
                    "family": family,
                    "summary": summary,
                    "params": [
                        {"name": p.name, "kind": p.kind, "default": p.default, "allowed": p.allowed(), "log": p.log,
                         "help": p.help}
                        for p in params
                    ],
                }
                for name, family, summary, params in entries
            ]
            for section, entries in catalogue.items()
        }
        print(json.dumps(out, indent=1))
        return 0
    def default(p: Param) -> str:  # short: 1/3 as 0.3333, so the column stays a column
        return f"{p.default:.4g}" if isinstance(p.default, float) else format_value(p.default)

    width = max(len(default(p)) for entries in catalogue.values() for *_, params in entries for p in params
                if len(default(p)) <= 24)
    import shutil
    import textwrap

    columns = shutil.get_terminal_size().columns if sys.stdout.isatty() else 0

    def wrap(line: str, indent: str) -> list[str]:  # on a terminal, within its width (into a pipe, whole lines)
        if not columns or len(line) <= columns:
            return [line]
        return textwrap.wrap(line, max(columns, 40), subsequent_indent=indent, break_on_hyphens=False,
                             drop_whitespace=True) or [line]

    lines = []
    for section, entries in catalogue.items():
        prefix = {"schedules": "", "problems": "problem.", "optimizers": "optimizer."}[section]
        lines.append(f"== {section} ==" + (f"  (set with {prefix}key=value)" if prefix else "  (set with key=value)"))
        lines.append("")
        for name, family, summary, params in entries:
            lines.extend(wrap(f"{name}  ({family})  {summary}", "    "))
            for p in params:
                scale = ", log scale" if p.log else ""
                head = f"    {p.name:<20} default {default(p):<{width}} "
                lines.extend(wrap(f"{head}{p.allowed()}{scale}. {p.help}", " " * min(len(head), 44)))
            if args.name is not None and section == "schedules":  # one schedule: its formula too (the doc
                doc = registry.without_markup(registry.get(name).doc).splitlines()[1:]  # after its summary)
                lines.extend(("    " + line).rstrip() for line in doc)
            lines.append("")
    print("\n".join(lines).rstrip())
    return 0


def _write_columns(columns: dict[str, np.ndarray], fmt: str, what: str = "writing") -> None:
    """Rows of named columns on stdout, streamed (lrtui.cli.output), with progress on stderr when it is long."""
    from lrtui.cli.output import ProgressLine, write_columns

    progress = ProgressLine(what)
    write_columns(columns, fmt, sys.stdout, progress)
    progress.close()


def _write_json(head: dict[str, Any], columns: dict[str, Any], tail: dict[str, Any]) -> None:
    from lrtui.cli.output import ProgressLine, write_json

    progress = ProgressLine("writing")
    write_json(head, columns, tail, sys.stdout, progress)
    progress.close()


def cmd_curve(args: argparse.Namespace) -> int:
    from lrtui.schedules import create

    spec = schedule_spec(args)
    units = curve_units(args)
    name, params = spec["name"], in_epochs(spec["params"], units)
    epochs = coerce(EPOCHS, units.to_epochs("epochs", args.epochs))
    if args.spec is None and name in registry.names():  # the horizon follows --epochs unless typed
        from lrtui.sim.config import RunConfig, fit_horizon

        params = fit_horizon(RunConfig(schedule={"name": name, "params": params}, epochs=epochs),
                             keep=set(params)).schedule["params"]
    schedule = create(name, **params)
    if registry.get(name).family == "metric":
        raise ConfigError(f"{name} follows the loss, not the epoch: it has no curve of its own (use lrtui simulate)")
    t = np.arange(epochs, dtype=np.int64)
    lrs = schedule(t)
    from dataclasses import replace

    from lrtui.analysis.lint import notes
    from lrtui.sim.config import RunConfig, prepare

    # the notes read the schedule and the length; a curve may be longer than a simulated run
    prepared = replace(prepare(RunConfig(schedule=schedule.spec, epochs=1)), epochs=epochs)
    _print_notes(notes(prepared.config, prepared))
    if args.plot:
        from lrtui.plotting.textplot import plot_curve
        from lrtui.plotting.terminal import use_colour

        described = " ".join(f"{k}={format_value(v)}" for k, v in params.items() if k != "schedulers")
        print(plot_curve(t, lrs, title=f"{name} {described}".strip(), ascii_only=_plain_plot(args),
                         colour=use_colour() and not args.ascii))
    elif args.format == "json":
        _write_json({"name": name, "params": schedule.spec["params"]}, {"epoch": t, "lr": lrs}, {})
    else:
        _write_columns({"epoch": t, "lr": lrs}, args.format)
    return 0


def _print_notes(found: list[str]) -> None:
    """Pitfalls go to stderr, one line each, so stdout stays the data."""
    for note in found:
        print(f"lrtui: note: {note}", file=sys.stderr)


def cmd_simulate(args: argparse.Namespace) -> int:
    from lrtui.analysis.lint import notes
    from lrtui.io.run_export import json_number
    from lrtui.sim.engine import simulate

    from lrtui.cli.output import ProgressLine

    config = run_config(args)
    _print_notes(notes(config))
    progress = ProgressLine("simulating")
    trace = simulate(config, progress)
    progress.close()
    diverged = (
        None if trace.diverged_at is None
        else f"lrtui: diverged at epoch {trace.diverged_at} (the loss blew up: non-finite or above 1e6 x the start)"
    )
    if args.plot:
        from lrtui.plotting.textplot import plot_curve
        from lrtui.plotting.terminal import terminal_size, use_colour

        cols, rows = terminal_size()
        rows -= 2 if diverged else 1  # the prompt, and the divergence line
        colour = use_colour() and not args.ascii
        title = f"{trace.config.problem} / {trace.config.optimizer} / {trace.config.schedule['name']}"
        print(plot_curve(trace.epoch, trace.lr, title=f"lr: {title}", ascii_only=_plain_plot(args), colour=colour,
                         size=(cols, max(5, rows // 2))))
        loss = trace.loss
        positive = np.isfinite(loss) & (loss > 0)
        log = bool(positive.all() or (positive.sum() == np.isfinite(loss).sum() and positive.any()))
        shown = np.where(positive, np.log10(np.where(positive, loss, 1.0)), np.nan) if log else loss
        print(plot_curve(trace.epoch, shown, title="loss" + (" (log)" if log else ""), ylabel="loss", ylog=log,
                         ascii_only=_plain_plot(args), colour=colour, size=(cols, max(5, rows - rows // 2))))
        if diverged:
            print(diverged.removeprefix("lrtui: "))
        return 0
    from lrtui.analysis.verdict import judge

    outcome = judge(trace)
    columns = {"epoch": trace.epoch, "lr": trace.lr, "loss": trace.loss}
    if trace.heldout_loss is not None:
        columns["heldout_loss"] = trace.heldout_loss
    if args.format == "json":
        _write_json({}, columns, {"diverged_at": trace.diverged_at, "final_loss": json_number(trace.final_loss),
                                  "verdict": outcome.kind, "verdict_epoch": outcome.epoch,
                                  "verdict_factor": outcome.factor})
    else:
        _write_columns(columns, args.format)
    if args.format == "table":
        if diverged:
            print(diverged.removeprefix("lrtui: "))
        else:
            print(f"verdict: {outcome.describe()}")
    if diverged and args.format != "table":
        print(diverged, file=sys.stderr)
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    from lrtui.codegen import code_for

    sys.stdout.write(code_for(schedule_spec(args), args.framework))
    return 0


def cmd_range_test(args: argparse.Namespace) -> int:
    from lrtui.analysis.range_test import range_test
    from lrtui.io.run_export import json_number
    from lrtui.sim.config import RunConfig

    schedule_params, problem_params, optimizer_params = split_assignments(args.assignments)
    if schedule_params:
        name = next(iter(schedule_params))
        raise UsageError(f"lrtui: {name}={schedule_params[name]} is not allowed: the range test sets the lr itself; "
                         "allowed problem.key=value and optimizer.key=value")
    config = RunConfig(problem=args.problem, problem_params=problem_params, optimizer=args.optimizer,
                       optimizer_params=optimizer_params, seed=args.seed)
    result = range_test(config, steps=args.steps, lr_min=args.lr_min, lr_max=args.lr_max)
    if args.plot:
        from lrtui.plotting.textplot import plot_curve
        from lrtui.plotting.terminal import terminal_size, use_colour

        cols, rows = terminal_size()
        text = plot_curve(np.log10(result.lr), result.loss, title=f"range test: {args.problem} / {args.optimizer}",
                          ylabel="loss", ascii_only=_plain_plot(args), colour=use_colour() and not args.ascii,
                          size=(cols, rows - 1 - len(result.suggestions) - 1), xlabel="lr", xlog=True)
        print(text)
    elif args.format == "json":
        json.dump({"lr": result.lr.tolist(), "loss": [json_number(v) for v in result.loss.tolist()],
                   "suggestions": result.suggestions, "stable_limit": result.stable_limit,
                   "stopped_at": result.stopped_at}, sys.stdout)
        sys.stdout.write("\n")
        return 0
    else:
        _write_columns({"lr": result.lr, "loss": result.loss}, args.format)
        if args.format == "csv":
            return 0
    for name, value in result.suggestions.items():
        print(f"suggested ({name}): {value:.4g}")
    print("stable limit: " + (f"{result.stable_limit:.4g}" if result.stable_limit is not None else "unknown for this "
                              "problem and optimizer"))
    return 0


def _plain_plot(args: argparse.Namespace) -> bool:
    """Whether --plot draws plain ASCII: asked for, or a terminal without braille (as the app decides)."""
    from lrtui.plotting.terminal import shows_braille

    return args.ascii or not shows_braille()


def cmd_presets(args: argparse.Namespace) -> int:
    from lrtui.presets import PRESETS

    if args.format == "json":
        rows = [{"name": p.name, "title": p.title, "kind": p.kind, "runs": 1 + len(p.pinned), "note": p.note,
                 "meta": {k: v for k, v in p.meta.items() if k != "variants"}} for p in PRESETS.values()]
        json.dump(rows, sys.stdout, indent=1, default=str)
        sys.stdout.write("\n")
        return 0
    width = max(len(p.name) for p in PRESETS.values())
    for p in PRESETS.values():
        print(f"{p.name:<{width}}  {p.title}")
    return 0
