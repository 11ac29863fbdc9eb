"""The torch.optim.lr_scheduler family (and Keras' InverseTimeDecay), as closed forms of the epoch t.

t = 0 is the first epoch (the value right after the torch scheduler is built); ``lr`` is the optimizer's
base rate b. Each formula matches what real stepped torch 2.13.0 gives, to float drift
(see ``../shared/schedules.md``). Every schedule here also takes the ``warmup`` option (registry.py).
"""

from __future__ import annotations

import numpy as np

from lrtui.params import MAX_EPOCHS, ConfigError, Param
from lrtui.schedules.registry import LR, register

_EPOCHS = dict(low=1, high=MAX_EPOCHS)
_DECAY = dict(low=0.0, high=1.0)
_ETA_MIN = Param("eta_min", "float", 0.0, "the lowest lr the cosine reaches", low=0.0, high=1e6)


def _constant_check(p: dict) -> None:
    if p["total_iters"] == 0 and p["factor"] != 1.0:
        raise ConfigError(
            f"total_iters=0 is not allowed with factor={p['factor']!r}: allowed total_iters in [1, {MAX_EPOCHS}] "
            "(torch would apply the factor forever)"
        )


def _constant_steps(t: np.ndarray, base: float, factor: float, total_iters: int) -> tuple[np.ndarray, np.ndarray]:
    """ConstantLR.get_lr: lr *= factor at t = 0, lr *= 1 / factor at t = total_iters, else unchanged."""
    a = np.where(t == total_iters, 1.0 / factor, 1.0)
    a[t == 0] = factor
    return a, np.zeros_like(a)


@register(
    "constant",
    "torch",
    (
        LR,
        Param("factor", "float", 1.0, "lr multiplier until total_iters", low=0.0, high=1.0, low_open=True),
        Param("total_iters", "int", 0, "epochs the factor applies for", 0, MAX_EPOCHS),
    ),
    check=_constant_check,
    multiplicative=True,
    chainable=_constant_steps,
)
def constant(t: np.ndarray, lr: float, factor: float, total_iters: int) -> np.ndarray:
    """Constant lr, optionally scaled by ``factor`` for the first ``total_iters`` epochs (torch ConstantLR).

    lr(t) = lr * factor   if t < total_iters
            lr            otherwise
    With the defaults (factor=1, total_iters=0) the lr is flat.
    """
    return lr * (factor + (t >= total_iters) * (1 - factor))


