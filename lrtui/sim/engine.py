"""The simulator: gradient descent under a schedule on a teaching problem, epoch by epoch.

This module holds lrtui's only epoch loop. :func:`simulate` runs one :class:`RunConfig`;
:func:`simulate_many` runs several, vectorized across the runs that share a problem, an optimizer and a
length (they may differ in schedule and seed). Each run gives a :class:`Trace`: per epoch t, the lr in
force, ``loss[t]`` at the parameters epoch t starts from (``loss[0]`` is the starting loss), the gradient
norm, the sharpness lambda_max and the stability bound c / lambda_max where known. The parameters are those a
user evaluates (:meth:`~lrtui.sim.optimizers.Optimizer.shown`): schedule-free's eval-mode x, not the y its
gradients are taken at.

``plateau`` closes the loop: after each epoch, ReduceLROnPlateau sees the run's ``plateau_metric``: by
default the loss at the parameters the epoch ended with (what ``scheduler.step(loss)`` after an epoch sees);
``running`` is the mean loss over the epoch's steps (the training loss a loop logs), ``heldout`` the held-out
loss after the epoch (data problems).

Divergence is a result, not an error: a non-finite loss, or one above 1e6 * max(|loss[0]|, 1), stops the
run; ``diverged_at`` is that epoch and every per-epoch series but ``lr`` holds NaN after it. No numpy
warning escapes. The same configuration gives the same trace, bit for bit, whichever runs it shares a
batch with (each run draws from its own generator, seeded by its ``seed``).

Memory grows with the configurations, not with their seeds: a group's runs are recorded a stretch of epochs at
a time (:class:`_Record`), which keeps each configuration's first seed's series and the statistics over its
seeds, never a series per seed (256 seeds of 100,000 epochs: 55 MB at peak, not 3 GB).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Callable, Sequence

import numpy as np

from lrtui.schedules.plateau import Plateau
from lrtui.sim.config import Prepared, RunConfig, Trace, prepare

DIVERGENCE_FACTOR = 1e6
NOISE_CHUNK = 256  # epochs of gradient noise drawn at once per run ...
NOISE_DRAWS = 65_536  # ... but no more steps than this at once (memory stays small with many steps per epoch)

PROGRESS_EVERY = 1024
"""Epochs between two calls of a simulation's progress callback."""

Progress = Callable[[int, int], None]
"""Told (epochs done, epochs in all) as a long simulation goes."""

def simulate(config: RunConfig | Prepared, progress: Progress | None = None) -> Trace:
    """Run one configuration (or one validated already); ``progress``, if given, is told how far it got
    every PROGRESS_EVERY epochs (a data problem: every epoch)."""
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
    groups: dict[tuple, list[int]] = {}
    for i, p in enumerate(prepared):
        groups.setdefault(p.group_key, []).append(i)
    traces: list[Trace | None] = [None] * len(prepared)
    for group in groups.values():
        for indices in batches(group, [prepared[i].epochs * prepared[i].seeds for i in group]):
            for i, trace in zip(indices, _run_group([prepared[i] for i in indices], progress=progress)):
                traces[i] = trace
    return traces  # type: ignore[return-value]


BATCH_SEED_EPOCHS = 2**23
"""The most seed-epochs run at once (beyond one configuration): larger runs of a group go a few at a time.
Many seeds already fill numpy's arrays, so nothing is gained, and each run's record costs memory while it
runs: six pinned 100,000-epoch runs over 256 seeds run again with the current one peaked at 145 MB together,
95 MB one at a time, for 13% more time; seven runs of one seed are 4.6x faster together."""


def batches(indices: list, sizes: list[int], most: int | None = None) -> list[list]:
    """``indices`` in order, cut where a batch's ``sizes`` would add up past ``most`` (by default
    :data:`BATCH_SEED_EPOCHS`); one larger than ``most`` alone."""
    most = BATCH_SEED_EPOCHS if most is None else most
    cut: list[list] = [[]]
    total = 0
    for i, size in zip(indices, sizes):
        if cut[-1] and total + size > most:
            cut.append([])
            total = 0
        cut[-1].append(i)
        total += size
    return cut


def _seed_runs(p: Prepared) -> list[Prepared]:
    """The runs of one seed each that a configuration over ``p.seeds`` seeds is made of."""
    if p.seeds == 1:
        return [p]
    return [replace(p, seed=p.seed + i, seeds=1, config=replace(p.config, seed=p.seed + i, seeds=1))
            for i in range(p.seeds)]


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


