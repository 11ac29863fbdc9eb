"""Side by side: a short description of each run and the numbers its scoreboard row shows.

The scoreboard of a comparison gives, per run: final and best loss, the first epoch whose loss is at or
below a target (``epochs to target``), the epoch it diverged at, the Robbins-Monro sums Σlr and Σlr² over
the run, and the peak and final lr. No Textual here: the app and the tests read the same :class:`Score`.

A noisy run (gradient noise, minibatches) is compared by statistics, never by one sample. It runs over
several seeds (``seeds``) and its trace is their mean: its final loss is the mean over seeds of each
seed's mean over the last :data:`FINAL_WINDOW` of the run, with the standard error of that mean across
seeds; its best loss the lowest trailing mean of the mean curve over such a stretch; its epochs to target
the first epoch from which that trailing mean stays at or below the target (a noisy dip is not a hit).
Runs whose intervals (final +- 2 standard errors) overlap share a rank, shown with ≈ (:func:`ranks`). One
sample of a noisy loss can put a constant lr below a decaying one that is in truth ten times lower (T4).
"""

from __future__ import annotations

import re

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from lrtui import schedules
from lrtui.analysis.smoothing import trailing_mean
from lrtui.params import ConfigError, Param, coerce, format_value
from lrtui.sim.config import FINAL_WINDOW, Prepared, RunConfig, Trace
from lrtui.sim.optimizers import OPTIMIZERS

AUTO_SMOOTHING = 0.9
"""The EMA weight the loss plot's smoothing ``auto`` (lrtui.app_settings.SMOOTHING) means on a noisy run."""


def smoothing_weight(setting: str, noisy: bool) -> float:
    """The EMA weight a smoothing setting means for a run: ``auto`` is AUTO_SMOOTHING on a noisy run, 0 else."""
    if setting == "auto":
        return AUTO_SMOOTHING if noisy else 0.0
    return 0.0 if setting == "off" else float(setting)


SHARED_FIELDS = ("problem", "problem_params", "seed", "seeds", "steps_per_epoch")
"""What pinned runs share with the current run: a change to one of these re-runs them all."""


def describe(config: RunConfig, *, defaults: RunConfig | None = None, beside: Iterable[RunConfig] = ()) -> str:
    """A run in a few words: the schedule and the parameters set on it, the optimizer where it is not
    plain SGD (and anything else that differs from ``defaults``, such as the epochs). Values are the ones the
    run uses: text typed on the command line as its number, a nested schedule with its members' parameters
    that differ from their defaults.

    ``beside``: the runs it is shown with. A parameter one of them sets (on the same schedule or optimizer)
    is named here too, with this run's value, its default where it sets none; so are the optimizer and the
    epochs where one of them has others. Runs side by side then read differently exactly where the values
    they use differ (:func:`distinguish` keeps those words).

    >>> describe(RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100, "warmup": 5}}))
    'cosine lr=0.1 T_max=100 +warmup 5'
    >>> describe(RunConfig(schedule={"name": "constant", "params": {}}, optimizer="momentum",
    ...                    optimizer_params={"momentum": 0.5}))
    'constant, momentum=0.5'
    >>> describe(RunConfig(optimizer="adam", optimizer_params={"beta2": 0.98}))
    'constant, adam beta2=0.98'
    >>> warmup = lambda **params: RunConfig(schedule={"name": "warmup_cosine", "params": params})
    >>> describe(warmup(), beside=[warmup(num_warmup_steps=0)])
    'warmup_cosine num_warmup_steps=10'
    """
    beside = list(beside)
    name, declared = config.schedule["name"], _schedule_params(config.schedule["name"])
    same = [c.schedule.get("params", {}) for c in beside if c.schedule.get("name") == name]
    params = _named(declared, config.schedule.get("params", {}), same)
    warmup, start = params.pop("warmup", 0), params.pop("warmup_start_factor", None)
    words = [name] + [f"{k}={_short(v)}" for k, v in params.items()]
    theirs = [_effective(declared["warmup"], given) for given in same] if "warmup" in declared else []
    if warmup or any(w != warmup for w in theirs):  # no warmup is worth saying only beside a run that has one
        words.append(f"+warmup {_short(warmup)}" + (f" from {_short(start)}" if warmup and start else ""))
    if name == "plateau" and any(c.schedule.get("name") == name and c.plateau_metric != config.plateau_metric
                                 for c in beside):
        words.append(f"plateau_metric={config.plateau_metric}")
    text = " ".join(words)
    optimizer_params = _named(_optimizer_params(config.optimizer), config.optimizer_params,
                              [c.optimizer_params for c in beside if c.optimizer == config.optimizer])
    optimizer = [f"{k}={_short(v)}" for k, v in optimizer_params.items()]
    if list(optimizer_params) != [config.optimizer]:  # "momentum=0.5" says the optimizer too
        optimizer.insert(0, config.optimizer)
    if optimizer != ["sgd"] or any(c.optimizer != config.optimizer for c in beside):
        text += ", " + " ".join(optimizer)
    if (defaults is not None and config.epochs != defaults.epochs) or any(c.epochs != config.epochs for c in beside):
        text += f", {config.epochs} epochs"
    return text


