"""Data problems: logistic regression and a small tanh network on seeded two-moons data, in minibatches.

The data set (train and held-out, ``n`` points each) depends only on ``data_seed``, so runs with different
seeds share it; a run's seed drives its minibatch order and, for ``mlp``, its initial weights. Losses are
the mean binary cross-entropy with logits, log(1 + exp(z)) - y z. An epoch is one pass over the data in
``ceil(n / batch_size)`` minibatches.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import numpy as np

from lrtui.params import Param

Array = np.ndarray

DATA_PARAMS = (
    Param("n", "int", 200, "training points (the held-out set has as many)", 8, 10_000),
    Param("batch_size", "int", 40, "minibatch size", 1, 10_000),
    Param("spread", "float", 0.2, "noise of the two-moons data", 0.0, 10.0),
    Param("data_seed", "int", 0, "seed of the data set (shared by all runs)", 0, 2**31 - 1),
)


@lru_cache(maxsize=16)
def two_moons(n: int, spread: float, seed: int) -> tuple[Array, Array]:
    """n points of two interleaved half circles with Gaussian noise ``spread``; labels 0 and 1."""
    rng = np.random.default_rng(seed)
    half = n // 2
    a = np.linspace(0, np.pi, n - half)
    b = np.linspace(0, np.pi, half)
    X = np.concatenate([np.stack([np.cos(a), np.sin(a)], 1), np.stack([1 - np.cos(b), 0.5 - np.sin(b)], 1)])
    X = X + spread * rng.standard_normal(X.shape)
    y = np.concatenate([np.zeros(n - half), np.ones(half)])
    order = rng.permutation(n)
    X, y = X[order], y[order]
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def _bce(z: Array, y: Array) -> Array:
    """Mean binary cross-entropy with logits z (runs, batch) and labels y, over the batch."""
    return (np.logaddexp(0.0, z) - y * z).sum(axis=-1) / z.shape[-1]


def _sigmoid(z: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


@dataclass(frozen=True)
class DataProblem:
    """A minibatch problem. ``loss_grad(x, X, y, p)`` gives (loss (runs,), grad (runs, dim)) on a batch
    X (runs, batch, 2); ``loss(x, X, y, p)`` the loss on a shared data set X (n, 2)."""

    name: str
    params: tuple[Param, ...]
    dim: Callable[[dict], int]
    init: Callable[[dict, np.random.Generator], Array]
    loss: Callable[[Array, Array, Array, dict], Array]
    loss_grad: Callable[[Array, Array, Array, dict], tuple[Array, Array]]
    note: str
    kind: str = "data"
    sharpness: None = None
    minimum: None = None

    def noise_floor(self, params: dict, lr: Array) -> None:
        """No closed-form noise floor for minibatch training (the analytic problems have one)."""
        return None

    def data(self, p: dict[str, Any]) -> tuple[Array, Array, Array, Array]:
        """Training and held-out sets: X_train, y_train, X_test, y_test."""
        X, y = two_moons(2 * p["n"], p["spread"], p["data_seed"])
        return X[: p["n"]], y[: p["n"]], X[p["n"] :], y[p["n"] :]


# --- logistic regression: z = w . x + b --------------------------------------------------------------


def _logistic_logits(x: Array, X: Array) -> Array:
    """w . x + b per run, elementwise (a BLAS product's rounding would depend on how many runs share it)."""
    w, b = x[:, :2], x[:, 2:3]
    if X.ndim == 2:
        return w[:, 0:1] * X[:, 0] + w[:, 1:2] * X[:, 1] + b
    return w[:, 0:1] * X[..., 0] + w[:, 1:2] * X[..., 1] + b


def _logistic_loss(x, X, y, p):
    return _bce(_logistic_logits(x, X), y)


def _logistic_loss_grad(x, X, y, p):
    z = _logistic_logits(x, X)
    d = (_sigmoid(z) - y) / z.shape[-1]
    grad = np.concatenate([np.einsum("rb,rbi->ri", d, X), d.sum(axis=1, keepdims=True)], axis=1)
    return _bce(z, y), grad


logistic = DataProblem(
    name="logistic",
    params=DATA_PARAMS,
    dim=lambda p: 3,
    init=lambda p, rng: np.zeros(3),
    loss=_logistic_loss,
    loss_grad=_logistic_loss_grad,
    note="Logistic regression on two moons: convex, so any small enough lr converges; minibatch noise "
    "sets a floor that only a decaying lr gets under. The moons are not linearly separable.",
)

# --- mlp: 2 - hidden - 1, tanh ---------------------------------------------------------------------------


def _mlp_unpack(x: Array, h: int) -> tuple[Array, Array, Array, Array]:
    r = x.shape[0]
    return x[:, : 2 * h].reshape(r, 2, h), x[:, 2 * h : 3 * h], x[:, 3 * h : 4 * h], x[:, 4 * h]


def _mlp_forward(x: Array, X: Array, h: int) -> tuple[Array, Array]:
    W1, b1, W2, b2 = _mlp_unpack(x, h)
    a = np.tanh(X @ W1 + b1[:, None, :])  # X (batch, 2) or (runs, batch, 2) @ W1 (runs, 2, h)
    return a, (a @ W2[:, :, None])[..., 0] + b2[:, None]


def _mlp_loss(x, X, y, p):
    return _bce(_mlp_forward(x, X, p["hidden"])[1], y)


def _mlp_loss_grad(x, X, y, p):
    h = p["hidden"]
    _, _, W2, _ = _mlp_unpack(x, h)
    a, z = _mlp_forward(x, X, h)
    d = (_sigmoid(z) - y) / z.shape[-1]  # dL/dz, (runs, batch)
    g_w2 = (d[:, None, :] @ a)[:, 0, :]
    g_b2 = d.sum(axis=1)
    dz1 = d[:, :, None] * W2[:, None, :] * (1 - a * a)  # (runs, batch, hidden)
    g_w1 = (np.swapaxes(X, -1, -2) @ dz1).reshape(x.shape[0], 2 * h)
    g_b1 = dz1.sum(axis=1)
    return _bce(z, y), np.concatenate([g_w1, g_b1, g_w2, g_b2[:, None]], axis=1)


def _mlp_init(p: dict, rng: np.random.Generator) -> Array:
    """Weights N(0, 1/fan_in) (LeCun init, suited to tanh), biases 0."""
    h = p["hidden"]
    w1 = rng.standard_normal(2 * h) / np.sqrt(2)
    w2 = rng.standard_normal(h) / np.sqrt(h)
    return np.concatenate([w1, np.zeros(h), w2, np.zeros(1)])


mlp = DataProblem(
    name="mlp",
    params=DATA_PARAMS + (Param("hidden", "int", 16, "hidden tanh units", 1, 256),),
    dim=lambda p: 4 * p["hidden"] + 1,
    init=_mlp_init,
    loss=_mlp_loss,
    loss_grad=_mlp_loss_grad,
    note="A 2-16-1 tanh network on two moons with hand-written backpropagation: non-convex, with a "
    "held-out loss to watch. Warmup helps early, decay helps late; too high an lr saturates the tanh "
    "units and the loss plateaus or blows up.",
)

DATA: dict[str, DataProblem] = {p.name: p for p in (logistic, mlp)}