def _run_group(configs: list[Prepared], lr: np.ndarray | None = None,
               progress: Progress | None = None) -> list[Trace]:
    """Simulate configurations that share problem, optimizer and length, each over its seeds (all their runs
    at once); ``lr`` (configurations, epochs), when given, replaces their schedules (and then no plateau
    reacts)."""
    first = configs[0]
    runs = [one for p in configs for one in _seed_runs(p)]
    plateaus = _Plateaus([] if lr is not None else runs)
    if lr is None:
        t_all = np.arange(first.epochs)
        curves: dict[int, np.ndarray] = {}  # configurations may share a schedule: its curve is computed once

        def curve(p: Prepared) -> np.ndarray:
            if isinstance(p.schedule, Plateau):
                return np.full(first.epochs, np.nan)  # (it follows the loss: set epoch by epoch)
            if id(p.schedule) not in curves:
                curves[id(p.schedule)] = p.schedule(t_all)
            return curves[id(p.schedule)]

        lr = np.stack([curve(p) for p in configs])
    record = _Record(configs, lr)
    rngs = [np.random.default_rng(r.seed) for r in runs]
    run = _run_data if first.problem.kind == "data" else _run_analytic
    with np.errstate(all="ignore"):
        run(first, record, rngs, plateaus, progress)
    return record.traces(configs)


class _Lrs:
    """The lr in force for every run of a group, a chunk of CHUNK epochs at a time (epochs from 0 in order),
    gathered from one row per configuration (a run over 256 seeds holds one row, not 256); the lr a plateau
    sets for a configuration's first seed is written back to its row, which its trace shows."""

    CHUNK = 256

    def __init__(self, record: "_Record"):
        self.rows, self.of_run, self.firsts = record.lr, record.of_run, record.firsts
        self.start, self.chunk = 0, np.empty((len(self.of_run), 0))

    def chunk_at(self, t: int) -> np.ndarray:
        """The runs' lr at epochs t .. t + CHUNK - 1 (runs, epochs), which a plateau may write into."""
        self.done()
        self.start, self.chunk = t, self.rows[self.of_run, t : t + self.CHUNK]
        return self.chunk

    def done(self) -> None:
        """Keep the plateaus' lr of the chunk so far (its first seeds')."""
        if self.chunk.shape[1]:
            self.rows[:, self.start : self.start + self.chunk.shape[1]] = self.chunk[self.firsts]


