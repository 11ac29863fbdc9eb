"""The ``lrtui`` command line: thin over the engine, argparse only, one-line errors with exit status 2."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from lrtui.params import APP_MAX_EPOCHS, MAX_EPOCHS, MAX_SIM_EPOCHS, ConfigError, Param, coerce, format_value
from lrtui.printable import escaped, one_line
from lrtui.schedules import registry

if TYPE_CHECKING:  # the CLI imports the simulator (and Textual) only for the commands that need them
    from lrtui.sim.config import RunConfig

EXIT_USAGE = 2

EPOCHS = Param("epochs", "int", 100, "number of epochs in the run", 1, MAX_EPOCHS)


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (no usage dump) and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _add_run_options(p: argparse.ArgumentParser, default_schedule: str | None, max_epochs: int) -> None:
    """The options that define a run, shared by the app, simulate and screenshot."""
    p.add_argument("assignments", nargs="*", metavar="param=value",
                   help="schedule parameters; problem.key=value; optimizer.key=value")
    p.add_argument("--schedule", default=default_schedule,
                   help="schedule name (see lrtui list)" + (f"; default {default_schedule}" if default_schedule else ""))
    p.add_argument("--spec", metavar="FILE", help="the schedule as a JSON or TOML spec file")
    # the defaults (RUN_DEFAULTS) are filled in by run_config: None says the option was not given
    p.add_argument("--problem", help="teaching problem (see lrtui list); default quadratic")
    p.add_argument("--optimizer", help="sgd, momentum, nesterov, adam or adamw; default sgd")
    p.add_argument("--epochs", help=f"number of epochs, 1 to {max_epochs:,} (default 100)")
    p.add_argument("--seed", help="seed of the run's noise, batches and initial weights (default 0)")
    p.add_argument("--steps-per-epoch", help="optimizer steps per epoch on analytic problems (default 1)")
    p.add_argument("--plateau-metric", choices=("end", "running", "heldout"),
                   help="what the plateau schedule watches after each epoch (default end: the loss the epoch ended at)")
    _add_unit_options(p)


def _add_unit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--batch-size", help="samples per optimizer step: lengths may then be given in samples (50k samples)")
    p.add_argument("--tokens-per-step", help="tokens per optimizer step (GPT-3: 524288): lengths may then be given "
                   "in tokens (num_warmup_steps='375M tokens' is 715 epochs of one step)")


def _curve_units(args: argparse.Namespace):
    """The time units of ``lrtui curve``, whose epochs are steps: samples and tokens per step as set."""
    from lrtui.sim.config import RUN_PARAMS
    from lrtui.sim.units import Units

    decl = {p.name: p for p in RUN_PARAMS}
    return Units(1, coerce(decl["batch_size"], args.batch_size), coerce(decl["tokens_per_step"], args.tokens_per_step))


def _in_epochs(params: dict[str, Any], units) -> dict[str, Any]:
    """Lengths typed with a unit ("375M tokens") as epochs."""
    return {k: units.to_epochs(k, v) for k, v in params.items()}


RUN_DEFAULTS = {"problem": "quadratic", "optimizer": "sgd", "epochs": "100", "seed": "0", "steps_per_epoch": "1",
                "plateau_metric": "end", "batch_size": None, "tokens_per_step": None}


def _add_start_options(p: argparse.ArgumentParser) -> None:
    """Where the app starts instead of the run options: a preset or a saved session."""
    p.add_argument("--preset", metavar="NAME", help="open a teaching scenario or recipe (lrtui presets lists them); "
                   "with --epochs N, scaled to N epochs")
    p.add_argument("--load", metavar="FILE", help="open a saved session (.toml or .json)")


APP_DESCRIPTION = (
    "See and feel how learning-rate schedules shape training, in the terminal. With no command, lrtui opens "
    "the app on the run the options describe (bare key=value pairs set schedule parameters, problem.key=value "
    "and optimizer.key=value the others)."
)
COMMANDS_EPILOG = (
    "commands:  lrtui list | curve | simulate | range-test | code | presets | screenshot  (lrtui COMMAND -h for "
    "each).  Examples:  lrtui --preset T5   |   "
    "lrtui --schedule cosine lr=0.1 T_max=100   |   lrtui curve cosine T_max=100 --epochs 200 --plot   |   "
    "lrtui simulate --problem ravine --optimizer momentum lr=0.6 optimizer.momentum=0.5"
)


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The app's parser (lrtui with no command) and each command's own parser. All are parsed
    intermixed: options and param=value pairs may come in any order."""
    parser = _Parser(prog="lrtui", description=APP_DESCRIPTION, epilog=COMMANDS_EPILOG)
    _add_run_options(parser, None, APP_MAX_EPOCHS)
    _add_start_options(parser)
    parser.add_argument("--ascii", action="store_true", help="plain ASCII plots (automatic when the locale is not UTF-8)")

    p_list = _Parser(prog="lrtui list", description="Every schedule, problem and optimizer with its parameters, "
                     "defaults, ranges and help.")
    p_list.add_argument("--format", choices=("text", "json"), default="text")

    p_curve = _Parser(
        prog="lrtui curve",
        description="Print a schedule's learning rate per epoch. Parameters as key=value "
        "(lists comma-separated, booleans true/false), e.g. lrtui curve multistep milestones=30,60 --epochs 90",
    )
    p_curve.add_argument("name", nargs="?", help="schedule name (see lrtui list); optional with --spec")
    p_curve.add_argument("--schedule", dest="schedule_option", metavar="NAME",
                        help="the schedule name, as simulate and the app take it (the same as giving it first)")
    p_curve.add_argument("assignments", nargs="*", metavar="param=value", help="schedule parameters")
    p_curve.add_argument("--epochs", default="100", help=f"number of epochs, 1 to {MAX_EPOCHS:,} (default 100)")
    p_curve.add_argument("--format", choices=("table", "csv", "json"), help="output format (default table)")
    p_curve.add_argument("--spec", metavar="FILE", help="a JSON or TOML schedule spec (nested specs for sequential/chained)")
    p_curve.add_argument("--plot", action="store_true", help="draw the curve with plotext instead of printing numbers")
    p_curve.add_argument("--ascii", action="store_true", help="plain ASCII plot (no braille, no box drawing)")
    _add_unit_options(p_curve)

    p_sim = _Parser(
        prog="lrtui simulate",
        description="Run an optimizer under a schedule on a teaching problem and print lr and loss per epoch "
        "(loss[t] is the loss at the parameters epoch t starts from). Bare key=value pairs set schedule "
        "parameters; optimizer.key=value and problem.key=value set the others, e.g. "
        "lrtui simulate --problem ravine --optimizer momentum --schedule cosine lr=0.4 T_max=50 optimizer.momentum=0.9",
    )
    _add_run_options(p_sim, "constant", MAX_SIM_EPOCHS)
    p_sim.add_argument("--format", choices=("table", "csv", "json"), help="output format (default table)")
    p_sim.add_argument("--plot", action="store_true", help="draw lr and loss with plotext instead of printing numbers")
    p_sim.add_argument("--ascii", action="store_true", help="plain ASCII plot (no braille, no box drawing)")

    p_shot = _Parser(
        prog="lrtui screenshot",
        description="Render the app headless on the run the options describe, optionally after pressing keys, "
        "and save Textual's SVG screenshot.",
    )
    _add_run_options(p_shot, None, APP_MAX_EPOCHS)
    _add_start_options(p_shot)
    p_shot.add_argument("-o", "--output", required=True, metavar="FILE.svg", help="where to write the SVG")
    p_shot.add_argument("--size", default="120x40", help="terminal size as COLSxROWS (default 120x40)")
    p_shot.add_argument("--press", default="", metavar="KEYS",
                        help="keys to press first, comma-separated Textual key names, e.g. right,right,l")
    p_shot.add_argument("--ascii", action="store_true", help="plain ASCII plots")
    p_range = _Parser(
        prog="lrtui range-test",
        description="The learning-rate range test (fastai's lr_find): grow the lr exponentially from --lr-min "
        "to --lr-max over --steps steps on the problem and optimizer, stop when the loss blows up, and print "
        "the loss per lr with the usual suggestions and, where the curvature is known, the true stable limit.",
    )
    p_range.add_argument("assignments", nargs="*", metavar="param=value", help="problem.key=value; optimizer.key=value")
    p_range.add_argument("--problem", default="quadratic", help="teaching problem (see lrtui list); default quadratic")
    p_range.add_argument("--optimizer", default="sgd", help="sgd, momentum, nesterov, adam or adamw; default sgd")
    p_range.add_argument("--steps", default="100", help="steps of the test, 10 to 10000 (default 100)")
    p_range.add_argument("--lr-min", default="1e-7", help="the first lr (default 1e-7)")
    p_range.add_argument("--lr-max", default="10", help="the last lr (default 10)")
    p_range.add_argument("--seed", default="0", help="seed of the noise and batches")
    p_range.add_argument("--format", choices=("table", "csv", "json"), help="output format (default table)")
    p_range.add_argument("--plot", action="store_true", help="draw loss against lr with plotext")
    p_range.add_argument("--ascii", action="store_true", help="plain ASCII plot")
    p_code = _Parser(prog="lrtui code", description="Print a schedule as code: a torch fragment that leaves "
                     "`optimizer` and `scheduler` stepping through lrtui's curve, or transformers' own function.")
    p_code.add_argument("name", nargs="?", help="schedule name (see lrtui list); optional with --spec")
    p_code.add_argument("--schedule", dest="schedule_option", metavar="NAME",
                        help="the schedule name, as simulate and the app take it (the same as giving it first)")
    p_code.add_argument("assignments", nargs="*", metavar="param=value", help="schedule parameters")
    p_code.add_argument("--spec", metavar="FILE", help="a JSON or TOML schedule spec")
    p_code.add_argument("--framework", choices=("torch", "transformers", "optax"), default="torch")
    p_presets = _Parser(prog="lrtui presets", description="The teaching scenarios and published recipes, one per "
                        "line, name first; open one with lrtui --preset NAME (its id, such as T5 or r4, is enough).")
    p_presets.add_argument("--format", choices=("text", "json"), default="text")
    return parser, {"list": p_list, "curve": p_curve, "simulate": p_sim, "screenshot": p_shot,
                    "range-test": p_range, "code": p_code, "presets": p_presets}


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


