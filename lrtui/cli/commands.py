"""The headless commands: list, curve, simulate, range-test, code and presets (numbers on stdout, notes and
progress on stderr)."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from lrtui.cli.parser import EPOCHS, UsageError
from lrtui.cli.runs import curve_units, in_epochs, run_config, schedule_spec, schedule_words, split_assignments
from lrtui.params import ConfigError, Param, coerce, format_value
from lrtui.printable import cut
from lrtui.schedules import registry

if TYPE_CHECKING:
    from lrtui.plotting.series import Look
    from lrtui.sim.config import Trace

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
    names = max(len(p.name) for entries in catalogue.values() for *_, params in entries for p in params)
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
                head = f"    {p.name:<{names}} default {default(p):<{width}} "
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
    from lrtui.analysis.lint import notes
    from lrtui.sim.config import RunConfig, prepare

    # the notes read the schedule and the length; a curve may be longer than a simulated run
    prepared = replace(prepare(RunConfig(schedule=schedule.spec, epochs=1)), epochs=epochs)
    _print_notes(notes(prepared.config, prepared))
    if args.plot:
        from lrtui.plotting.figure import Figure
        from lrtui.plotting.series import Series
        from lrtui.plotting.textplot import plot_figure

        look = _plot_look(args)
        described = " ".join(f"{k}={format_value(v)}" for k, v in params.items() if k != "schedulers")
        # the app's lr curve before its run is simulated (lrtui.ui.display.RunDisplay.preview), named
        figure = Figure((Series(t.astype(np.float64), lrs, "blue+"),), f"{name} {described}".strip(), look,
                        x_range=(0.0, float(max(epochs - 1, 1))), xlabel="epoch", ylabel="lr")
        print(plot_figure(figure, colour=not look.mono))
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
    from lrtui.sim.engine import simulate, simulate_many

    from lrtui.cli.output import ProgressLine

    if args.preset is not None or args.load is not None:
        from lrtui.cli.start import app_start

        start = app_start(args)
        configs = (start.config, *start.pinned)
        progress = ProgressLine("simulating")
        traces = simulate_many(configs, progress)
        progress.close()
        return _write_runs(args, traces)
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
        _plot_run(args, trace)
        if diverged:
            print(diverged.removeprefix("lrtui: "))
        return 0
    outcome, summary = _run_summary(trace)
    if args.format == "json":
        _write_json({}, _run_columns(trace), summary)
    else:
        _write_columns(_run_columns(trace), args.format)
    if args.format == "table":
        if trace.seeds > 1:
            print(f"final loss: {_final_text(summary)}")
        if diverged:
            print(diverged.removeprefix("lrtui: "))
        else:
            print(f"verdict: {outcome.describe()}")
    if diverged and args.format != "table":
        print(diverged, file=sys.stderr)
    return 0


def _run_columns(trace, suffix: str = "") -> dict[str, np.ndarray]:
    """A run's per-epoch columns: lr and loss (a run over seeds: their mean, and the band's ends)."""
    columns = {"lr" + suffix: trace.lr, "loss" + suffix: trace.loss}
    if trace.loss_lo is not None:
        columns.update({"loss_lo" + suffix: trace.loss_lo, "loss_hi" + suffix: trace.loss_hi})
    if trace.heldout_loss is not None:
        columns["heldout_loss" + suffix] = trace.heldout_loss
    return columns if suffix else {"epoch": trace.epoch, **columns}


def _run_summary(trace) -> tuple[Any, dict[str, Any]]:
    """A run's verdict, and the numbers that sum it up in JSON: one seed's final loss as it is; over seeds,
    the scoreboard's (the mean of each seed's mean over the last tenth of the run), its sd across seeds
    and each seed's."""
    from lrtui.analysis.verdict import judge
    from lrtui.io.run_export import json_number

    outcome = judge(trace)
    summary: dict[str, Any] = {"seeds": trace.seeds, "diverged_at": trace.diverged_at}
    if trace.final_per_seed is None:
        summary["final_loss"] = json_number(trace.final_loss)
    else:
        per_seed = trace.final_per_seed
        finite = bool(np.isfinite(per_seed).all())
        summary.update(final_loss=json_number(float(per_seed.mean())) if finite else None,
                       final_loss_sd=json_number(float(per_seed.std(ddof=1))) if finite else None,
                       final_loss_per_seed=[json_number(v) for v in per_seed.tolist()],
                       diverged_seeds=trace.diverged_seeds)
    summary.update(verdict=outcome.kind, verdict_epoch=outcome.epoch, verdict_factor=outcome.factor)
    if outcome.limit is not None:
        summary["verdict_limit"] = outcome.limit  # stalled: where the sum of the lr converges
    return outcome, summary