_PHRASE = re.compile(r"\+warmup \S+(?: from \S+)?|\d+ epochs|\S+")
"""A description's words, a warmup and the epochs whole (see :func:`describe`)."""


def distinguish(descriptions: list[str]) -> list[str]:
    """Descriptions of runs side by side without the words all of them share (the schedule's name when
    every run has it): what tells them apart comes first and survives a narrow column. A run none of whose
    words is its own reads "(the same)": it is the same run (see :func:`describe`'s ``beside``).

    >>> distinguish(["constant lr=0.6, momentum=0.5", "constant lr=0.6, momentum=0.25", "constant lr=0.4"])
    ['lr=0.6, momentum=0.5', 'lr=0.6, momentum=0.25', 'lr=0.4']
    >>> distinguish(["cosine +warmup 5, 100 epochs", "cosine +warmup 10, 100 epochs"])
    ['+warmup 5', '+warmup 10']
    """
    if len(descriptions) < 2:
        return descriptions
    split = [[_PHRASE.findall(part) for part in d.split(", ")] for d in descriptions]  # (a list's commas stay)
    shared = set.intersection(*({w for part in parts for w in part} for parts in split))
    out = []
    for parts in split:
        kept = (" ".join(w for w in part if w not in shared) for part in parts)
        out.append(", ".join(part for part in kept if part) or "(the same)")
    return out


def _schedule_params(name: str) -> dict[str, Param]:
    """The schedule's declared parameters by name (none for a name that is not a schedule's)."""
    try:
        return {p.name: p for p in schedules.get(name).all_params}
    except ConfigError:
        return {}


def _optimizer_params(name: str) -> dict[str, Param]:
    optimizer = OPTIMIZERS.get(name)
    return {p.name: p for p in optimizer.params} if optimizer is not None else {}


def _named(declared: dict[str, Param], given: dict[str, Any], others: list[dict[str, Any]]) -> dict[str, Any]:
    """The parameters ``given`` sets or one of ``others`` does, in their declared order, each with the value
    this run uses: typed, its default where it is not given."""
    names = [n for n in declared if n in given or any(n in o for o in others)]
    names += [n for n in given if n not in declared]  # (a run that cannot run: said as given)
    return {n: _effective(declared[n], given) if n in declared else given[n] for n in names}


def _effective(param: Param, given: dict[str, Any]) -> Any:
    """The value of ``param`` a run given ``given`` uses: typed (text typed as a number is the number), the
    default where it is not given; as given where it is not valid (a run that cannot run)."""
    if param.name not in given:
        return param.default
    try:
        return coerce(param, given[param.name])
    except ConfigError:
        return given[param.name]


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, dict):  # a nested spec (sequential members)
        return _member(v)
    if isinstance(v, (list, tuple)) and v and isinstance(v[0], dict):
        return "[" + ",".join(_member(m) for m in v) + "]"
    return format_value(v)


def _member(spec: Any) -> str:
    """A nested schedule in one word: its name and the parameters it sets to other values than their
    defaults, ``cosine(T_max=95)`` (two members that run the same read the same)."""
    if not isinstance(spec, dict):
        return format_value(spec)
    name = spec.get("name", "?")
    declared = _schedule_params(name)
    given = spec.get("params") or {}
    params = {k: v for k, v in _named(declared, given if isinstance(given, dict) else {}, []).items()
              if k not in declared or not _same(v, declared[k].default)}
    return name + (f"({','.join(f'{k}={_short(v)}' for k, v in params.items())})" if params else "")


def _same(a: Any, b: Any) -> bool:
    """Whether two parameter values are the same (a list as its tuple)."""
    norm = lambda v: tuple(v) if isinstance(v, list) else v  # noqa: E731
    return norm(a) == norm(b)


@dataclass(frozen=True)
class Score:
    """One run's row of the scoreboard. Losses are None when the run had none to give (diverged at 0).
    ``final_se`` is the standard error across seeds of a run over several seeds' final loss (None for one
    seed); ``seeds`` how many; ``heldout_loss`` the final held-out loss of a data problem (None elsewhere)."""

    final_loss: float | None
    best_loss: float | None
    epochs_to_target: int | None
    diverged_at: int | None
    sum_lr: float
    sum_lr2: float
    peak_lr: float
    final_lr: float
    final_se: float | None = None
    heldout_loss: float | None = None
    seeds: int = 1