class _Record:
    """What a group's runs leave, filled a stretch of epochs at a time, so memory grows with the
    configurations, not their seeds: for each configuration, its first seed's lr, gradient norm, sharpness,
    stability bound and path, and over all its seeds the mean loss (and held-out loss), its 10th-90th
    percentile band, and each seed's sum over the final window; per run, where it blew up and its final loss.
    Every series of a run holds NaN after the epoch it blew up (``diverged_at``)."""

    def __init__(self, configs: list[Prepared], lr: np.ndarray):
        first = configs[0]
        self.epochs = epochs = first.epochs
        seeds = [p.seeds for p in configs]
        self.blocks = np.cumsum([0, *seeds])
        self.firsts = self.blocks[:-1]
        self.of_run = np.repeat(np.arange(len(configs)), seeds)
        n_runs, n = int(self.blocks[-1]), len(configs)
        self.lr = lr.copy()
        self.limit: np.ndarray | None = None
        self.first_bad = np.full(n_runs, -1)
        self.final = np.full(n_runs, np.nan)
        self.window = np.repeat([min(p.final_values, epochs + 1) for p in configs], seeds)  # per run
        self.window_start = epochs + 1 - self.window
        self.window_sum = np.zeros(n_runs)
        columns = epochs + 1
        self.loss = np.full((n, columns), np.nan)
        banded = any(k > 1 for k in seeds)
        self.lo = np.full((n, columns), np.nan) if banded else None
        self.hi = np.full((n, columns), np.nan) if banded else None
        self.heldout = np.full((n, columns), np.nan) if first.problem.kind == "data" else None
        self.grad_norm = np.full((n, columns), np.nan)
        self.sharpness = np.full((n, columns), np.nan)
        self.bound = np.full((n, columns), np.nan)
        self.params: np.ndarray | None = None
        self.final_params: np.ndarray | None = None
        self.steps = first.steps_per_epoch

    @property
    def blown(self) -> np.ndarray:
        """Per run, whether its loss blew up (non-finite, or above the limit) in the epochs recorded."""
        return self.first_bad >= 0

    def losses(self, t0: int, loss: np.ndarray, heldout: np.ndarray | None = None) -> None:
        """The losses (runs, k) at epochs t0 .. t0 + k - 1 (epoch ``epochs`` is the final one), in order: a
        run's first bad epoch is found, its later values become NaN, then each configuration's are taken over
        its seeds."""
        k = loss.shape[1]
        bad = ~(np.isfinite(loss) & (loss <= self.limit[:, None]))
        new = ~self.blown & bad.any(axis=1)
        self.first_bad[new] = t0 + bad[new].argmax(axis=1)
        after = self.blown[:, None] & (np.arange(t0, t0 + k)[None, :] > self.first_bad[:, None])
        if after.any():
            loss = np.where(after, np.nan, loss)
            heldout = None if heldout is None else np.where(after, np.nan, heldout)
        if t0 + k == self.epochs + 1:  # the final loss: NaN for a run that blew up, even at the last epoch
            self.final = np.where(self.blown, np.nan, loss[:, -1])
        w0 = max(t0, int(self.window_start.min()))
        if w0 < t0 + k:
            inside = np.arange(w0, t0 + k)[None, :] >= self.window_start[:, None]
            part = loss[:, w0 - t0 :]
            self.window_sum += (part if inside.all() else np.where(inside, part, 0.0)).sum(axis=1)
        for b, (start, stop) in enumerate(zip(self.blocks[:-1], self.blocks[1:])):
            block = loss[start:stop]
            if stop - start == 1:
                self.loss[b, t0 : t0 + k] = block[0]
                if heldout is not None:
                    self.heldout[b, t0 : t0 + k] = heldout[start]
                continue
            self.loss[b, t0 : t0 + k] = block.mean(axis=0)
            self.lo[b, t0 : t0 + k], self.hi[b, t0 : t0 + k] = np.percentile(block, [10, 90], axis=0)
            if heldout is not None:
                self.heldout[b, t0 : t0 + k] = heldout[start:stop].mean(axis=0)

    def first_seeds(self, t0: int, params: np.ndarray, problem, pp: dict, stability_factor: float | None,
                    weight_decay: float) -> None:
        """The first seeds' parameters (k, configurations, dim) at epochs t0 .. t0 + k - 1: their gradient
        norm, sharpness, stability bound c / (lambda_max + weight decay), and their path where dim <= 2."""
        k, n, dim = params.shape
        flat = params.reshape(-1, dim)
        g = problem.grad(flat, pp)
        self.grad_norm[:, t0 : t0 + k] = np.sqrt(np.sum(g * g, axis=1)).reshape(k, n).T
        sharp = problem.sharpness(flat, pp).reshape(k, n).T
        self.sharpness[:, t0 : t0 + k] = sharp
        curvature = sharp + weight_decay
        c = stability_factor if stability_factor is not None else np.nan
        self.bound[:, t0 : t0 + k] = np.where(curvature > 0, c / curvature, np.nan)
        if dim <= 2:
            if self.params is None:
                self.params = np.full((n, self.epochs + 1, dim), np.nan)
            self.params[:, t0 : t0 + k] = params.transpose(1, 0, 2)

    def grad_norms(self, t0: int, grad_norm: np.ndarray) -> None:
        """The first seeds' gradient norms (configurations, k) at epochs t0 .. t0 + k - 1 (data problems)."""
        self.grad_norm[:, t0 : t0 + grad_norm.shape[1]] = grad_norm

    def traces(self, configs: list[Prepared]) -> list[Trace]:
        """One trace per configuration (see :class:`~lrtui.sim.config.Trace`)."""
        epochs, out = self.epochs, []
        for b, p in enumerate(configs):
            start, stop = int(self.blocks[b]), int(self.blocks[b + 1])
            bad = self.first_bad[start:stop]
            first_d = int(bad[0]) if bad[0] >= 0 else None
            cut = epochs if first_d is None else first_d + 1  # the first seed's series end where it blew up

            def own(a: np.ndarray | None) -> np.ndarray | None:
                if a is None:
                    return None
                s = a[b, :epochs].copy()
                s[cut:] = np.nan
                return s

            lr = self.lr[b].copy()
            if isinstance(p.schedule, Plateau):
                lr[cut:] = np.nan
            diverged = bad[bad >= 0]
            heldout = None if self.heldout is None else self.heldout[b, :epochs].copy()
            final_params = None if self.final_params is None or diverged.size else self.final_params[b].copy()
            trace = Trace(
                config=p.config, epoch=np.arange(epochs), lr=lr, loss=self.loss[b, :epochs].copy(),
                grad_norm=own(self.grad_norm), sharpness=own(self.sharpness), stability_bound=own(self.bound),
                params=own(self.params), heldout_loss=heldout, final_loss=float(self.final[start:stop].mean()),
                diverged_at=int(diverged.min()) if diverged.size else None, final_params=final_params,
                steps_per_epoch=self.steps,
            )
            if stop - start > 1:
                trace = replace(trace, seeds=stop - start, loss_lo=self.lo[b, :epochs].copy(),
                                loss_hi=self.hi[b, :epochs].copy(), diverged_seeds=int(diverged.size),
                                final_per_seed=np.where(bad >= 0, np.nan,
                                                        self.window_sum[start:stop] / self.window[start:stop]))
            out.append(trace)
        return out


