"""Optimizers as pure updates, vectorized across runs, following torch.optim (2.13.0) and the ``schedulefree``
package (1.4.1) step for step.

``init(x)`` gives the state for parameters x (runs, dim); ``step(x, g, lr, state, p)`` gives the new
(x, state) for gradients g and learning rates lr (runs, 1). Hyper-parameters ``p`` are the resolved
declarations below (the reference's defaults). The schedule's lr is torch's ``param_groups[0]["lr"]``, set
once an epoch: every step of the epoch reads it.

    sgd       x -= lr * (g + wd x)
    momentum  buf = mu buf + (g + wd x)  (buf = g at the first step, dampening 0);  x -= lr buf
    nesterov  buf as momentum;  x -= lr (g + wd x + mu buf)
    adam      g += wd x;  m = lerp(m, g, 1 - b1);  v = b2 v + (1 - b2) g^2;
              x -= lr / (1 - b1^k) * m / (sqrt(v) / sqrt(1 - b2^k) + eps)      (k = step count)
    adamw     x *= 1 - lr wd, then adam without the wd term
    rmsprop   g += wd x;  v = alpha v + (1 - alpha) g^2;  d = sqrt(v) + eps
              (centered: a = lerp(a, g, 1 - alpha), d = sqrt(v - a^2) + eps);
              x -= lr g / d, or with momentum buf = mu buf + g / d (buf from 0), x -= lr buf
    adagrad   g += wd x;  s += g^2 (s from initial_accumulator_value);  x -= lr g / (sqrt(s) + eps)

Adagrad's own ``lr_decay`` (torch divides the lr by 1 + (k - 1) lr_decay at step k) is not declared here: it is
a schedule hidden inside the optimizer, counted in steps, which the lr plot would not show. lrtui's
``inverse_time`` schedule is that schedule in the open: ``decay_rate=lr_decay, decay_steps=1`` gives torch's
numbers at one step an epoch (tests/test_optimizers.py checks it against a real torch Adagrad with lr_decay).

Schedule-free SGD and AdamW (Defazio et al. 2024, "The Road Less Scheduled"; ``schedulefree.SGDScheduleFree``
and ``AdamWScheduleFree``) keep three sequences: z takes plain (or Adam-normalized) gradient steps, x is a
weighted average of the z's, and the gradient is taken at y = (1 - beta) z + beta x, the point the model holds
in train mode. The package stores y (the parameters) and z and computes x from them when ``optimizer.eval()``
is called: x = lerp(y, z, 1 - 1/beta). A step k (from 0) with lr_k = lr min(1, (k + 1) / warmup_steps):

    lr_max = max(lr_max, lr_k);  w = (k + 1)^r lr_max^weight_lr_power;  c = w / (sum of w so far)  (0 if that is 0)
    d = g + wd y (SGD) or g / (sqrt(v / (1 - b2^(k+1))) + eps) + wd y (AdamW, v as adam's)
    y = lerp(y, z, c) + lr_k (beta (1 - c) - 1) d;   z -= lr_k d

Here x (the engine's parameters) is y, where the gradients are taken, and the loss, the gradient norm, the
sharpness and the path the engine records are those of the eval-mode parameters x, what the package's user
sees after ``optimizer.eval()`` (:meth:`Optimizer.shown`); the running loss (plateau_metric=running) is the
training loss at y, what a training loop logs.

Stability factors c (lr < c / lambda_max on a quadratic) are known for sgd (2), heavy ball (2 (1 + mu)) and
Nesterov (2 (1 + mu) / (1 + 2 mu)); the others have none. Adam, RMSProp and Adagrad divide the step by a
running scale of the gradients, so whether a run blows up depends on the gradients' size, not on lr lambda
alone. Schedule-free SGD has no single c either: its first step is plain SGD's (the average is the last
iterate: lr lambda < 2), and as the average's weight c_k falls the z step's factor tends to
1 - lr lambda (1 - beta), stable up to 2 / (1 - beta) (20 at beta 0.9); in between the loss swings up before
it settles (measured on f = 2 x^2, beta 0.9: lr lambda = 8 peaks at 1,100x its start and converges, 20 passes
the engine's 10^6x divergence rule at step 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from lrtui.params import Param

Array = np.ndarray

WEIGHT_DECAY = Param("weight_decay", "float", 0.0, "L2 penalty added to the gradient", 0.0, 1e3)
MOMENTUM = Param("momentum", "float", 0.9, "momentum factor mu", 0.0, 1.0, high_open=True)
BETA2 = Param("beta2", "float", 0.999, "decay of the squared-gradient average (torch betas[1])", 0.0, 1.0,
              high_open=True)
EPS = Param("eps", "float", 1e-8, "added to the denominator", 0.0, 1.0)
ADAM = (
    Param("beta1", "float", 0.9, "decay of the gradient average (torch betas[0])", 0.0, 1.0, high_open=True),
    BETA2,
    EPS,
)
RMSPROP = (
    Param("alpha", "float", 0.99, "decay of the squared-gradient average", 0.0, 1.0, high_open=True),
    EPS,
    Param("momentum", "float", 0.0, "momentum of the normalized step (0: none)", 0.0, 1.0, high_open=True),
    Param("centered", "bool", False, "divide by the gradient's estimated standard deviation, not its RMS"),
    WEIGHT_DECAY,
)
ADAGRAD = (
    Param("eps", "float", 1e-10, "added to the denominator", 0.0, 1.0),
    Param("initial_accumulator_value", "float", 0.0, "the sum of squared gradients' starting value", 0.0, 1e3),
    WEIGHT_DECAY,
)
SCHEDULE_FREE = (
    Param("warmup_steps", "int", 0, "the package's own linear warmup, in optimizer steps: lr (k + 1) / "
          "warmup_steps at step k", 0, 10**7),
    Param("r", "float", 0.0, "the average's weights grow as (k + 1)^r (polynomial averaging)", 0.0, 10.0),
    Param("weight_lr_power", "float", 2.0, "the average's weights grow as lr_max^weight_lr_power (warmup steps "
          "count less)", 0.0, 10.0),
)
SCHEDULE_FREE_SGD = (
    Param("momentum", "float", 0.9, "interpolation beta: gradients are taken at (1 - beta) z + beta x", 0.0, 1.0,
          low_open=True, high_open=True),
    WEIGHT_DECAY,
    *SCHEDULE_FREE,
)
SCHEDULE_FREE_ADAMW = (
    Param("beta1", "float", 0.9, "interpolation beta: gradients are taken at (1 - beta1) z + beta1 x (betas[0])",
          0.0, 1.0, low_open=True, high_open=True),
    BETA2,
    EPS,
    Param("weight_decay", "float", 0.0, "weight decay, added to the normalized gradient at y", 0.0, 1e3),
    *SCHEDULE_FREE,
)


@dataclass(frozen=True)
class Optimizer:
    """One optimizer: its declared hyper-parameters and its pure update; ``stability`` gives c in the bound
    lr < c / lambda_max on a quadratic where one is known; ``settled`` the c a run settles to where no single
    bound holds (schedule-free SGD's 2 / (1 - beta): a map's lr range reaches past it); ``evaluated`` the
    parameters the loss is shown at where they are not the optimizer's own (schedule-free's x)."""

    name: str
    params: tuple[Param, ...]
    init: Callable[[Array], dict[str, Any]]
    step: Callable[[Array, Array, Array, dict[str, Any], dict[str, Any]], tuple[Array, dict[str, Any]]]
    summary: str
    stability: Callable[[dict[str, Any]], float] | None = None
    evaluated: Callable[[Array, dict[str, Any], dict[str, Any]], Array] | None = None
    settled: Callable[[dict[str, Any]], float] | None = None
    stability_text: str = "c"
    """c as a person reads it, in ASCII (mu the momentum): ``2``, ``2(1+mu)``."""

    def stability_factor(self, p: dict[str, Any]) -> float | None:
        """c in the stability bound lr < c / lambda_max on a quadratic (None where no such bound holds)."""
        return None if self.stability is None else self.stability(p)

    def shown(self, x: Array, state: dict[str, Any], p: dict[str, Any]) -> Array:
        """The parameters a user evaluates for parameters x in this state: x itself, or schedule-free's
        eval-mode x sequence."""
        return x if self.evaluated is None else self.evaluated(x, state, p)


def _no_state(x: Array) -> dict[str, Any]:
    return {"k": 0}


def _sgd_step(x, g, lr, state, p):
    if p["weight_decay"]:
        g = g + p["weight_decay"] * x
    return x - lr * g, {"k": state["k"] + 1}


def _buffer_state(x: Array) -> dict[str, Any]:
    return {"k": 0, "buf": np.zeros_like(x)}


def _momentum_step(x, g, lr, state, p, nesterov=False):
    if p["weight_decay"]:
        g = g + p["weight_decay"] * x
    buf = g.copy() if state["k"] == 0 else state["buf"] * p["momentum"] + g
    direction = g + p["momentum"] * buf if nesterov else buf
    return x - lr * direction, {"k": state["k"] + 1, "buf": buf}


def _adam_state(x: Array) -> dict[str, Any]:
    return {"k": 0, "m": np.zeros_like(x), "v": np.zeros_like(x)}


def _lerp(start: Array, end: Array, weight: float | Array) -> Array:
    """torch.lerp's CPU formula (two branches, for accuracy near either end), for a weight per run too."""
    if isinstance(weight, np.ndarray):
        count = np.count_nonzero(np.abs(weight) < 0.5)
        if 0 < count < weight.size:  # weights on both sides: each run its branch
            return np.where(np.abs(weight) < 0.5, start + weight * (end - start), end - (end - start) * (1 - weight))
        small = count > 0
    else:
        small = abs(weight) < 0.5
    if small:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


