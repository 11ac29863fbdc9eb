"""A run or a schedule from the command line: param=value pairs, spec files, lengths with units, validation
(a one-line ConfigError or UsageError naming the bad parameter)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, Sequence

from lrtui.cli.parser import EPOCHS, RUN_DEFAULTS, UsageError
from lrtui.params import ConfigError, coerce
from lrtui.printable import cut
from lrtui.schedules import registry

if TYPE_CHECKING:  # the CLI imports the simulator only for the commands that need it
    from lrtui.sim.config import RunConfig

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


def split_assignments(tokens: Sequence[str]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
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
                f"lrtui: {key}={value} is not a parameter setting: "
                "allowed name=value, problem.name=value, optimizer.name=value"
            )
    return schedule, problem, optimizer


SPEC_MAX_BYTES = 1_000_000
"""A spec file is a few lines; anything longer than this is not one (and is not read into memory)."""
_STDIN: dict[str, bytes] = {}


def _read_spec(path: str) -> str:
    """The text of a spec file: a regular UTF-8 file of at most SPEC_MAX_BYTES (a byte-order mark allowed, as
    sessions allow it), or standard input for ``-``. A directory, a device (/dev/zero), a FIFO or a huge file
    is refused without reading it all (or waiting for a writer)."""
    from lrtui.io.files import FileRefused, read_bounded

    if path == "-":
        if "-" not in _STDIN:  # (read once: a command that looks at the spec twice sees it twice)
            _STDIN["-"] = sys.stdin.buffer.read(SPEC_MAX_BYTES + 1)
        if len(_STDIN["-"]) > SPEC_MAX_BYTES:
            raise UsageError(f"lrtui: the spec on standard input is more than {SPEC_MAX_BYTES:,} bytes: a spec is "
                             "at most that")
        return _decoded(_STDIN["-"], "on standard input")
    try:
        data = read_bounded(path, SPEC_MAX_BYTES)
    except FileRefused as refused:
        raise UsageError(f"lrtui: cannot read spec file {path}: {refused.detail}" if refused.reason == "os" else
                         f"lrtui: spec file {path} " + {
                             "directory": "is a directory: allowed a JSON or TOML file",
                             "special": "is not a regular file: allowed a JSON or TOML file",
                             "size": f"is more than {SPEC_MAX_BYTES:,} bytes: a spec is at most that"}[refused.reason]
                         ) from None
    return _decoded(data, f"file {path}")


def _decoded(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")  # an editor's byte-order mark is no reason to refuse a file
    except UnicodeDecodeError:
        raise UsageError(f"lrtui: spec {where} is not UTF-8 text: allowed a JSON or TOML file") from None


def load_spec(path: str) -> dict[str, Any]:
    """A schedule spec from a JSON or TOML file (``{"name": ..., "params": {...}}``)."""
    text = _read_spec(path)
    from lrtui.io.documents import DocumentError, parse_document

    kind = "TOML" if path.endswith(".toml") or (path == "-" and not text.lstrip().startswith("{")) else "JSON"
    try:
        data = parse_document(text, kind)
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


def schedule_words(args: argparse.Namespace) -> tuple[str | None, list[str]]:
    """The schedule's name and the param=value pairs, from a command that takes the name first or as
    --schedule NAME (then the first word is a pair), or with a --spec file (then a first word with = is one)."""
    tokens = list(args.assignments)
    name = args.name
    if args.schedule_option is not None:  # --schedule NAME, as simulate and the app take it
        if name is not None:
            tokens.insert(0, name)  # then the first word is a param=value pair
        name = args.schedule_option
    if args.spec is not None and name is not None and "=" in name:
        tokens.insert(0, name)
        name = None
    return name, tokens


def schedule_spec(args: argparse.Namespace) -> dict[str, Any]:
    """The schedule a name, param=value pairs and an optional --spec file describe."""
    name, tokens = schedule_words(args)
    if args.spec is not None:
        spec = load_spec(args.spec)
        if name is not None and name != spec["name"]:
            raise UsageError(f"lrtui: {name} is neither the spec file's schedule ({spec['name']}) "
                             "nor a param=value pair")
        return {"name": spec["name"], "params": {**spec.get("params", {}), **parse_assignments(tokens)}}
    if name is None:
        raise UsageError(f"lrtui {args.command}: a schedule name is required (see lrtui list), or --spec FILE")
    return {"name": name, "params": parse_assignments(tokens)}


def run_config(args: argparse.Namespace, default_schedule: dict[str, Any] | None = None,
               max_epochs: int | None = None) -> "RunConfig":
    """The run the options describe, validated (ConfigError names the bad parameter)."""
    from lrtui.sim.config import RunConfig

    tokens, schedule = list(args.assignments), args.schedule
    if tokens and "=" not in tokens[0] and schedule is None and args.spec is None:
        schedule = tokens.pop(0)  # the name first, as curve and code take it (lrtui simulate cosine T_max=50)
    schedule_params, problem_params, optimizer_params = split_assignments(tokens)
    if args.spec is not None:
        spec = load_spec(args.spec)
        if schedule not in (None, spec["name"]):
            raise UsageError(f"lrtui: --schedule {schedule} does not match the spec file's {spec['name']}")
        spec = {"name": spec["name"], "params": {**spec.get("params", {}), **schedule_params}}
    elif schedule is None and default_schedule is not None:
        spec = {"name": default_schedule["name"], "params": {**default_schedule["params"], **schedule_params}}
    else:
        spec = {"name": schedule or "constant", "params": schedule_params}
    run = {name: RUN_DEFAULTS[name] if getattr(args, name) is None else getattr(args, name) for name in RUN_DEFAULTS}
    config = RunConfig(schedule=spec, problem_params=problem_params, optimizer_params=optimizer_params, **run)
    typed = set(schedule_params) if args.spec is None else None  # a spec file's horizon is kept as it is
    try:
        return validated(config, horizon_kept=typed, max_epochs=max_epochs)
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
        if not message.startswith(f"{cut(key)} is not a parameter of"):
            continue
        for section, table, name in (("problem", PROBLEMS, config.problem),
                                     ("optimizer", OPTIMIZERS, config.optimizer)):
            owner = table.get(name)
            if owner is not None and key in {p.name for p in owner.params}:
                return f" (the {section}'s: {section}.{key}={value})"
    return ""


def validated(config: "RunConfig", horizon_kept: set[str] | None = None, max_epochs: int | None = None) -> "RunConfig":
    """The run with its lengths in epochs and its values typed as the engine reads them; unless
    ``horizon_kept`` is None, the schedule's horizon follows the run's length except those named in it.
    ``max_epochs``: the longest run the caller shows (the app's), named in the message of a length outside it."""
    from dataclasses import replace

    from lrtui.sim.config import SEEDS, RunConfig, prepare
    from lrtui.sim.units import Units

    # lengths typed with a unit ("375M tokens") become epochs: the units come from the run without its
    # schedule and length (a data problem's epoch is its own number of minibatches)
    units = Units.of(prepare(replace(config, schedule={"name": "constant", "params": {}}, epochs=1)))
    spec = config.schedule
    config = replace(config, schedule={"name": spec["name"], "params": in_epochs(spec["params"], units)},
                     epochs=units.to_epochs("epochs", config.epochs))
    if max_epochs is not None:
        config = replace(config, epochs=coerce(replace(EPOCHS, high=max_epochs), config.epochs))
    if horizon_kept is not None:
        config = _horizon_follows(config, horizon_kept)
    prepared = prepare(config)
    # the prepared values are typed (ints, floats), so the app and tests compare like with like
    return RunConfig(
        schedule=config.schedule, problem=config.problem, problem_params=config.problem_params,
        optimizer=config.optimizer, optimizer_params=config.optimizer_params, epochs=prepared.epochs,
        seed=prepared.seed, seeds=coerce(SEEDS, config.seeds),
        steps_per_epoch=prepared.steps_per_epoch, plateau_metric=prepared.plateau_metric,
        batch_size=prepared.batch_size, tokens_per_step=prepared.tokens_per_step,
    )


def curve_units(args: argparse.Namespace):
    """The time units of ``lrtui curve``, whose epochs are steps: samples and tokens per step as set."""
    from lrtui.sim.config import RUN_PARAMS
    from lrtui.sim.units import Units

    decl = {p.name: p for p in RUN_PARAMS}
    return Units(1, coerce(decl["batch_size"], args.batch_size), coerce(decl["tokens_per_step"], args.tokens_per_step))


def in_epochs(params: dict[str, Any], units) -> dict[str, Any]:
    """Lengths typed with a unit ("375M tokens") as epochs."""
    return {k: units.to_epochs(k, v) for k, v in params.items()}