def _divergence_limit(start_loss: np.ndarray) -> np.ndarray:
    return DIVERGENCE_FACTOR * np.maximum(np.abs(start_loss), 1.0)


CHECK_EVERY = 64
"""Epochs between two looks at the analytic runs' losses: a run that blew up is found within this many
epochs, and the loop stops when every run has."""

KEEP_EPOCHS = 1024
"""Epochs of the analytic runs' parameters held at once (a multiple of CHECK_EVERY): memory does not grow with
a run's length times its seeds."""


def _run_analytic(run: Prepared, record: _Record, rngs: list, plateaus: _Plateaus,
                  progress: Progress | None = None) -> None:
    """The step loop only moves x; losses, gradients and sharpness are evaluated afterwards, a stretch of
    epochs at a time for all runs at once (vectorized), so a long run costs one optimizer update per step and
    little else."""
    problem, pp, opt, op = run.problem, run.problem_params, run.optimizer, run.optimizer_params
    n_runs, epochs, steps = len(rngs), run.epochs, run.steps_per_epoch
    x = np.tile(problem.start(pp).astype(np.float64), (n_runs, 1))
    dim = x.shape[1]
    sigma = pp["noise"] * (np.asarray(problem.noise_scale) if problem.noise_scale else 1.0)
    noisy = bool(np.any(sigma))
    xs = np.empty((KEEP_EPOCHS + 1, n_runs, dim))  # xs[j]: the parameters at epoch base + j ...
    f = np.empty((n_runs, KEEP_EPOCHS + 1))  # ... f[:, j] the loss there, for the epochs before ``checked``
    xs[0], base, checked = x, 0, 0
    state = opt.init(x)
    limit = record.limit = _divergence_limit(problem.loss(x, pp))
    blown = np.zeros(n_runs, dtype=bool)  # runs whose loss blew up in the epochs before ``checked``
    chunk = max(1, min(NOISE_CHUNK, NOISE_DRAWS // steps))  # epochs of noise drawn at once, memory bounded
    reacting = bool(plateaus)  # (asked once: the loop below is most of a long run's time)
    grad, step, shown = problem.grad, opt.step, opt.shown  # (shown: the parameters the loss is taken at)
    lrs, lr_every = _Lrs(record), _Lrs.CHUNK
    firsts, c, decay = record.firsts, opt.stability_factor(op), op.get("weight_decay", 0.0)

    def check(upto: int) -> None:
        """The losses of epochs ``checked`` .. ``upto``, and the runs that blew up in them."""
        nonlocal checked, blown
        held = xs[checked - base : upto - base + 1]
        loss = problem.loss(held.reshape(-1, dim), pp).reshape(held.shape[0], n_runs).T
        f[:, checked - base : upto - base + 1] = loss
        blown |= (~(np.isfinite(loss) & (loss <= limit[:, None]))).any(axis=1)
        checked = upto + 1

    def keep(upto: int) -> None:
        """Record epochs base .. ``upto``: every run's loss, the first seeds' parameters."""
        # (a row of f, a run's, is contiguous: a mean over seeds adds rows, the same sums as ever)
        record.losses(base, f[:, : upto - base + 1])
        record.first_seeds(base, xs[: upto - base + 1, firsts], problem, pp, c, decay)

    for t in range(epochs):
        if progress is not None and t % PROGRESS_EVERY == 0:
            progress(t, epochs)
        j = t % lr_every
        if j == 0:
            lr_chunk = lrs.chunk_at(t)
        if reacting:
            plateaus.lrs(lr_chunk[:, j])  # (a view: the plateaus write their lr into the chunk)
        lr_col = lr_chunk[:, j, None]
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
        xs[t + 1 - base] = seen = shown(x, state, op)
        if reacting:
            plateaus.update({"end": problem.loss(seen, pp), "running": running / steps})
        if t % CHECK_EVERY == CHECK_EVERY - 1:
            check(t + 1)
            if blown.all():
                break  # every run blew up: nothing left to simulate (the traces end there)
            if t + 1 - base == KEEP_EPOCHS:
                keep(t)
                xs[0], f[:, 0], base = xs[KEEP_EPOCHS], f[:, KEEP_EPOCHS], t + 1
    lrs.done()
    last = min(t + 1, epochs)  # the last epoch whose parameters were reached
    if checked <= last:
        check(last)
    keep(last)
    if last == epochs:
        record.final_params = shown(x, state, op)[firsts].copy()


def _run_data(run: Prepared, record: _Record, rngs: list, plateaus: _Plateaus,
              progress: Progress | None = None) -> None:
    """Minibatch training: the full-data loss (and its gradient norm) and the held-out loss are taken at
    the start of every epoch; an epoch is one pass in a fresh random order per run."""
    problem, pp, opt, op = run.problem, run.problem_params, run.optimizer, run.optimizer_params
    n_runs, epochs = len(rngs), run.epochs
    X, y, X_test, y_test = problem.data(pp)
    x = np.stack([problem.init(pp, rng) for rng in rngs]).astype(np.float64)
    batch, n = pp["batch_size"], pp["n"]
    steps = record.steps = math.ceil(n / batch)
    X_all = np.broadcast_to(X, (n_runs,) + X.shape)
    y_all = np.broadcast_to(y, (n_runs,) + y.shape)
    f = np.full((n_runs, CHECK_EVERY), np.nan)  # the epochs since t0, recorded every CHECK_EVERY
    grad_norm = np.full((n_runs, CHECK_EVERY), np.nan)
    heldout = np.full((n_runs, CHECK_EVERY), np.nan)
    state = opt.init(x)
    limit = None
    running = np.zeros(n_runs)
    lrs = _Lrs(record)
    t0 = 0
    for t in range(epochs + 1):
        if progress is not None:  # (every epoch: a data problem's epoch costs milliseconds, escape answers within one)
            progress(t, epochs)
        j = t - t0
        seen = opt.shown(x, state, op)  # the parameters the user evaluates (schedule-free: its x, not y)
        f[:, j], g = problem.loss_grad(seen, X_all, y_all, pp)
        grad_norm[:, j] = np.sqrt(np.sum(g * g, axis=1))
        heldout[:, j] = problem.loss(seen, X_test, y_test, pp)
        if limit is None:
            limit = record.limit = _divergence_limit(f[:, 0])
        x[~(np.isfinite(f[:, j]) & (f[:, j] <= limit))] = np.nan  # a run that blew up stops here
        stop = t == epochs or bool(np.isnan(x).all())
        if j == CHECK_EVERY - 1 or stop:
            record.losses(t0, f[:, : j + 1], heldout[:, : j + 1])
            record.grad_norms(t0, grad_norm[record.firsts, : j + 1])
            t0 = t + 1
        if stop:
            break
        if plateaus and t > 0:  # the epoch that just ended, seen from the state it left
            plateaus.update({"end": f[:, j], "heldout": heldout[:, j], "running": running / n})
        if t % _Lrs.CHUNK == 0:
            lr_chunk = lrs.chunk_at(t)
        lr_now = lr_chunk[:, t % _Lrs.CHUNK]
        if plateaus:
            plateaus.lrs(lr_now)
        lr_col = lr_now[:, None]
        order = np.stack([rng.permutation(n) for rng in rngs])
        running = np.zeros(n_runs)
        for k in range(steps):
            idx = order[:, k * batch : (k + 1) * batch]
            f_batch, g = problem.loss_grad(x, X[idx], y[idx], pp)
            running += f_batch * idx.shape[1]
            x, state = opt.step(x, g, lr_col, state, op)
    lrs.done()
    if t == epochs:
        record.final_params = opt.shown(x, state, op)[record.firsts].copy()
