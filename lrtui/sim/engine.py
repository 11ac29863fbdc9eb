"""The simulator: gradient descent under a schedule on a teaching problem, epoch by epoch.

This module holds lrtui's only epoch loop. :func:`simulate` runs one :class:`RunConfig`;
:func:`simulate_many` runs several, vectorized across the runs that share a problem, an optimizer and a
length (they may differ in schedule and seed). Each run gives a :class:`Trace`: per epoch t, the lr in
force, ``loss[t]`` at the parameters epoch t starts from (``loss[0]`` is the starting loss), the gradient
norm, the sharpness lambda_max and the stability bound c / lambda_max where known.

``plateau`` closes the loop: after each epoch, ReduceLROnPlateau sees the run's ``plateau_metric``: by
default the loss at the parameters the epoch ended with (what ``scheduler.step(loss)`` after an epoch sees);
``running`` is the mean loss over the epoch's steps (the training loss a loop logs), ``heldout`` the held-out
loss after the epoch (data problems).

Divergence is a result, not an error: a non-finite loss, or one above 1e6 * max(|loss[0]|, 1), stops the
run; ``diverged_at`` is that epoch and every per-epoch series but ``lr`` holds NaN after it. No numpy
warning escapes. The same configuration gives the same trace, bit for bit, whichever runs it shares a
batch with (each run draws from its own generator, seeded by its ``seed``).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Callable, Sequence

import numpy as np

from lrtui.schedules.plateau import Plateau
from lrtui.sim.config import FINAL_WINDOW, Prepared, RunConfig, Trace, prepare
from lrtui.sim.problems import Problem

DIVERGENCE_FACTOR = 1e6
NOISE_CHUNK = 256  # epochs of gradient noise drawn at once per run ...
NOISE_DRAWS = 65_536  # ... but no more steps than this at once (memory stays small with many steps per epoch)

PROGRESS_EVERY = 1024
"""Epochs between two calls of a simulation's progress callback."""

Progress = Callable[[int, int], None]
"""Told (epochs done, epochs in all) as a long simulation goes."""

def simulate(config: RunConfig | Prepared, progress: Progress | None = None) -> Trace:
    """Run one configuration (or one validated already); ``progress``, if given, is told how far it got
    every PROGRESS_EVERY epochs."""
    return simulate_many([config], progress)[0]


def simulate_with_lrs(prepared: Prepared, lrs: np.ndarray, progress: Progress | None = None) -> Trace:
    """Run one validated configuration with an explicit lr per epoch instead of its schedule (the lr
    range test's exponential ramp); ``progress`` as in :func:`simulate`."""
    lr = np.asarray(lrs, dtype=np.float64).reshape(1, -1)
    if lr.shape[1] != prepared.epochs:
        raise ValueError("one lr per epoch")
    return _run_group([prepared], lr, progress)[0]


def simulate_many(configs: Sequence[RunConfig | Prepared], progress: Progress | None = None) -> list[Trace]:
    """Run several configurations, vectorized across those that share problem, optimizer and length; a
    configuration over several seeds runs each of them (``seed``, ``seed + 1``, ...) and gives one trace of
    their mean (see :class:`~lrtui.sim.config.Trace`). One validated already (a :class:`Prepared`) is not
    validated again."""
    prepared = [c if isinstance(c, Prepared) else prepare(c) for c in configs]
    runs = [one for p in prepared for one in _seed_runs(p)]
    groups: dict[tuple, list[int]] = {}
    for i, p in enumerate(runs):
        groups.setdefault(p.group_key, []).append(i)
    traces: list[Trace | None] = [None] * len(runs)
    for indices in groups.values():
        for i, trace in zip(indices, _run_group([runs[i] for i in indices], progress=progress)):
            traces[i] = trace
    out, start = [], 0
    for p in prepared:
        out.append(_over_seeds(p, traces[start : start + p.seeds]))  # type: ignore[arg-type]
        start += p.seeds
    return out


