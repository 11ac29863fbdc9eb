"""Known pitfalls of a configuration, as one-line notes (the app shows them, the CLI prints them).

Nothing here is an error: each note describes something a run will do that its author probably did not
mean: a cosine that climbs again because T_max is shorter than the run, a horizon counted in steps on a
schedule that advances per epoch, a warmup that ends in a drop, a milestone the run never reaches.
"""

from __future__ import annotations

import numpy as np

from lrtui import schedules
from lrtui.schedules.stepping import writes_own_value
from lrtui.sim.config import Prepared, RunConfig, prepare

HORIZONS = ("T_max", "total_steps", "num_training_steps")


def tokens_to_steps(tokens: float, tokens_per_step: float) -> int:
    """Optimizer steps for a token budget: GPT-3's 375M-token warmup at 2^19 tokens a step is 715 steps."""
    return int(round(tokens / tokens_per_step))


def notes(config: RunConfig, prepared: Prepared | None = None, lr: np.ndarray | None = None) -> list[str]:
    """The pitfalls ``config`` walks into (empty when none); ``prepared`` is its validated form, if known, and
    ``lr`` its lr per epoch (a trace's: a composition of 64 members over 10^5 epochs takes 0.5 s to compute
    again)."""
    prepared = prepared or prepare(config)
    out: list[str] = []
    schedule, epochs = prepared.schedule, prepared.epochs
    if schedule.name == "plateau":
        if schedule.params["patience"] >= epochs:
            out.append(f"patience={schedule.params['patience']} is not shorter than the run ({epochs} epochs): "
                       "the plateau can never reduce the lr")
        return out
    warmup = schedule.params.get("warmup", 0) or 0
    if warmup < epochs:  # (else the one note is that the schedule never starts)
        _horizons(schedule.name, schedule.params, prepared, epochs - warmup, out, "")
    if schedule.name in ("sequential", "chained"):
        for i, (member, length) in enumerate(zip(schedule.params["schedulers"], _member_lengths(schedule, epochs))):
            params = schedules.get(member["name"])
            merged = {p.name: member["params"].get(p.name, p.default) for p in params.all_params}
            _horizons(member["name"], merged, prepared, length, out, f"schedulers[{i}].")
        for m in schedule.params.get("milestones", ()):
            if m >= epochs:
                out.append(f"milestone {m} is beyond the run ({epochs} epochs): the next member never starts")
    if lr is None or len(lr) != epochs:
        lr = schedule(np.arange(epochs))
    if warmup >= epochs:
        out.append(f"warmup={warmup} is not shorter than the run ({epochs} epochs): the schedule itself never starts")
    elif warmup and lr[warmup] < 0.9 * lr[warmup - 1]:
        out.append(f"the warmup ends in a drop: lr {lr[warmup - 1]:.3g} at epoch {warmup - 1}, then {lr[warmup]:.3g}")
    if schedule.name == "sequential":
        for m in schedule.params["milestones"]:
            if 0 < m < epochs and lr[m] < 0.5 * lr[m - 1]:
                out.append(f"the switch at milestone {m} drops the lr from {lr[m - 1]:.3g} to {lr[m]:.3g}")
    if schedule.name == "chained":
        _chain_notes(schedule, lr, out)
    if schedule.name == "wsd":
        _wsd_lengths(config.schedule.get("params", {}), schedule.params, out)
    if schedule.name == "onecycle":
        _onecycle_lengths(config.schedule.get("params", {}), schedule.params, out)
    if schedule.name == "multistep":
        ms = schedule.params["milestones"]
        beyond = sorted({m for m in ms if m >= epochs})
        if beyond:
            out.append(f"milestones {','.join(map(str, beyond))} are beyond the run ({epochs} epochs): never reached")
        if 0 in ms:
            out.append("milestone 0 applies at once: the run starts at lr * gamma")
    if schedule.name in ("cosine", "cosine_restarts") and schedule.params["eta_min"] >= schedule.params["lr"] > 0:
        out.append(f"eta_min={schedule.params['eta_min']:g} is not below lr={schedule.params['lr']:g}: "
                   "the cosine rises to eta_min instead of decaying")
    pp = prepared.problem_params
    if "batch_size" in pp and "n" in pp and pp["batch_size"] > pp["n"]:
        out.append(f"problem.batch_size={pp['batch_size']} is larger than problem.n={pp['n']}: every step uses the "
                   "whole dataset (full-batch gradient descent, no minibatch noise)")
    w = schedule.params.get("num_warmup_steps")
    if w is not None and w >= epochs:
        out.append(f"num_warmup_steps={w} is not shorter than the run ({epochs} epochs): the run is all warmup")
    return out