def _final_text(summary: dict[str, Any]) -> str:
    if summary["final_loss"] is None:
        return "-"
    if "final_loss_sd" not in summary:
        return f"{summary['final_loss']:.4g}"
    n = summary["seeds"]
    return (f"{summary['final_loss']:.4g} +- {summary['final_loss_sd'] / np.sqrt(n):.2g} (mean over {n} seeds "
            f"of each one's last tenth, +- its standard error; sd across seeds {summary['final_loss_sd']:.2g})")


def _write_runs(args: argparse.Namespace, traces: list) -> int:
    """Several runs (a preset's or a session's, the first the one shown): side by side in a table or CSV,
    their columns labelled by run (lr, loss_1 for pinned run #1 ...) and named after the table; in JSON,
    one object per run."""
    from lrtui.analysis.compare import describe
    from lrtui.io.run_export import json_number

    labels = ["now"] + [f"#{i}" for i in range(1, len(traces))]
    summaries = [_run_summary(t) for t in traces]
    if args.plot:
        raise UsageError("lrtui simulate: --plot draws one run: allowed --format table, csv or json with --preset "
                         "or --load")
    if args.format == "json":
        runs = [{"label": label, "description": describe(t.config), "schedule": t.config.schedule,
                 **{k: [json_number(v) for v in c.tolist()] for k, c in _run_columns(t, "").items() if k != "epoch"},
                 **summary}
                for label, t, (_, summary) in zip(labels, traces, summaries)]
        json.dump({"epoch": traces[0].epoch.tolist(), "runs": runs}, sys.stdout)
        sys.stdout.write("\n")
        return 0
    longest = max(traces, key=lambda t: len(t.epoch))
    columns: dict[str, np.ndarray] = {"epoch": longest.epoch}
    for i, t in enumerate(traces):
        for name, column in _run_columns(t, f"_{i}" if i else "").items():
            if name != "epoch":
                columns[name] = np.concatenate([column, np.full(len(longest.epoch) - len(column), np.nan)])
    _write_columns(columns, args.format)
    if args.format == "table":
        for label, t, (outcome, summary) in zip(labels, traces, summaries):
            suffix = "" if label == "now" else f"_{label[1:]}"
            print(f"{label} (columns lr{suffix}, loss{suffix}): {describe(t.config)}; final loss "
                  f"{_final_text(summary).split(' (')[0]}; {outcome.describe()}")
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    """The run as code (``--schedule-only``: the schedule alone)."""
    from lrtui.codegen import code_for, training_code
    from lrtui.sim.config import prepare

    name, words = schedule_words(args)
    if args.schedule_only and args.reproduce:
        raise UsageError("lrtui code: --reproduce writes the whole run: allowed without --schedule-only")
    if args.preset is not None or args.load is not None:  # (a preset's or a session's run)
        from lrtui.cli.start import app_start

        args.schedule = name
        config = app_start(args).config
        if args.schedule_only:
            sys.stdout.write(code_for(config.schedule, args.framework, config.optimizer, config.optimizer_params))
            return 0
    elif args.schedule_only:  # (the schedule, and the optimizer it drives: optimizer.key=value)
        mine = [t for t in words if t.startswith("optimizer.")]
        args = replace_namespace(args, name=name, schedule_option=None,
                                 assignments=[t for t in words if t not in mine])
        sys.stdout.write(code_for(schedule_spec(args), args.framework, args.optimizer or "sgd",
                                  split_assignments(mine)[2]))
        return 0
    else:
        schedule_spec(args)  # (a schedule is required: by name, --schedule or --spec; one line otherwise)
        args.schedule, args.assignments = name, words  # (run_config reads a --spec file itself, nested or not)
        config = run_config(args)
    if args.reproduce:
        from lrtui.codegen.training import torch_reproduction

        if args.framework != "torch":
            raise UsageError(f"lrtui code: --reproduce is not allowed with --framework {args.framework}: it writes "
                             "torch (allowed --framework torch)")
        sys.stdout.write(torch_reproduction(prepare(config)))
        return 0
    sys.stdout.write(training_code(prepare(config), args.framework))
    return 0