def _squares(v: Array, g: Array, decay: float) -> Array:
    """decay v + (1 - decay) g^2 in torch's order (v.mul_(decay).addcmul_(g, g, value=1 - decay))."""
    return v * decay + ((1 - decay) * g) * g


def _adam_step(x, g, lr, state, p, decoupled=False):
    wd = p["weight_decay"]
    if wd:
        if decoupled:
            x = x * (1 - lr * wd)
        else:
            g = g + wd * x
    k = state["k"] + 1
    b1, b2 = p["beta1"], p["beta2"]
    m = _lerp(state["m"], g, 1 - b1)
    v = _squares(state["v"], g, b2)
    step_size = lr / (1 - b1**k)
    denom = np.sqrt(v) / (1 - b2**k) ** 0.5 + p["eps"]
    return x - step_size * (m / denom), {"k": k, "m": m, "v": v}


def _rmsprop_state(x: Array) -> dict[str, Any]:
    return {"k": 0, "v": np.zeros_like(x), "a": np.zeros_like(x), "buf": np.zeros_like(x)}


def _rmsprop_step(x, g, lr, state, p):
    if p["weight_decay"]:
        g = g + p["weight_decay"] * x
    alpha = p["alpha"]
    v = _squares(state["v"], g, alpha)
    a = state["a"]
    if p["centered"]:
        a = _lerp(a, g, 1 - alpha)
        avg = np.sqrt(v - a * a) + p["eps"]
    else:
        avg = np.sqrt(v) + p["eps"]
    buf = state["buf"]
    if p["momentum"] > 0:
        buf = buf * p["momentum"] + g / avg
        x = x - lr * buf
    else:
        x = x + (-lr * g) / avg  # torch's addcdiv order: (value * g) / avg
    return x, {"k": state["k"] + 1, "v": v, "a": a, "buf": buf}