def is_noisy(prepared: Prepared) -> bool:
    """The run's gradients carry noise (an analytic problem with noise > 0): its loss is drawn smoothed and
    compared by statistics over windows, not by single samples."""
    return prepared.problem.kind == "analytic" and prepared.problem_params.get("noise", 0) > 0


def score(trace: Trace, target: float, noisy: bool = False) -> Score:
    """The scoreboard numbers of a trace.

    ``loss[t]`` is the loss at the start of epoch t and ``final_loss`` after the last one, so "epochs to
    target" is the first t with ``loss[t] <= target`` (``len`` when only the final loss reaches it).
    Σlr and Σlr² sum the lr over the epochs the run took: up to the divergence, whose loss[d] came from
    the update at lr[d - 1] (``diverged_at == epochs``: the last update blew up, all of the run counts).
    ``noisy`` (and any run over several seeds): final, best and to target are read over windows of
    :data:`FINAL_WINDOW` of the run, and a run over several seeds gives its standard error (see the
    module's note).
    """
    noisy = noisy or trace.final_per_seed is not None
    losses = np.append(trace.loss, trace.final_loss)
    finite = np.isfinite(losses)
    reached = np.flatnonzero(finite & (losses <= target))
    lr = np.nan_to_num(trace.lr[: trace.diverged_at])  # loss[d] blew up: lr[d] was never applied
    final = float(trace.final_loss) if np.isfinite(trace.final_loss) else None
    best = float(losses[finite].min()) if finite.any() else None
    se = None
    if noisy and final is not None:
        window = max(1, round(len(losses) * FINAL_WINDOW))
        means = trailing_mean(losses, window)
        final = float(np.mean(losses[-window:]))
        if trace.final_per_seed is not None:  # the mean of the seeds' own final means: the same number
            final = float(np.mean(trace.final_per_seed))
            se = float(np.std(trace.final_per_seed, ddof=1) / np.sqrt(len(trace.final_per_seed)))
        best = float(np.nanmin(means[window - 1:])) if np.isfinite(means[window - 1:]).any() else best
        above = np.flatnonzero(~(means <= target))  # the smoothed mean reached the target and stayed there
        reached = np.arange(above[-1] + 1 if len(above) else 0, len(losses))
    heldout = None
    if trace.heldout_loss is not None and final is not None and np.isfinite(trace.heldout_loss[-1]):
        heldout = float(trace.heldout_loss[-1])
    return Score(
        final_loss=final,
        best_loss=best,
        epochs_to_target=int(reached[0]) if len(reached) else None,
        diverged_at=trace.diverged_at,
        sum_lr=float(lr.sum()),
        sum_lr2=float((lr * lr).sum()),
        peak_lr=float(lr.max()) if len(lr) else 0.0,
        final_lr=float(lr[-1]) if len(lr) else 0.0,
        final_se=se,
        heldout_loss=heldout,
        seeds=trace.seeds,
    )


def ranks(scores: list[Score | None]) -> list[str]:
    """Each run's rank by final loss (1 is the lowest), as the scoreboard shows it: runs whose intervals
    (final +- 2 standard errors across seeds) overlap a run ranked next to them share its rank and show
    ``≈`` (their order is not known); a run without a final loss (diverged) has no rank.

    >>> s = lambda final, se: Score(final, final, None, None, 0.0, 0.0, 0.0, 0.0, final_se=se, seeds=16)
    >>> ranks([s(0.5, 0.01), s(0.1, 0.01), s(0.12, 0.01), None])
    ['3', '≈1', '≈1', '-']
    """
    order = sorted((i for i, sc in enumerate(scores) if sc is not None and sc.final_loss is not None),
                   key=lambda i: scores[i].final_loss)  # type: ignore[union-attr]
    shown = ["-"] * len(scores)
    groups: list[list[int]] = []
    reach = -np.inf  # the highest upper end of the group so far
    for i in order:
        sc = scores[i]
        half = 2 * (sc.final_se or 0.0)  # type: ignore[union-attr]
        if groups and sc.final_loss - half <= reach:  # type: ignore[union-attr, operator]
            groups[-1].append(i)
        else:
            groups.append([i])
        reach = max(reach, sc.final_loss + half)  # type: ignore[union-attr, operator]
    rank = 1
    for group in groups:
        for i in group:
            shown[i] = f"≈{rank}" if len(group) > 1 else str(rank)
        rank += len(group)
    return shown


def default_target(trace: Trace) -> float:
    """1% of the run's starting loss: what "to target" counts to when no target is set."""
    start = float(trace.loss[0]) if np.isfinite(trace.loss[0]) else 1.0
    return abs(start) * 0.01


def follow(pinned: RunConfig, current: RunConfig) -> RunConfig:
    """A pinned run moved onto the current run's problem and seed (:data:`SHARED_FIELDS`)."""
    return replace(pinned, **{name: getattr(current, name) for name in SHARED_FIELDS})