def _seed_runs(p: Prepared) -> list[Prepared]:
    """The runs of one seed each that a configuration over ``p.seeds`` seeds is made of."""
    if p.seeds == 1:
        return [p]
    return [replace(p, seed=p.seed + i, seeds=1, config=replace(p.config, seed=p.seed + i, seeds=1))
            for i in range(p.seeds)]


def _over_seeds(p: Prepared, traces: list[Trace]) -> Trace:
    """One trace of a run over seeds: the mean loss and its 10th-90th percentile band per epoch, each seed's
    final loss (its mean over the run's last FINAL_WINDOW), the first seed's path; the mean ends where the
    first seed diverged."""
    if len(traces) == 1:
        return traces[0]
    first = traces[0]
    loss = np.stack([t.loss for t in traces])
    finals = np.array([t.final_loss for t in traces])
    with_final = np.concatenate([loss, finals[:, None]], axis=1)
    window = max(1, round(with_final.shape[1] * FINAL_WINDOW))
    diverged = [t.diverged_at for t in traces if t.diverged_at is not None]
    lo, hi = np.percentile(loss, [10, 90], axis=0)
    heldout = None if first.heldout_loss is None else np.mean([t.heldout_loss for t in traces], axis=0)
    return replace(
        first, config=p.config, loss=loss.mean(axis=0), heldout_loss=heldout, final_loss=float(finals.mean()),
        diverged_at=min(diverged) if diverged else None, seeds=len(traces), loss_lo=lo, loss_hi=hi,
        final_per_seed=with_final[:, -window:].mean(axis=1), diverged_seeds=len(diverged),
        final_params=first.final_params if not diverged else None)


class _Plateaus:
    """The runs of a group driven by ReduceLROnPlateau. Runs with the same settings and metric share one
    vectorized state; after each epoch they react to their metric (see ``plateau_metric``)."""

    def __init__(self, runs: list[Prepared]):
        groups: dict[tuple, list[int]] = {}
        for i, r in enumerate(runs):
            if isinstance(r.schedule, Plateau):
                groups.setdefault((tuple(sorted(r.schedule.params.items())), r.plateau_metric), []).append(i)
        self.groups = [
            (np.asarray(idx), runs[idx[0]].schedule, key[1], runs[idx[0]].schedule.init(len(idx)))
            for key, idx in groups.items()
        ]

    def __bool__(self) -> bool:
        return bool(self.groups)

    def lrs(self, lr: np.ndarray) -> None:
        """Write each plateau run's lr in force into ``lr`` (one column of the group's lr matrix)."""
        for idx, _, _, state in self.groups:
            lr[idx] = state.lr

    def update(self, metrics: dict[str, np.ndarray]) -> None:
        """React to the epoch just finished: ``metrics`` maps a metric name to one value per run."""
        self.groups = [(idx, p, kind, p.update(state, metrics[kind][idx])) for idx, p, kind, state in self.groups]


def _run_group(runs: list[Prepared], lr: np.ndarray | None = None, progress: Progress | None = None) -> list[Trace]:
    """Simulate runs that share problem, optimizer and length; ``lr`` (runs, epochs), when given, replaces
    their schedules (and then no plateau reacts)."""
    first = runs[0]
    plateaus = _Plateaus([] if lr is not None else runs)
    if lr is None:
        t_all = np.arange(first.epochs)
        curves: dict[int, np.ndarray] = {}  # the seeds of a run share its schedule: its curve is computed once

        def curve(r: Prepared) -> np.ndarray:
            if isinstance(r.schedule, Plateau):
                return np.full(first.epochs, np.nan)  # (it follows the loss: set epoch by epoch)
            if id(r.schedule) not in curves:
                curves[id(r.schedule)] = r.schedule(t_all)
            return curves[id(r.schedule)]

        lr = np.stack([curve(r) for r in runs])
    rngs = [np.random.default_rng(r.seed) for r in runs]
    run = _run_data if first.problem.kind == "data" else _run_analytic
    with np.errstate(all="ignore"):
        out = run(first, lr, rngs, plateaus, progress)
    return _traces(runs, lr, out)


def _divergence_limit(start_loss: np.ndarray) -> np.ndarray:
    return DIVERGENCE_FACTOR * np.maximum(np.abs(start_loss), 1.0)