SPEC_MAX_BYTES = 1_000_000
"""A spec file is a few lines; anything longer than this is not one (and is not read into memory)."""


def _read_spec(path: str) -> str:
    """The text of a spec file: a regular UTF-8 file of at most SPEC_MAX_BYTES. A directory, a device
    (/dev/zero), a FIFO or a huge file is refused without reading it all (or waiting for a writer)."""
    from lrtui.io.files import FileRefused, read_bounded

    try:
        data = read_bounded(path, SPEC_MAX_BYTES)
    except FileRefused as refused:
        raise UsageError(f"lrtui: cannot read spec file {path}: {refused.detail}" if refused.reason == "os" else
                         f"lrtui: spec file {path} " + {
                             "directory": "is a directory: allowed a JSON or TOML file",
                             "special": "is not a regular file: allowed a JSON or TOML file",
                             "size": f"is more than {SPEC_MAX_BYTES:,} bytes: a spec is at most that"}[refused.reason]
                         ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"lrtui: spec file {path} is not UTF-8 text: allowed a JSON or TOML file") from None


def load_spec(path: str) -> dict[str, Any]:
    """A schedule spec from a JSON or TOML file (``{"name": ..., "params": {...}}``)."""
    text = _read_spec(path)
    from lrtui.io.documents import DocumentError, parse_document

    try:
        data = parse_document(text, "TOML" if path.endswith(".toml") else "JSON")
    except DocumentError as err:
        raise UsageError(f"lrtui: spec file {path}: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise UsageError(f'lrtui: spec file {path} must hold an object with "name" and "params"')
    unknown = sorted(set(data) - {"name", "params"})
    if unknown:
        raise UsageError(f'lrtui: spec file {path}: {unknown[0]} is not a key of a spec: allowed name, params')
    if not isinstance(data.get("params", {}), dict):
        raise UsageError(f'lrtui: spec file {path}: "params" must be an object')
    return data


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


def cmd_list(args: argparse.Namespace) -> int:
    catalogue = _catalogue()
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

    spec = _schedule_spec(args)
    units = _curve_units(args)
    name, params = spec["name"], _in_epochs(spec["params"], units)
    epochs = coerce(EPOCHS, units.to_epochs("epochs", args.epochs))
    if args.spec is None and name in registry.names():  # the horizon follows --epochs unless typed
        from lrtui.sim.config import RunConfig, fit_horizon

        params = fit_horizon(RunConfig(schedule={"name": name, "params": params}, epochs=epochs), keep=set(params)).schedule["params"]
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
        from lrtui.plotting.textplot import plot_curve, use_colour

        described = " ".join(f"{k}={format_value(v)}" for k, v in params.items() if k != "schedulers")
        print(plot_curve(t, lrs, title=f"{name} {described}".strip(), ascii_only=_plain_plot(args), colour=use_colour() and not args.ascii))
    elif args.format == "json":
        _write_json({"name": name, "params": schedule.spec["params"]}, {"epoch": t, "lr": lrs}, {})
    else:
        _write_columns({"epoch": t, "lr": lrs}, args.format)
    return 0


def _split_assignments(tokens: Sequence[str]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """key=value pairs into schedule, problem.* and optimizer.* parameters."""
    pairs = parse_assignments(tokens)
    schedule, problem, optimizer = {}, {}, {}
    for key, value in pairs.items():
        section, dot, name = key.partition(".")
        if not dot:
            schedule[key] = value
        elif section == "problem" and name:
            problem[name] = value
        elif section == "optimizer" and name:
            optimizer[name] = value
        else:
            raise UsageError(
                f"lrtui: {key}={value} is not a parameter setting: allowed name=value, problem.name=value, optimizer.name=value"
            )
    return schedule, problem, optimizer


def _print_notes(found: list[str]) -> None:
    """Pitfalls go to stderr, one line each, so stdout stays the data."""
    for note in found:
        print(f"lrtui: note: {note}", file=sys.stderr)


def run_config(args: argparse.Namespace, default_schedule: dict[str, Any] | None = None) -> "RunConfig":
    """The run the options describe, validated (ConfigError names the bad parameter)."""
    from lrtui.sim.config import RunConfig

    schedule_params, problem_params, optimizer_params = _split_assignments(args.assignments)
    if args.spec is not None:
        spec = load_spec(args.spec)
        if args.schedule not in (None, spec["name"]):
            raise UsageError(f"lrtui: --schedule {args.schedule} does not match the spec file's {spec['name']}")
        spec = {"name": spec["name"], "params": {**spec.get("params", {}), **schedule_params}}
    elif args.schedule is None and default_schedule is not None:
        spec = {"name": default_schedule["name"], "params": {**default_schedule["params"], **schedule_params}}
    else:
        spec = {"name": args.schedule or "constant", "params": schedule_params}
    run = {name: RUN_DEFAULTS[name] if getattr(args, name) is None else getattr(args, name) for name in RUN_DEFAULTS}
    config = RunConfig(schedule=spec, problem_params=problem_params, optimizer_params=optimizer_params, **run)
    typed = set(schedule_params) if args.spec is None else None  # a spec file's horizon is kept as it is
    try:
        return _validated(config, horizon_kept=typed)
    except ConfigError as err:
        raise ConfigError(str(err) + _meant_elsewhere(str(err), schedule_params, config)) from None


def _horizon_follows(config: "RunConfig", typed: set[str]) -> "RunConfig":
    """The run with its schedule's horizon (T_max, num_training_steps, total_steps) set to its length (in
    epochs already) unless typed: ``--epochs 200`` with a cosine's default T_max of 100 would climb back to
    the peak. A length that is not a valid integer, or an unknown schedule, is left for validation to name."""
    from lrtui.sim.config import fit_horizon

    try:
        epochs = coerce(EPOCHS, config.epochs)
        schedules_known = config.schedule["name"] in registry.names()
    except ConfigError:
        return config
    if not schedules_known:
        return config
    from dataclasses import replace

    return replace(fit_horizon(replace(config, epochs=epochs), keep=typed), epochs=config.epochs)


def _meant_elsewhere(message: str, schedule_params: dict[str, str], config: "RunConfig") -> str:
    """For 'noise is not a parameter of cosine': the setting it was meant as, when the name is one of the
    problem's or the optimizer's parameters."""
    from lrtui.sim.optimizers import OPTIMIZERS
    from lrtui.sim.config import PROBLEMS

    for key, value in schedule_params.items():
        if not message.startswith(f"{key} is not a parameter of"):
            continue
        for section, table, name in (("problem", PROBLEMS, config.problem), ("optimizer", OPTIMIZERS, config.optimizer)):
            owner = table.get(name)
            if owner is not None and key in {p.name for p in owner.params}:
                return f" (the {section}'s: {section}.{key}={value})"
    return ""


def _validated(config: "RunConfig", horizon_kept: set[str] | None = None) -> "RunConfig":
    """The run with its lengths in epochs and its values typed as the engine reads them; unless
    ``horizon_kept`` is None, the schedule's horizon follows the run's length except those named in it."""
    from dataclasses import replace

    from lrtui.sim.config import RunConfig, prepare
    from lrtui.sim.units import Units

    # lengths typed with a unit ("375M tokens") become epochs: the units come from the run without its
    # schedule and length (a data problem's epoch is its own number of minibatches)
    units = Units.of(prepare(replace(config, schedule={"name": "constant", "params": {}}, epochs=1)))
    spec = config.schedule
    config = replace(config, schedule={"name": spec["name"], "params": _in_epochs(spec["params"], units)},
                     epochs=units.to_epochs("epochs", config.epochs))
    if horizon_kept is not None:
        config = _horizon_follows(config, horizon_kept)
    prepared = prepare(config)
    # the prepared values are typed (ints, floats), so the app and tests compare like with like
    return RunConfig(
        schedule=config.schedule, problem=config.problem, problem_params=config.problem_params,
        optimizer=config.optimizer, optimizer_params=config.optimizer_params, epochs=prepared.epochs, seed=prepared.seed,
        steps_per_epoch=prepared.steps_per_epoch, plateau_metric=prepared.plateau_metric,
        batch_size=prepared.batch_size, tokens_per_step=prepared.tokens_per_step,
    )


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
        from lrtui.plotting.textplot import plot_curve, terminal_size, use_colour

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


def _schedule_spec(args: argparse.Namespace) -> dict[str, Any]:
    """The schedule a name, param=value pairs and an optional --spec file describe."""
    tokens = list(args.assignments)
    name = args.name
    if args.schedule_option is not None:  # --schedule NAME, as simulate and the app take it
        if name is not None:
            tokens.insert(0, name)  # then the first word is a param=value pair
        name = args.schedule_option
    if args.spec is not None:
        spec = load_spec(args.spec)
        if name is not None and "=" in name:
            tokens.insert(0, name)
            name = None
        if name is not None and name != spec["name"]:
            raise UsageError(f"lrtui: {name} is neither the spec file's schedule ({spec['name']}) nor a param=value pair")
        return {"name": spec["name"], "params": {**spec.get("params", {}), **parse_assignments(tokens)}}
    if name is None:
        raise UsageError(f"lrtui {args.command}: a schedule name is required (see lrtui list), or --spec FILE")
    return {"name": name, "params": parse_assignments(tokens)}


def cmd_code(args: argparse.Namespace) -> int:
    from lrtui.codegen import code_for

    sys.stdout.write(code_for(_schedule_spec(args), args.framework))
    return 0


def cmd_range_test(args: argparse.Namespace) -> int:
    from lrtui.analysis.range_test import range_test
    from lrtui.io.run_export import json_number
    from lrtui.sim.config import RunConfig

    schedule_params, problem_params, optimizer_params = _split_assignments(args.assignments)
    if schedule_params:
        name = next(iter(schedule_params))
        raise UsageError(f"lrtui: {name}={schedule_params[name]} is not allowed: the range test sets the lr itself; "
                         "allowed problem.key=value and optimizer.key=value")
    config = RunConfig(problem=args.problem, problem_params=problem_params, optimizer=args.optimizer,
                       optimizer_params=optimizer_params, seed=args.seed)
    result = range_test(config, steps=args.steps, lr_min=args.lr_min, lr_max=args.lr_max)
    if args.plot:
        from lrtui.plotting.textplot import plot_curve, use_colour

        cols, rows = terminal_size_for_plot()
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


def terminal_size_for_plot() -> tuple[int, int]:
    from lrtui.plotting.textplot import terminal_size

    return terminal_size()


def _plain_plot(args: argparse.Namespace) -> bool:
    """Whether --plot draws plain ASCII: asked for, or a terminal without braille (as the app decides)."""
    from lrtui.plotting.textplot import shows_braille

    return args.ascii or not shows_braille()


def _app_default() -> dict[str, Any]:
    from lrtui.ui.fields import DEFAULT_SCHEDULE  # no Textual in fields.py

    return DEFAULT_SCHEDULE


def _app_options(args: argparse.Namespace):
    from lrtui.ui.app import Options

    return Options.from_environment(ascii=args.ascii)


def app_start(args: argparse.Namespace) -> dict[str, Any]:
    """What the app opens on: a preset, a saved session, or the run the options describe (as LrtuiApp's
    keyword arguments)."""
    from lrtui.ui.fields import check_app_epochs

    if args.preset is not None or args.load is not None:
        rescale = args.preset is not None and args.epochs is not None  # a preset scaled to other epochs
        given = [f"--{name.replace('_', '-')}" for name in (*RUN_DEFAULTS, "schedule", "spec")
                 if getattr(args, name) is not None and not (rescale and name == "epochs")]
        given += ["param=value pairs"] if args.assignments else []
        which = "--preset" if args.preset is not None else "--load"
        if args.preset is not None and args.load is not None:
            raise UsageError("lrtui: --preset and --load each set the whole run: allowed one of them")
        if given:
            raise UsageError(f"lrtui: {which} sets the whole run: allowed no {', '.join(given)} with it")
    if args.preset is not None:
        from lrtui.presets import find

        preset = find(args.preset)
        if args.epochs is not None:  # in the preset's own units ("10k steps" at its steps per epoch)
            from lrtui.sim.config import prepare
            from lrtui.sim.units import Units

            preset = preset.scaled(coerce(EPOCHS, Units.of(prepare(preset.config)).to_epochs("epochs", args.epochs)))
        check_app_epochs(preset.config, *preset.pinned)
        return {"config": preset.config, "pinned": preset.pinned, "preset": preset}
    if args.load is not None:
        from lrtui.io.sessions import load_session

        session = load_session(args.load)
        check_app_epochs(session.config, *session.pinned)
        return {"config": session.config, "pinned": session.pinned, "epoch": session.epoch,
                "target_loss": session.target_loss, "session_path": args.load, "note": session.note,
                "smoothing": session.smoothing}
    config = run_config(args, _app_default())  # (the horizon follows the run unless typed, as in simulate)
    check_app_epochs(config)
    return {"config": config}


def has_terminal() -> bool:
    """Whether stdin and stdout are a terminal: the app reads keys from one and draws on it."""
    return all(stream is not None and stream.isatty() for stream in (sys.stdin, sys.stdout))


def cmd_app(args: argparse.Namespace) -> int:
    """Open the app (Textual is imported only here). SIGTERM and SIGHUP end it as q does, the terminal
    restored; lrtui then ends by the same signal, so its parent sees what happened."""
    start = app_start(args)
    if not has_terminal():
        raise UsageError("lrtui: the app needs a terminal on stdin and stdout: for scripts, use lrtui curve, "
                         "simulate or screenshot (lrtui -h)")
    import signal

    from lrtui.ui.app import LrtuiApp

    app = LrtuiApp(options=_app_options(args), exit_signals=(signal.SIGTERM, signal.SIGHUP), **start)
    app.run()
    if app.ended_by is not None:
        sys.stdout.flush()
        signal.signal(app.ended_by, signal.SIG_DFL)
        os.kill(os.getpid(), app.ended_by)
    return app.return_code or 0


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


def _parse_size(text: str) -> tuple[int, int]:
    cols, sep, rows = text.lower().partition("x")
    digits = sep and cols.isascii() and rows.isascii() and cols.isdigit() and rows.isdigit()  # not "²" or "١٢"
    if not (digits and 20 <= int(cols) <= 1000 and 8 <= int(rows) <= 500):
        raise UsageError(f"lrtui: --size={text} is not allowed: COLSxROWS, 20 to 1000 columns and 8 to 500 rows, e.g. 120x40")
    return int(cols), int(rows)


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
    size = _parse_size(args.size)
    _check_output(args.output)
    start = app_start(args)
    keys = [k.strip() for k in args.press.split(",") if k.strip()]
    _check_keys(keys)
    from lrtui.ui.screenshot import take_screenshot

    take_screenshot(start, _app_options(args), Path(args.output), size, keys)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser, commands = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in commands:
            args = commands[argv[0]].parse_intermixed_args(argv[1:])
            args.command = argv[0]
        else:
            if argv and not argv[0].startswith("-") and "=" not in argv[0]:
                raise UsageError(f"lrtui: {argv[0]} is not a command: allowed " + ", ".join(commands)
                                 + ", or param=value pairs and options for the app (lrtui -h)")
            args = parser.parse_intermixed_args(argv)
            args.command = "app"
        if getattr(args, "plot", False) and args.format is not None:
            raise UsageError(f"lrtui {args.command}: --plot draws the curve, --format prints numbers: allowed one of them")
        if getattr(args, "ascii", False) and getattr(args, "plot", None) is False:
            raise UsageError(f"lrtui {args.command}: --ascii shapes a plot: allowed only with --plot")
        if hasattr(args, "format") and args.format is None:
            args.format = "table"
        if sys.stdout is None:  # started with stdout closed (>&-): nowhere to write a result
            print("lrtui: stdout is closed: nowhere to write the output", file=sys.stderr)
            return 1
        code = {"list": cmd_list, "curve": cmd_curve, "simulate": cmd_simulate, "screenshot": cmd_screenshot,
                "range-test": cmd_range_test, "code": cmd_code, "presets": cmd_presets,
                "app": cmd_app}[args.command](args)
        sys.stdout.flush()  # write errors (a full disk) surface here, not as a traceback at exit
        return code
    except (UsageError, ConfigError) as err:
        message = str(err)
        if not message.startswith("lrtui"):
            message = f"lrtui: {message}"
        print(one_line(message) if message else "lrtui: error", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print("lrtui: out of memory: try fewer epochs or a smaller problem (lrtui -h gives the limits)", file=sys.stderr)
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