def _adagrad_state(x: Array) -> dict[str, Any]:
    return {"k": 0, "sum": None}  # filled at the first step (its start is a hyper-parameter)


def _adagrad_step(x, g, lr, state, p):
    if p["weight_decay"]:
        g = g + p["weight_decay"] * x
    total = np.full_like(x, p["initial_accumulator_value"]) if state["sum"] is None else state["sum"]
    total = total + g * g
    return x + (-lr * g) / (np.sqrt(total) + p["eps"]), {"k": state["k"] + 1, "sum": total}


# --- schedule-free ---------------------------------------------------------------------------------------

def _schedule_free_state(x: Array) -> dict[str, Any]:
    # z starts at the parameters (the package clones them at the first step, before changing them)
    return {"k": 0, "z": x.copy(), "v": np.zeros_like(x), "lr_max": -1.0, "weight_sum": 0.0}


def _schedule_free_step(x, d, lr, state, p, beta, v=None):
    """The package's foreach step for y = x and the direction d (the gradient, or Adam's normalized one,
    weight decay added), the lr its warmup and average weights see."""
    k = state["k"]
    lr = lr * ((k + 1) / p["warmup_steps"] if k < p["warmup_steps"] else 1.0)
    lr_max = np.maximum(lr, state["lr_max"])
    weight = ((k + 1) ** p["r"]) * (lr_max ** p["weight_lr_power"])
    weight_sum = state["weight_sum"] + weight
    # the package takes 0 / 0 as 0 (an lr of 0 so far): a sum of weights >= 0 is 0 or at least the least double
    c = weight / np.maximum(weight_sum, 5e-324)
    y = _lerp(x, state["z"], c)
    y = y + (lr * (beta * (1 - c) - 1)) * d
    z = state["z"] - lr * d
    return y, {"k": k + 1, "z": z, "v": state["v"] if v is None else v, "lr_max": lr_max, "weight_sum": weight_sum}