def _first_bad(loss: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Per run, the first epoch whose loss is non-finite or above the limit (-1: none)."""
    bad = ~(np.isfinite(loss) & (loss <= limit[:, None]))
    return np.where(bad.any(axis=1), bad.argmax(axis=1), -1)


def _blew_up(problem: Problem, pp: dict[str, Any], xs: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Per run, whether the loss at any of the parameters ``xs`` (epochs, runs, dim) is non-finite or above
    the limit. A run stays diverged once it was (its trace ends there), though Adam's bounded steps, say,
    keep the parameters finite for ever."""
    f = problem.loss(xs.reshape(-1, xs.shape[2]), pp).reshape(xs.shape[0], xs.shape[1])
    return (~(np.isfinite(f) & (f <= limit))).any(axis=0)


def _run_analytic(run: Prepared, lr: np.ndarray, rngs: list, plateaus: _Plateaus,
                  progress: Progress | None = None) -> dict[str, Any]:
    """The step loop only moves x; losses, gradients and sharpness are evaluated afterwards for all
    epochs at once (vectorized), so a long run costs one optimizer update per step and little else."""
    problem, pp, opt, op = run.problem, run.problem_params, run.optimizer, run.optimizer_params
    n_runs, epochs, steps = lr.shape[0], run.epochs, run.steps_per_epoch
    x = np.tile(problem.start(pp).astype(np.float64), (n_runs, 1))
    dim = x.shape[1]
    sigma = pp["noise"] * (np.asarray(problem.noise_scale) if problem.noise_scale else 1.0)
    noisy = bool(np.any(sigma))
    xs = np.empty((epochs + 1, n_runs, dim))
    xs[0] = x
    state = opt.init(x)
    limit = _divergence_limit(problem.loss(x, pp))
    blown, checked = np.zeros(n_runs, dtype=bool), 0  # runs whose loss blew up in epochs before ``checked``
    chunk = max(1, min(NOISE_CHUNK, NOISE_DRAWS // steps))  # epochs of noise drawn at once, memory bounded
    reacting = bool(plateaus)  # (asked once: the loop below is most of a long run's time)
    grad, step = problem.grad, opt.step
    for t in range(epochs):
        if progress is not None and t % PROGRESS_EVERY == 0:
            progress(t, epochs)
        if reacting:
            plateaus.lrs(lr[:, t])
        lr_col = lr[:, t, None]
        if noisy and t % chunk == 0:
            noise = np.stack([rng.standard_normal((min(chunk, epochs - t), steps, dim)) for rng in rngs]) * sigma
        running = 0.0
        for k in range(steps):
            if reacting:
                running = running + problem.loss(x, pp)
            g = grad(x, pp)
            if noisy:
                g = g + noise[:, t % chunk, k]
            x, state = step(x, g, lr_col, state, op)
        xs[t + 1] = x
        if reacting:
            plateaus.update({"end": problem.loss(x, pp), "running": running / steps})
        if t % 64 == 63:
            blown |= _blew_up(problem, pp, xs[checked : t + 2], limit)
            checked = t + 2
            if blown.all():
                xs[t + 2 :] = np.nan  # every run blew up: nothing left to simulate (the traces end there)
                break
    flat = xs.reshape(-1, dim)
    f = problem.loss(flat, pp).reshape(epochs + 1, n_runs).T
    g = problem.grad(flat, pp)
    grad_norm = np.sqrt(np.sum(g * g, axis=1)).reshape(epochs + 1, n_runs).T
    sharp = problem.sharpness(flat, pp).reshape(epochs + 1, n_runs).T
    c = opt.stability_factor(op)
    curvature = sharp + op.get("weight_decay", 0.0)
    bound = np.where(curvature > 0, (c if c is not None else np.nan) / curvature, np.nan)
    return {
        "loss": f, "limit": limit, "grad_norm": grad_norm, "sharpness": sharp, "bound": bound,
        "params": xs.transpose(1, 0, 2) if dim <= 2 else None, "final_params": xs[-1], "heldout": None,
        "steps": steps,
    }


def _run_data(run: Prepared, lr: np.ndarray, rngs: list, plateaus: _Plateaus,
              progress: Progress | None = None) -> dict[str, Any]:
    """Minibatch training: the full-data loss (and its gradient norm) and the held-out loss are taken at
    the start of every epoch; an epoch is one pass in a fresh random order per run."""
    problem, pp, opt, op = run.problem, run.problem_params, run.optimizer, run.optimizer_params
    n_runs, epochs = lr.shape[0], run.epochs
    X, y, X_test, y_test = problem.data(pp)
    x = np.stack([problem.init(pp, rng) for rng in rngs]).astype(np.float64)
    batch, n = pp["batch_size"], pp["n"]
    steps = math.ceil(n / batch)
    X_all = np.broadcast_to(X, (n_runs,) + X.shape)
    y_all = np.broadcast_to(y, (n_runs,) + y.shape)
    f = np.full((n_runs, epochs + 1), np.nan)
    grad_norm = np.full((n_runs, epochs + 1), np.nan)
    heldout = np.full((n_runs, epochs + 1), np.nan)
    state = opt.init(x)
    limit = None
    running = np.zeros(n_runs)
    for t in range(epochs + 1):
        if progress is not None and t % max(1, PROGRESS_EVERY // steps) == 0:
            progress(t, epochs)
        f[:, t], g = problem.loss_grad(x, X_all, y_all, pp)
        grad_norm[:, t] = np.sqrt(np.sum(g * g, axis=1))
        heldout[:, t] = problem.loss(x, X_test, y_test, pp)
        if limit is None:
            limit = _divergence_limit(f[:, 0])
        x[~(np.isfinite(f[:, t]) & (f[:, t] <= limit))] = np.nan  # a run that blew up stops here
        if t == epochs or np.isnan(x).all():
            break
        if plateaus and t > 0:  # the epoch that just ended, seen from the state it left
            plateaus.update({"end": f[:, t], "heldout": heldout[:, t], "running": running / n})
        if plateaus:
            plateaus.lrs(lr[:, t])
        lr_col = lr[:, t, None]
        order = np.stack([rng.permutation(n) for rng in rngs])
        running = np.zeros(n_runs)
        for k in range(steps):
            idx = order[:, k * batch : (k + 1) * batch]
            f_batch, g = problem.loss_grad(x, X[idx], y[idx], pp)
            running += f_batch * idx.shape[1]
            x, state = opt.step(x, g, lr_col, state, op)
    nan = np.full_like(f, np.nan)
    return {
        "loss": f, "limit": limit, "grad_norm": grad_norm, "sharpness": nan, "bound": nan, "params": None,
        "final_params": x, "heldout": heldout, "steps": steps,
    }


def _traces(runs: list[Prepared], lr: np.ndarray, out: dict[str, Any]) -> list[Trace]:
    """Cut the per-epoch series at each run's divergence and package them."""
    epochs = lr.shape[1]
    first_bad = _first_bad(out["loss"], out["limit"])
    traces = []
    for i, run in enumerate(runs):
        d = int(first_bad[i]) if first_bad[i] >= 0 else None
        cut = epochs if d is None else d + 1  # values up to and including the divergence epoch are kept

        def series(a: np.ndarray | None) -> np.ndarray | None:
            if a is None:
                return None
            s = a[i, :epochs].copy()
            s[cut:] = np.nan
            return s

        lr_i = lr[i].copy()
        if isinstance(run.schedule, Plateau):
            lr_i[cut:] = np.nan
        traces.append(Trace(
            config=run.config, epoch=np.arange(epochs), lr=lr_i, loss=series(out["loss"]),
            grad_norm=series(out["grad_norm"]), sharpness=series(out["sharpness"]),
            stability_bound=series(out["bound"]), params=series(out["params"]), heldout_loss=series(out["heldout"]),
            final_loss=float(out["loss"][i, epochs]) if d is None else math.nan,
            final_params=out["final_params"][i].copy() if d is None else None,
            diverged_at=d, steps_per_epoch=out["steps"],
        ))
    return traces