def _member_lengths(composition: schedules.Schedule, epochs: int) -> list[int]:
    """The epochs each member of a composition runs: all of them in a chain, its stretch in a sequential."""
    if composition.name == "chained":
        return [epochs] * len(composition.members)
    starts = [0] + list(composition.params["milestones"]) + [epochs]
    return [max(min(b, epochs) - a, 1) for a, b in zip(starts, starts[1:])]


def _chain_notes(chain: schedules.Schedule, lr: np.ndarray, out: list[str]) -> None:
    """A chain steps its members on one lr, in order: a member that writes its own value at every epoch makes
    the members before it count for nothing, and a linear ramp times a cosine is not warmup-then-cosine."""
    members = chain.members
    writers = [i for i, m in enumerate(members) if writes_own_value(m)]
    if writers and writers[-1] > 0:
        last = writers[-1]
        lost = ", ".join(f"schedulers[{j}] ({members[j].name})" for j in range(last))
        out.append(f"from epoch 1 on, {lost} {'has' if last == 1 else 'have'} no effect: schedulers[{last}] "
                   f"({members[last].name}) writes its own lr at every epoch")
    ramps = [m for m in members if m.name == "linear" and m.params["start_factor"] < m.params["end_factor"]]
    half = min((m.params["T_max"] for m in members if m.name == "cosine"), default=0)
    if ramps and half and lr.size:
        peak = int(np.argmax(lr[:half + 1]))
        out.append(f"linear x cosine in a chain is not a warmup then a cosine: the factors multiply, and over "
                   f"the cosine's first {half} epochs the lr peaks at {lr[peak]:.3g} (epoch {peak}), below "
                   f"lr={chain.params['lr']:g}; sequential runs one after the other")


def _horizons(name: str, params: dict, prepared: Prepared, epochs: int, out: list[str], where: str) -> None:
    """A horizon shorter or much longer than the ``epochs`` the schedule runs (the run less a warmup, or a
    sequential member's stretch), or counted in steps on a per-epoch schedule."""
    steps = prepared.steps_per_epoch
    for key in HORIZONS:
        h = params.get(key)
        if h is None:
            continue
        label = f"{where}{key}={h}"
        if steps > 1 and abs(h - epochs * steps) <= 0.1 * epochs * steps and h > epochs:
            out.append(f"{label} counts the run's steps ({epochs} epochs x {steps} steps), but the schedule advances "
                       f"once per epoch: it means {key}={epochs}")
        elif name == "cosine" and h < epochs:
            out.append(f"{label} is shorter than the {epochs} epochs it runs: the cosine climbs again after {h} of "
                       "them (torch does not clamp it)")
        elif name == "warmup_cosine" and h < epochs:
            out.append(f"{label} is shorter than the {epochs} epochs it runs: the cosine climbs again after {h} of "
                       "them (transformers does not clamp it)")
        elif name != "cosine" and key == "num_training_steps" and h < epochs:
            out.append(f"{label} is shorter than the {epochs} epochs it runs: the schedule's decay ends after {h}")
        elif h > 1.25 * epochs:
            out.append(f"{label} is longer than the {epochs} epochs it runs: the decay stops {100 * epochs / h:.0f}% "
                       "of the way (Chinchilla: overshooting the horizon by 25% already hurts)")


def _wsd_lengths(given: dict, params: dict, out: list[str]) -> None:
    """wsd given both num_training_steps and num_stable_steps that disagree: transformers warns and uses
    num_stable_steps, and so does lrtui; the note says so (and how long the schedule then is)."""
    total, stable = given.get("num_training_steps"), given.get("num_stable_steps")
    w, s, d = params["num_warmup_steps"], params["num_stable_steps"], params["num_decay_steps"]
    if total is not None and stable is not None and w + s + d != params["num_training_steps"]:
        out.append(f"both num_training_steps and num_stable_steps are specified: num_stable_steps will be used "
                   f"(transformers warns so): the schedule is {w} + {s} + {d} = {w + s + d} steps, not "
                   f"num_training_steps={params['num_training_steps']}")


def _onecycle_lengths(given: dict, params: dict, out: list[str]) -> None:
    """onecycle given total_steps and epochs * steps_per_epoch that disagree: torch uses total_steps."""
    e, s, total = params["epochs"], params["steps_per_epoch"], params["total_steps"]
    if given.get("total_steps") is not None and e is not None and s is not None and e * s != total:
        out.append(f"total_steps={total} and epochs * steps_per_epoch = {e * s} are both given: total_steps is "
                   "used, as torch's OneCycleLR does")
