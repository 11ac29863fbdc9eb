"""Optimizers as pure updates, vectorized across runs, following torch.optim (2.13.0) step for step.

``init(x)`` gives the state for parameters x (runs, dim); ``step(x, g, lr, state, p)`` gives the new
(x, state) for gradients g and learning rates lr (runs, 1). Hyper-parameters ``p`` are the resolved
declarations below (torch's defaults).

    sgd       x -= lr * (g + wd x)
    momentum  buf = mu buf + (g + wd x)  (buf = g at the first step, dampening 0);  x -= lr buf
    nesterov  buf as momentum;  x -= lr (g + wd x + mu buf)
    adam      g += wd x;  m = lerp(m, g, 1 - b1);  v = b2 v + (1 - b2) g^2;
              x -= lr / (1 - b1^k) * m / (sqrt(v) / sqrt(1 - b2^k) + eps)      (k = step count)
    adamw     x *= 1 - lr wd, then adam without the wd term
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from lrtui.params import Param

Array = np.ndarray

WEIGHT_DECAY = Param("weight_decay", "float", 0.0, "L2 penalty added to the gradient", 0.0, 1e3)
MOMENTUM = Param("momentum", "float", 0.9, "momentum factor mu", 0.0, 1.0, high_open=True)
ADAM = (
    Param("beta1", "float", 0.9, "decay of the gradient average (torch betas[0])", 0.0, 1.0, high_open=True),
    Param("beta2", "float", 0.999, "decay of the squared-gradient average (torch betas[1])", 0.0, 1.0, high_open=True),
    Param("eps", "float", 1e-8, "added to the denominator", 0.0, 1.0),
)


@dataclass(frozen=True)
class Optimizer:
    """One optimizer: its declared hyper-parameters and its pure update."""

    name: str
    params: tuple[Param, ...]
    init: Callable[[Array], dict[str, Any]]
    step: Callable[[Array, Array, Array, dict[str, Any], dict[str, Any]], tuple[Array, dict[str, Any]]]
    summary: str

    def stability_factor(self, p: dict[str, Any]) -> float | None:
        """c in the stability bound lr < c / lambda_max on a quadratic (None where no such bound holds)."""
        if self.name == "sgd":
            return 2.0
        if self.name == "momentum":
            return 2.0 * (1 + p["momentum"])
        if self.name == "nesterov":
            return 2.0 * (1 + p["momentum"]) / (1 + 2 * p["momentum"])
        return None


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


def _lerp(start: Array, end: Array, weight: float) -> Array:
    """torch.lerp's CPU formula (two branches, for accuracy near either end)."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


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
    v = state["v"] * b2 + ((1 - b2) * g) * g  # torch's addcmul order
    step_size = lr / (1 - b1**k)
    denom = np.sqrt(v) / (1 - b2**k) ** 0.5 + p["eps"]
    return x - step_size * (m / denom), {"k": k, "m": m, "v": v}


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        Optimizer("sgd", (WEIGHT_DECAY,), _no_state, _sgd_step, "plain gradient descent (torch SGD)"),
        Optimizer("momentum", (MOMENTUM, WEIGHT_DECAY), _buffer_state, _momentum_step,
                  "heavy-ball momentum (torch SGD with momentum, dampening 0)"),
        Optimizer("nesterov", (MOMENTUM, WEIGHT_DECAY), _buffer_state,
                  lambda x, g, lr, s, p: _momentum_step(x, g, lr, s, p, nesterov=True),
                  "Nesterov momentum (torch SGD with nesterov=True)"),
        Optimizer("adam", ADAM + (WEIGHT_DECAY,), _adam_state, _adam_step, "Adam with bias correction (torch Adam)"),
        Optimizer("adamw", ADAM + (Param("weight_decay", "float", 0.01, "decoupled weight decay", 0.0, 1e3),),
                  _adam_state, lambda x, g, lr, s, p: _adam_step(x, g, lr, s, p, decoupled=True),
                  "Adam with decoupled weight decay (torch AdamW)"),
    )
}