def replace_namespace(args: argparse.Namespace, **changes: Any) -> argparse.Namespace:
    """A copy of parsed options with some changed."""
    return argparse.Namespace(**{**vars(args), **changes})


def cmd_range_test(args: argparse.Namespace) -> int:
    from lrtui.analysis.range_test import misleading, range_test
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
        from lrtui.plotting.terminal import terminal_size
        from lrtui.plotting.textplot import plot_figure
        from lrtui.ui.views import range_figure

        look = _plot_look(args)
        figure = replace(range_figure(result, look), title=f"range test: {args.problem} / {args.optimizer}",
                         shorter=(), ylabel="loss")
        cols, rows = terminal_size()
        print(plot_figure(figure, colour=not look.mono, size=(cols, rows - 1 - len(result.suggestions) - 1)))
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
    found = misleading(result)
    for name, value in result.suggestions.items():
        print(f"suggested ({name}): {value:.4g}" + (f" (misleading here: {found[name]})" if name in found else ""))
    print("stable limit: " + (f"{result.stable_limit:.4g}" if result.stable_limit is not None else "unknown for this "
                              "problem and optimizer"))
    return 0


def _plot_look(args: argparse.Namespace) -> "Look":
    """How --plot draws: plain ASCII when asked for or on a terminal without braille (as the app decides),
    monochrome unless the output is a colour terminal."""
    from lrtui.plotting.series import Look
    from lrtui.plotting.terminal import shows_braille, use_colour

    return Look(ascii=args.ascii or not shows_braille(), mono=args.ascii or not use_colour())


def _plot_run(args: argparse.Namespace, trace: "Trace") -> None:
    """The app's two plots of a run, one over the other in the terminal (less the prompt's row, and the
    divergence line's): its lr figure and its loss figure, the loss on a log axis where it is positive."""
    from lrtui.plotting.terminal import terminal_size
    from lrtui.plotting.textplot import plot_figure
    from lrtui.sim.config import prepare
    from lrtui.ui.views import LossView, LrView, Run

    look = _plot_look(args)
    cols, rows = terminal_size()
    rows -= 2 if trace.diverged_at is not None else 1
    run = Run(trace, prepare(trace.config))
    loss = trace.loss
    positive = np.isfinite(loss) & (loss > 0)
    log = bool(positive.any() and positive.sum() == np.isfinite(loss).sum())
    lr_figure = replace(LrView().figure(run, look), xlabel="epoch", ylabel="lr")
    loss_figure = replace(LossView().figure(run, replace(look, log=log), (cols, rows - rows // 2)), ylabel="loss")
    print(plot_figure(lr_figure, colour=not look.mono, size=(cols, max(5, rows // 2))))
    print(plot_figure(loss_figure, colour=not look.mono, size=(cols, max(5, rows - rows // 2))))


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
