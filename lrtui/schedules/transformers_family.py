"""The transformers warmup schedules (``transformers/optimization.py``, v5.24.0), as closed forms.

Each is a LambdaLR: lr(t) = lr * lam(t). W = num_warmup_steps, T = num_training_steps. The default warmup
is linear from 0: lam(t) = t / max(1, W) for t < W, so lr = 0 at t = 0 (wsd starts at min_lr_ratio).
Expressions keep transformers' order of operations. Each is a :func:`~lrtui.schedules.join.join_schedules` of
its phases: a phase after the warmup is a function of x = t - W (of its own start), exact in integers, so
transformers' (t - W) / (T - W) is x / (T - W), the same float.
"""

from __future__ import annotations

import numpy as np

from lrtui.params import MAX_EPOCHS, ConfigError, Param
from lrtui.schedules.join import join_schedules
from lrtui.schedules.registry import LR, register

W = Param("num_warmup_steps", "int", 10, "epochs of linear warmup from 0", 0, MAX_EPOCHS)
T = Param("num_training_steps", "int", 100, "length of the whole schedule, warmup included", 1, MAX_EPOCHS)
CYCLES = Param("num_cycles", "float", 0.5, "cosine waves after warmup (0.5 = one half wave down)", 0.0, 1e4,
               low_open=True)


def _warmup_ramp(t: np.ndarray, num_warmup_steps: int) -> np.ndarray:
    return t / float(max(1, num_warmup_steps))


def _after_linear_warmup(t: np.ndarray, num_warmup_steps: int, decay) -> np.ndarray:
    """lam(t) = t / max(1, W) for t < W, then ``decay(t - W)``."""
    return join_schedules([lambda x: _warmup_ramp(x, num_warmup_steps), decay], [num_warmup_steps])(t)


def _progress(x: np.ndarray, num_warmup_steps: int, num_training_steps: int) -> np.ndarray:
    """transformers' p = (t - W) / max(1, T - W), of x = t - W."""
    return x / float(max(1, num_training_steps - num_warmup_steps))


def _check_horizon(p: dict) -> None:
    if p["num_training_steps"] <= p["num_warmup_steps"]:
        raise ConfigError(
            f"num_training_steps={p['num_training_steps']} is not allowed with "
            f"num_warmup_steps={p['num_warmup_steps']}: allowed num_training_steps > num_warmup_steps"
        )


def _cosine_factor(progress: np.ndarray, num_cycles: float) -> np.ndarray:
    return np.maximum(0.0, 0.5 * (1.0 + np.cos(np.pi * float(num_cycles) * 2.0 * progress)))


@register("warmup_constant", "transformers", (LR, W))
def warmup_constant(t: np.ndarray, lr: float, num_warmup_steps: int) -> np.ndarray:
    """Linear warmup from 0, then constant (transformers get_constant_schedule_with_warmup).

    lam(t) = t / max(1, W) for t < W, then 1
    """
    return lr * join_schedules([lambda x: x / max(1.0, num_warmup_steps), 1.0], [num_warmup_steps])(t)


@register("warmup_linear", "transformers", (LR, W, T), check=_check_horizon)
def warmup_linear(t: np.ndarray, lr: float, num_warmup_steps: int, num_training_steps: int) -> np.ndarray:
    """Linear warmup from 0, then linear decay to 0 at T (transformers get_linear_schedule_with_warmup).

    lam(t) = t / max(1, W) for t < W;  max(0, (T - t) / max(1, T - W)) after: stays at 0 past T
    """
    span = float(max(1, num_training_steps - num_warmup_steps))
    left = num_training_steps - num_warmup_steps  # T - t = left - x
    return lr * _after_linear_warmup(t, num_warmup_steps, lambda x: np.maximum(0.0, (left - x) / span))


@register("warmup_cosine", "transformers", (LR, W, T, CYCLES), check=_check_horizon)
def warmup_cosine(
    t: np.ndarray, lr: float, num_warmup_steps: int, num_training_steps: int, num_cycles: float
) -> np.ndarray:
    """Linear warmup from 0, then cosine (transformers get_cosine_schedule_with_warmup).

    p = (t - W) / max(1, T - W);  lam(t) = max(0, (1 + cos(2 pi num_cycles p)) / 2)
    With num_cycles = 0.5 it falls to 0 at T and climbs again past T (not clamped), as transformers does.
    """
    return lr * _after_linear_warmup(
        t, num_warmup_steps,
        lambda x: _cosine_factor(_progress(x, num_warmup_steps, num_training_steps), num_cycles)
    )