def _step_steps(t: np.ndarray, base: float, step_size: int, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """StepLR.get_lr: lr *= gamma when t > 0 and t % step_size == 0."""
    a = np.where((t != 0) & (t % step_size == 0), gamma, 1.0)
    return a, np.zeros_like(a)


@register(
    "step",
    "torch",
    (
        LR,
        Param("step_size", "int", 30, "epochs between decays", **_EPOCHS),
        Param("gamma", "float", 0.1, "decay factor at each step", **_DECAY),
    ),
    multiplicative=True,
    chainable=_step_steps,
)
def step(t: np.ndarray, lr: float, step_size: int, gamma: float) -> np.ndarray:
    """Step decay: multiply by ``gamma`` every ``step_size`` epochs (torch StepLR).

    lr(t) = lr * gamma ** floor(t / step_size)
    e.g. lr=0.05, step_size=30, gamma=0.1: 0.05 for t < 30, 0.005 for 30 <= t < 60, ...
    """
    return lr * gamma ** (t // step_size)


def _multistep_steps(t: np.ndarray, base: float, milestones: tuple[int, ...], gamma: float
                     ) -> tuple[np.ndarray, np.ndarray]:
    """MultiStepLR.get_lr: lr *= gamma ** (times t is a milestone), t = 0 included."""
    ordered = np.sort(np.asarray(milestones, dtype=np.int64))
    count = np.searchsorted(ordered, t, side="right") - np.searchsorted(ordered, t, side="left")
    a = np.where(count > 0, gamma ** count.astype(np.float64), 1.0)
    return a, np.zeros_like(a)


@register(
    "multistep",
    "torch",
    (
        LR,
        Param("milestones", "int_list", (30, 60, 90), "epochs where the lr is multiplied by gamma", 0, MAX_EPOCHS),
        Param("gamma", "float", 0.1, "decay factor at each milestone", **_DECAY),
    ),
    multiplicative=True,
    chainable=_multistep_steps,
)
def multistep(t: np.ndarray, lr: float, milestones: tuple[int, ...], gamma: float) -> np.ndarray:
    """Decay by ``gamma`` at each milestone (torch MultiStepLR).

    lr(t) = lr * gamma ** #{m in milestones : m <= t}
    Milestones are a multiset: unsorted lists are fine, a repeated milestone decays twice at once.
    A milestone at 0 already applies at t = 0.
    """
    return lr * gamma ** np.searchsorted(np.sort(np.asarray(milestones, dtype=np.int64)), t, side="right")


def _exponential_steps(t: np.ndarray, base: float, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """ExponentialLR.get_lr: lr *= gamma at every t > 0."""
    a = np.where(t == 0, 1.0, gamma)
    return a, np.zeros_like(a)


@register(
    "exponential",
    "torch",
    (LR, Param("gamma", "float", 0.95, "decay factor per epoch", **_DECAY)),
    multiplicative=True,
    chainable=_exponential_steps,
)
def exponential(t: np.ndarray, lr: float, gamma: float) -> np.ndarray:
    """Exponential decay (torch ExponentialLR).

    lr(t) = lr * gamma ** t
    """
    return lr * gamma ** t.astype(np.float64)


def _linear_steps(t: np.ndarray, base: float, start_factor: float, end_factor: float, total_iters: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """LinearLR.get_lr: lr *= s at t = 0; for 1 <= t <= T, lr *= 1 + (e - s) / (T * s + (t - 1) * (e - s))."""
    a = np.ones(t.shape)
    ramp = (t >= 1) & (t <= total_iters)
    slope = end_factor - start_factor
    a[ramp] = 1.0 + slope / (total_iters * start_factor + (t[ramp] - 1) * slope)
    a[t == 0] = start_factor
    return a, np.zeros_like(a)


@register(
    "linear",
    "torch",
    (
        LR,
        Param("start_factor", "float", 1 / 3, "lr fraction at t = 0", low=0.0, high=1.0, low_open=True),
        Param("end_factor", "float", 1.0, "lr fraction from total_iters on", **_DECAY),
        Param("total_iters", "int", 5, "epochs of the linear ramp", **_EPOCHS),
    ),
    multiplicative=True,
    chainable=_linear_steps,
)
def linear(t: np.ndarray, lr: float, start_factor: float, end_factor: float, total_iters: int) -> np.ndarray:
    """Linear ramp of the lr multiplier from start_factor to end_factor (torch LinearLR).

    lr(t) = lr * (s + (e - s) * min(t, T) / T),  s = start_factor, e = end_factor, T = total_iters
    Warms up when s < e, decays when s > e; flat at lr * e from T on.
    """
    done = np.minimum(t, total_iters) / total_iters  # the fraction first: exactly 1 at T, so e = 0 gives 0, not -1e-17
    return lr * (start_factor + (end_factor - start_factor) * done)


def _polynomial_steps(t: np.ndarray, base: float, total_iters: int, power: float) -> tuple[np.ndarray, np.ndarray]:
    """PolynomialLR.get_lr: for 1 <= t <= T, lr *= ((1 - t / T) / (1 - (t - 1) / T)) ** power."""
    a = np.ones(t.shape)
    decay = (t >= 1) & (t <= total_iters)
    td = t[decay]
    a[decay] = ((1.0 - td / total_iters) / (1.0 - (td - 1) / total_iters)) ** power
    return a, np.zeros_like(a)


@register(
    "polynomial",
    "torch",
    (
        LR,
        Param("total_iters", "int", 5, "epochs until the lr reaches 0", **_EPOCHS),
        Param("power", "float", 1.0, "exponent of the decay (1 = linear)", low=0.0, high=100.0),
    ),
    multiplicative=True,
    chainable=_polynomial_steps,
)
def polynomial(t: np.ndarray, lr: float, total_iters: int, power: float) -> np.ndarray:
    """Polynomial decay to 0 over total_iters epochs (torch PolynomialLR).

    lr(t) = lr * (1 - min(t, T) / T) ** power,  T = total_iters
    Stays at 0 after T (at lr when power = 0, since 0 ** 0 = 1).
    """
    return lr * (1.0 - np.minimum(t, total_iters) / total_iters) ** power


def _cosine_steps(t: np.ndarray, base: float, T_max: int, eta_min: float) -> tuple[np.ndarray, np.ndarray]:
    """CosineAnnealingLR.get_lr, for t >= 1 (t = 0 leaves the lr alone):

    lr <- lr + (base - eta_min) * (1 - cos(pi / T_max)) / 2           when (t - 1 - T_max) % (2 T_max) == 0
    lr <- r * (lr - eta_min) + eta_min,  r = (1 + cos(pi t / T_max)) / (1 + cos(pi (t - 1) / T_max))   otherwise
    """
    a = np.ones(t.shape)
    c = np.zeros(t.shape)
    moving = t >= 1
    trough = moving & ((t - 1 - T_max) % (2 * T_max) == 0)
    ratio = moving & ~trough
    tr = t[ratio]
    r = (1 + np.cos(np.pi * tr / T_max)) / (1 + np.cos(np.pi * (tr - 1) / T_max))
    a[ratio] = r
    c[ratio] = eta_min - r * eta_min
    c[trough] = (base - eta_min) * (1 - np.cos(np.pi / T_max)) / 2
    return a, c


@register(
    "cosine",
    "torch",
    (LR, Param("T_max", "int", 100, "epochs of the half cosine from lr down to eta_min", **_EPOCHS), _ETA_MIN),
    chainable=_cosine_steps,
)
def cosine(t: np.ndarray, lr: float, T_max: int, eta_min: float) -> np.ndarray:
    """Cosine annealing (torch CosineAnnealingLR).

    lr(t) = eta_min + (lr - eta_min) * (1 + cos(pi * t / T_max)) / 2   for every t
    Past T_max the lr climbs again (period 2 * T_max), exactly as torch does: not clamped, not a restart.
    """
    return eta_min + (lr - eta_min) * (1 + np.cos(np.pi * t / T_max)) / 2


@register(
    "cosine_restarts",
    "torch",
    (
        LR,
        Param("T_0", "int", 10, "epochs of the first cycle", **_EPOCHS),
        Param("T_mult", "int", 1, "each cycle is T_mult times longer than the one before", 1, 1000),
        _ETA_MIN,
    ),
)
def cosine_restarts(t: np.ndarray, lr: float, T_0: int, T_mult: int, eta_min: float) -> np.ndarray:
    """Cosine annealing with warm restarts, SGDR (torch CosineAnnealingWarmRestarts).

    Cycle k lasts T_i = T_0 * T_mult**k epochs and starts at S_k = sum of the earlier cycles;
    with T_cur = t - S_k:  lr(t) = eta_min + (lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2
    Cycle boundaries are integers (computed exactly, never with log). The lr restarts at lr.
    It never quite reaches eta_min: the last value of a cycle is at T_cur = T_i - 1.
    """
    if T_mult == 1:
        t_cur, t_i = t % T_0, float(T_0)
    else:
        last = int(t.max()) if t.size else 0
        starts, lengths = [0], [T_0]
        while starts[-1] + lengths[-1] <= last:
            starts.append(starts[-1] + lengths[-1])
            lengths.append(lengths[-1] * T_mult)
        starts_arr = np.asarray(starts, dtype=np.int64)
        k = np.searchsorted(starts_arr, t, side="right") - 1
        t_cur = t - starts_arr[k]
        t_i = np.asarray(lengths, dtype=np.float64)[k]
    lam = np.pi * t_cur
    lam /= t_i
    np.cos(lam, out=lam)  # then eta_min + (lr - eta_min) * (1 + cos) / 2, in place and in that order
    lam += 1
    lam *= lr - eta_min
    lam /= 2
    lam += eta_min
    return lam


@register(
    "cyclic",
    "torch",
    (
        Param("base_lr", "float", 0.001, "lower end of the cycle (replaces the optimizer's lr)", 0.0, 1e6, log=True),
        Param("max_lr", "float", 0.1, "upper end of the cycle", 0.0, 1e6, log=True),
        Param("step_size_up", "int", 20, "epochs from base_lr up to max_lr", **_EPOCHS),
        Param("step_size_down", "int", None, "epochs back down (none: same as up)", 0, MAX_EPOCHS, optional=True),
        Param("mode", "choice", "triangular", "amplitude policy", choices=("triangular", "triangular2", "exp_range")),
        Param("gamma", "float", 1.0, "exp_range: amplitude scale gamma ** t", low=0.0, high=1.0, low_open=True),
    ),
    base=lambda p: p["base_lr"],
)
def cyclic(
    t: np.ndarray,
    base_lr: float,
    max_lr: float,
    step_size_up: int,
    step_size_down: int | None,
    mode: str,
    gamma: float,
) -> np.ndarray:
    """Cyclical learning rate, CLR (torch CyclicLR with cycle_momentum=False).

    cycle = floor(1 + t / (up + down)),  x = 1 + t / (up + down) - cycle,  r = up / (up + down)
    scale = x / r if x <= r else (x - 1) / (r - 1)
    lr(t) = base_lr + (max_lr - base_lr) * scale * s
    s = 1 (triangular),  1 / 2 ** (cycle - 1) (triangular2),  gamma ** t (exp_range)
    """
    up = float(step_size_up)
    down = float(step_size_down) if step_size_down is not None else up
    total = up + down
    ratio = up / total
    cycle = np.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    with np.errstate(divide="ignore", invalid="ignore"):  # the unused branch may divide by zero (down = 0)
        scale_factor = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
    if mode == "triangular":
        s = 1.0
    elif mode == "triangular2":
        s = 1 / (2.0 ** (cycle - 1))
    else:
        s = gamma ** t.astype(np.float64)
    return base_lr + (max_lr - base_lr) * scale_factor * s


def onecycle_phases(p: dict) -> list[tuple[float, str, str]]:
    """OneCycleLR's phases as torch builds them: (last step of the phase, start value, end value), the values
    named "initial" (max_lr / div_factor), "max" and "min" (initial / final_div_factor)."""
    total, pct = p["total_steps"], p["pct_start"]
    if p["three_phase"]:
        return [
            (float(pct * total) - 1, "initial", "max"),
            (float(2 * pct * total) - 2, "max", "initial"),
            (total - 1, "initial", "min"),
        ]
    return [(float(pct * total) - 1, "initial", "max"), (total - 1, "max", "min")]


def _onecycle_length(p: dict, given: set[str]) -> dict:
    """torch's OneCycleLR takes total_steps, or epochs and steps_per_epoch (total_steps = their product);
    total_steps wins when given too. Both of the pair without total_steps make the length (lrtui's default
    of 100 is not the user's); one of them alone is an error, as in torch."""
    pair = [name for name in ("epochs", "steps_per_epoch") if p[name] is not None]
    if "total_steps" in given:
        return p
    if len(pair) == 1:
        missing = ({"epochs", "steps_per_epoch"} - set(pair)).pop()
        raise ConfigError(f"{pair[0]}={p[pair[0]]} needs {missing} too: allowed total_steps, or epochs and "
                          "steps_per_epoch together (total_steps = epochs * steps_per_epoch)")
    if pair:
        total = p["epochs"] * p["steps_per_epoch"]
        if total > MAX_EPOCHS:
            raise ConfigError(f"epochs * steps_per_epoch = {total:,} is too long: allowed at most {MAX_EPOCHS:,} steps")
        return {**p, "total_steps": total}
    return p


def _onecycle_check(p: dict) -> None:
    """Reject a zero-length phase that an epoch reaches: torch divides by its length (ZeroDivisionError).

    The first phase is reached at t = 0; the last one by every t past the previous phase's end, up to
    t = total_steps, where a standard torch loop makes its final step(). Middle phases of zero length are
    never reached.
    """
    phases = onecycle_phases(p)
    ends = [0.0] + [end for end, _, _ in phases]
    first_empty = ends[1] == ends[0]
    last_empty = ends[-1] == ends[-2]
    if first_empty or last_empty:
        which = "warm-up" if first_empty else "final"
        rule = "pct_start * total_steps != 1" if first_empty else (
            "2 * pct_start * total_steps != total_steps + 1" if p["three_phase"] else "pct_start < 1")
        raise ConfigError(
            f"pct_start={p['pct_start']!r} with total_steps={p['total_steps']} gives a zero-length {which} phase "
            f"(torch divides by zero there): allowed {rule}"
        )


@register(
    "onecycle",
    "torch",
    (
        Param("max_lr", "float", 0.1, "peak lr (the optimizer's lr is ignored)", 0.0, 1e6, log=True),
        Param("total_steps", "int", 100, "length of the cycle in epochs", **_EPOCHS),
        Param("epochs", "int", None, "with steps_per_epoch, instead of total_steps: torch's training epochs", 1,
              MAX_EPOCHS, optional=True),
        Param("steps_per_epoch", "int", None, "with epochs: scheduler steps per training epoch", 1, MAX_EPOCHS,
              optional=True),
        Param("pct_start", "float", 0.3, "fraction of the cycle spent rising", **_DECAY),
        Param("anneal_strategy", "choice", "cos", "shape of each phase", choices=("cos", "linear")),
        Param("div_factor", "float", 25.0, "initial lr = max_lr / div_factor", 1.0, 1e6, log=True),
        Param("final_div_factor", "float", 1e4, "final lr = initial lr / final_div_factor", 1.0, 1e12, log=True),
        Param("three_phase", "bool", False, "come back down to the initial lr before annihilating"),
    ),
    check=_onecycle_check,
    complete=_onecycle_length,
    length_from=("epochs", "steps_per_epoch"),
    horizon=lambda p: p["total_steps"],
    base=lambda p: p["max_lr"] / p["div_factor"],
)
def onecycle(
    t: np.ndarray,
    max_lr: float,
    total_steps: int,
    epochs: int | None,
    steps_per_epoch: int | None,
    pct_start: float,
    anneal_strategy: str,
    div_factor: float,
    final_div_factor: float,
    three_phase: bool,
) -> np.ndarray:
    """The 1cycle policy (torch OneCycleLR, cycle_momentum=False), over T = total_steps (or epochs * steps_per_epoch).

    initial = max_lr / div_factor,  min = initial / final_div_factor
    phases (end epoch, from, to): (pct*T - 1, initial, max), (T - 1, max, min)
    with three_phase: (pct*T - 1, initial, max), (2*pct*T - 2, max, initial), (T - 1, initial, min)
    within a phase from a to z over (start, end]:  p = (t - start) / (end - start),
    lr(t) = z + (a - z) / 2 * (cos(pi * p) + 1)   (cos)   or   (z - a) * p + a   (linear)
    The peak is at t = pct*T - 1 and the minimum at t = T - 1; defined for T epochs.
    """
    initial = max_lr / div_factor
    values = {"initial": initial, "max": max_lr, "min": initial / final_div_factor}
    phases = onecycle_phases(
        {"total_steps": total_steps, "pct_start": pct_start, "three_phase": three_phase}
    )
    out = np.empty(t.shape, dtype=np.float64)
    todo = np.ones(t.shape, dtype=bool)
    start = 0.0
    for i, (end, a, z) in enumerate(phases):
        here = todo & ((t <= end) | (i == len(phases) - 1))
        if here.any():
            pct = (t[here] - start) / (end - start)
            lo, hi = values[a], values[z]
            if anneal_strategy == "cos":  # hi + (lo - hi) / 2.0 * (cos(pi * pct) + 1), in place and in that order
                pct *= np.pi
                np.cos(pct, out=pct)
                pct += 1
                pct *= (lo - hi) / 2.0
                pct += hi
                out[here] = pct
            else:
                out[here] = (hi - lo) * pct + lo
        todo &= ~here
        start = end
    return out


@register(
    "inverse_time",
    "keras",
    (
        LR,
        Param("decay_rate", "float", 1.0, "how fast the lr falls", 0.0, 1e6),
        Param("decay_steps", "int", 10, "epochs per unit of decay", **_EPOCHS),
        Param("staircase", "bool", False, "decay in whole steps of decay_steps"),
    ),
)
def inverse_time(t: np.ndarray, lr: float, decay_rate: float, decay_steps: int, staircase: bool) -> np.ndarray:
    """Inverse-time decay, the Robbins-Monro 1/t family (Keras InverseTimeDecay).

    lr(t) = lr / (1 + decay_rate * t / decay_steps)   (t / decay_steps floored when staircase)
    Sum of lr diverges while the sum of lr**2 converges: the classic condition for SGD to converge.
    """
    p = t / decay_steps
    if staircase:
        p = np.floor(p)
    return lr / (1 + decay_rate * p)