def _schedule_free_sgd_step(x, g, lr, state, p):
    if p["weight_decay"]:
        g = g + p["weight_decay"] * x
    return _schedule_free_step(x, g, lr, state, p, p["momentum"])


def _schedule_free_adamw_step(x, g, lr, state, p):
    b2 = p["beta2"]
    v = _squares(state["v"], g, b2)
    d = g / (np.sqrt(v / (1 - b2 ** (state["k"] + 1))) + p["eps"])
    if p["weight_decay"]:
        d = d + p["weight_decay"] * x
    return _schedule_free_step(x, d, lr, state, p, p["beta1"], v)


def _schedule_free_x(beta: str) -> Callable[[Array, dict[str, Any], dict[str, Any]], Array]:
    """The eval-mode parameters: the package's ``eval()``, p.lerp_(z, 1 - 1/beta)."""
    return lambda y, state, p: _lerp(y, state["z"], 1 - 1 / p[beta])


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        Optimizer("sgd", (WEIGHT_DECAY,), _no_state, _sgd_step, "plain gradient descent (torch SGD)",
                  stability=lambda p: 2.0, stability_text="2"),
        Optimizer("momentum", (MOMENTUM, WEIGHT_DECAY), _buffer_state, _momentum_step,
                  "heavy-ball momentum (torch SGD with momentum, dampening 0)",
                  stability=lambda p: 2.0 * (1 + p["momentum"]), stability_text="2(1+mu)"),
        Optimizer("nesterov", (MOMENTUM, WEIGHT_DECAY), _buffer_state,
                  lambda x, g, lr, s, p: _momentum_step(x, g, lr, s, p, nesterov=True),
                  "Nesterov momentum (torch SGD with nesterov=True)",
                  stability=lambda p: 2.0 * (1 + p["momentum"]) / (1 + 2 * p["momentum"]),
                  stability_text="2(1+mu)/(1+2mu)"),
        Optimizer("adam", ADAM + (WEIGHT_DECAY,), _adam_state, _adam_step, "Adam with bias correction (torch Adam)"),
        Optimizer("adamw", ADAM + (Param("weight_decay", "float", 0.01, "decoupled weight decay", 0.0, 1e3),),
                  _adam_state, lambda x, g, lr, s, p: _adam_step(x, g, lr, s, p, decoupled=True),
                  "Adam with decoupled weight decay (torch AdamW)"),
        Optimizer("rmsprop", RMSPROP, _rmsprop_state, _rmsprop_step,
                  "RMSProp: steps divided by the root of a running mean of squared gradients (torch RMSprop)"),
        Optimizer("adagrad", ADAGRAD, _adagrad_state, _adagrad_step,
                  "Adagrad: steps divided by the root of the sum of all squared gradients (torch Adagrad)"),
        Optimizer("schedulefree_sgd", SCHEDULE_FREE_SGD, _schedule_free_state, _schedule_free_sgd_step,
                  "schedule-free SGD: the loss at the average x (schedulefree.SGDScheduleFree, eval mode)",
                  evaluated=_schedule_free_x("momentum"), settled=lambda p: 2.0 / (1 - p["momentum"])),
        Optimizer("schedulefree_adamw", SCHEDULE_FREE_ADAMW, _schedule_free_state, _schedule_free_adamw_step,
                  "schedule-free AdamW: the loss at the average x (schedulefree.AdamWScheduleFree, eval mode)",
                  evaluated=_schedule_free_x("beta1")),
    )
}