@register(
    "warmup_cosine_restarts",
    "transformers",
    (LR, W, T, Param("num_cycles", "int", 1, "hard restarts: number of cosine cycles", 1, 100_000)),
    check=_check_horizon,
)
def warmup_cosine_restarts(
    t: np.ndarray, lr: float, num_warmup_steps: int, num_training_steps: int, num_cycles: int
) -> np.ndarray:
    """Warmup from 0, then cosine with hard restarts (transformers get_cosine_with_hard_restarts_schedule_with_warmup).

    p = (t - W) / max(1, T - W);  lam(t) = 0 if p >= 1 else max(0, (1 + cos(pi * ((num_cycles * p) % 1))) / 2)
    """
    def hard_restarts(x: np.ndarray) -> np.ndarray:  # 0 <= x < T - W: 0 <= p < 1, and 1 + cos >= 0 (no clamp)
        y = x.astype(np.float64)  # x = t - W; transformers' operations in its order, in place:
        y /= float(max(1, num_training_steps - num_warmup_steps))  # p
        y *= float(num_cycles)
        y -= np.floor(y)  # % 1.0 (exact for y >= 0, and a fraction of np.remainder's cost)
        y *= np.pi
        np.cos(y, out=y)
        y += 1.0
        y *= 0.5
        return y

    return lr * join_schedules([lambda x: _warmup_ramp(x, num_warmup_steps), hard_restarts, 0.0],
                               [num_warmup_steps, num_training_steps])(t)


def _polynomial_check(p: dict) -> None:
    _check_horizon(p)
    if not p["lr"] > p["lr_end"]:
        raise ConfigError(f"lr_end={p['lr_end']!r} is not allowed with lr={p['lr']!r}: allowed lr_end < lr")


@register(
    "warmup_polynomial",
    "transformers",
    (
        LR,
        W,
        T,
        Param("lr_end", "float", 1e-7, "lr reached at num_training_steps (absolute)", 0.0, 1e6, log=True),
        Param("power", "float", 1.0, "exponent of the decay", 0.0, 100.0),
    ),
    check=_polynomial_check,
)
def warmup_polynomial(
    t: np.ndarray, lr: float, num_warmup_steps: int, num_training_steps: int, lr_end: float, power: float
) -> np.ndarray:
    """Linear warmup from 0, then polynomial decay to lr_end (transformers get_polynomial_decay_schedule_with_warmup).

    lam(t) = ((lr - lr_end) * (1 - (t - W) / (T - W)) ** power + lr_end) / lr   for W <= t <= T
    lam(t) = lr_end / lr   after T
    """
    def decay(x: np.ndarray) -> np.ndarray:
        remaining = 1 - x / (num_training_steps - num_warmup_steps)  # x = t - W
        return ((lr - lr_end) * remaining**power + lr_end) / lr

    return lr * join_schedules([lambda x: _warmup_ramp(x, num_warmup_steps), decay, lr_end / lr],
                               [num_warmup_steps, num_training_steps + 1])(t)


def inverse_sqrt_timescale(num_warmup_steps: int, timescale: int | None) -> int:
    """inverse_sqrt's tau: ``timescale``, else ``num_warmup_steps``, else 10000 (transformers' default)."""
    return timescale or (num_warmup_steps or 10_000)


@register(
    "inverse_sqrt",
    "transformers",
    (
        LR,
        W,
        Param("timescale", "int", None, "decay timescale (none: num_warmup_steps, or 10000)", 1, MAX_EPOCHS,
              optional=True),
    ),
)
def inverse_sqrt(t: np.ndarray, lr: float, num_warmup_steps: int, timescale: int | None) -> np.ndarray:
    """Linear warmup from 0, then inverse square root decay (transformers get_inverse_sqrt_schedule).

    tau = timescale or W (or 10000);  lam(t) = t / max(1, W) for t < W, then 1 / sqrt((t + tau - W) / tau)
    With lr = d_model**-0.5 * W**-0.5 this is the Transformer's "Noam" schedule.
    """
    tau = inverse_sqrt_timescale(num_warmup_steps, timescale)
    return lr * _after_linear_warmup(t, num_warmup_steps, lambda x: 1.0 / np.sqrt((x + tau) / tau))  # t + tau - W


def _min_lr_check(p: dict) -> None:
    _check_horizon(p)
    if p["min_lr"] is None and p["min_lr_rate"] is None:
        raise ConfigError("min_lr_rate=none and min_lr=none: allowed one of them set")
    if p["min_lr"] is not None and not p["min_lr"] <= p["lr"]:
        raise ConfigError(f"min_lr={p['min_lr']!r} is not allowed with lr={p['lr']!r}: allowed min_lr <= lr")


@register(
    "warmup_cosine_min_lr",
    "transformers",
    (
        LR,
        W,
        T,
        CYCLES,
        Param("min_lr_rate", "float", 0.1, "floor of the cosine as a fraction of lr", 0.0, 1.0, optional=True),
        Param("min_lr", "float", None, "floor of the cosine, absolute (overrides min_lr_rate)", 0.0, 1e6,
              optional=True),
    ),
    check=_min_lr_check,
)
def warmup_cosine_min_lr(
    t: np.ndarray,
    lr: float,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float,
    min_lr_rate: float,
    min_lr: float | None,
) -> np.ndarray:
    """Linear warmup from 0, then cosine down to a floor (transformers get_cosine_with_min_lr_schedule_with_warmup).

    f = (1 + cos(2 pi num_cycles p)) / 2 with p as in warmup_cosine;  lam(t) = max(0, f * (1 - r) + r),
    r = min_lr / lr if min_lr is set, else min_lr_rate
    """
    rate = (min_lr / lr if lr else 1.0) if min_lr is not None else min_lr_rate

    def floored_cosine(x: np.ndarray) -> np.ndarray:
        factor = _cosine_factor(_progress(x, num_warmup_steps, num_training_steps), num_cycles)
        return np.maximum(0.0, factor * (1 - rate) + rate)

    return lr * _after_linear_warmup(t, num_warmup_steps, floored_cosine)


def wsd_stable_steps(p: dict) -> int:
    """wsd's stable phase in steps: ``num_stable_steps`` if set, else what training leaves after warmup and decay."""
    if p["num_stable_steps"] is not None:
        return p["num_stable_steps"]
    return p["num_training_steps"] - p["num_warmup_steps"] - p["num_decay_steps"]


def _wsd_length(p: dict, given: set[str]) -> dict:
    """transformers takes num_training_steps or num_stable_steps: stable steps given without a length make
    the length W + S + D (lrtui's default length of 100 is not the user's). Given both, transformers warns
    and uses num_stable_steps, as the formula does (lrtui.analysis.lint notes it)."""
    if p["num_stable_steps"] is not None and "num_training_steps" not in given:
        return {**p, "num_training_steps": p["num_warmup_steps"] + p["num_stable_steps"] + p["num_decay_steps"]}
    return p


def _wsd_check(p: dict) -> None:
    w, d, total, stable = (p[k] for k in ("num_warmup_steps", "num_decay_steps", "num_training_steps",
                                          "num_stable_steps"))
    if total is None and stable is None:
        raise ConfigError("num_training_steps=none and num_stable_steps=none: allowed one of them set")
    if stable is None and total < w + d:
        raise ConfigError(
            f"num_training_steps={total} is shorter than warmup plus decay: allowed num_training_steps >= "
            f"num_warmup_steps + num_decay_steps = {w + d}"
        )


@register(
    "wsd",
    "transformers",
    (
        LR,
        W,
        Param("num_decay_steps", "int", 20, "epochs of the final decay", 0, MAX_EPOCHS),
        Param("num_training_steps", "int", 100, "total length; the stable phase fills the rest", 1, MAX_EPOCHS,
              optional=True),
        Param("num_stable_steps", "int", None, "epochs at the peak (none: from num_training_steps)", 0, MAX_EPOCHS,
              optional=True),
        Param("warmup_type", "choice", "linear", "warmup shape", choices=("linear", "cosine", "1-sqrt")),
        Param("decay_type", "choice", "cosine", "decay shape", choices=("linear", "cosine", "1-sqrt")),
        Param("min_lr_ratio", "float", 0.0, "floor (and warmup start) as a fraction of lr", 0.0, 1.0),
        Param("num_cycles", "float", 0.5, "cosine decay: number of waves (0.5 = half a wave)", 0.0, 1e4, low_open=True),
    ),
    check=_wsd_check,
    complete=_wsd_length,
    length_from=("num_stable_steps",),
)
def wsd(
    t: np.ndarray,
    lr: float,
    num_warmup_steps: int,
    num_decay_steps: int,
    num_training_steps: int | None,
    num_stable_steps: int | None,
    warmup_type: str,
    decay_type: str,
    min_lr_ratio: float,
    num_cycles: float,
) -> np.ndarray:
    """Warmup-stable-decay (transformers get_wsd_schedule), with S stable epochs (S = T - W - D if unset).

    t < W:          p = t / max(1, W),  f = p | (1 - cos(pi p)) / 2 | 1 - sqrt(1 - p)   (linear|cosine|1-sqrt)
    t < W + S:      lam = 1
    t < W + S + D:  p = (t - W - S) / max(1, D),  f = 1 - p | (1 + cos(2 pi num_cycles p)) / 2 | 1 - sqrt(p)
    then:           lam = min_lr_ratio;   in the ramps lam = max(0, f * (1 - m) + m), m = min_lr_ratio
    lr(t) = lr * lam
    """
    w, d, m = num_warmup_steps, num_decay_steps, min_lr_ratio
    s = wsd_stable_steps(
        {"num_stable_steps": num_stable_steps, "num_training_steps": num_training_steps,
         "num_warmup_steps": w, "num_decay_steps": d}
    )

    def up(x: np.ndarray) -> np.ndarray:
        p = x / float(max(1, w))
        if warmup_type == "linear":
            f = p
        elif warmup_type == "cosine":
            f = 0.5 * (1.0 - np.cos(np.pi * p))
        else:
            f = 1.0 - np.sqrt(1.0 - p)
        return np.maximum(0.0, f * (1.0 - m) + m)

    def down(x: np.ndarray) -> np.ndarray:
        p = x / float(max(1, d))  # x = t - W - S
        if decay_type == "linear":
            f = 1.0 - p
        elif decay_type == "cosine":
            f = 0.5 * (1.0 + np.cos(np.pi * float(num_cycles) * 2.0 * p))
        else:
            f = 1.0 - np.sqrt(p)
        return np.maximum(0.0, f * (1.0 - m) + m)

    return lr * join_schedules([up, 1.0, down, m], [w, w + s, w + s + d])(t)
