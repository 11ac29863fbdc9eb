"""Teaching problems: exact loss, gradient and (where cheap) sharpness, vectorized across runs.

Parameters are arrays of shape (runs, dim). ``loss(x)`` gives (runs,), ``grad(x)`` (runs, dim) and
``sharpness(x)`` the largest Hessian eigenvalue, (runs,). Analytic problems take ``noise`` sigma: each step's
gradient gets sigma * N(0, 1) per coordinate (times the problem's per-coordinate ``noise_scale``). The data
problems (``logistic``, ``mlp``) live in ``lrtui/sim/datasets.py`` and train in minibatches.
Scenario numbers (T1...T13) are in ``../shared/teaching.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from lrtui.params import Param

Array = np.ndarray

NOISE = Param("noise", "float", 0.0, "gradient noise sigma per coordinate (0 = exact gradients)", 0.0, 1e3)


def _start(name: str, default: float, what: str) -> Param:
    return Param(name, "float", default, f"start {what}", -1e3, 1e3)


@dataclass(frozen=True)
class Problem:
    """An analytic teaching problem. ``start(p)`` gives x0 (dim,) from the resolved parameters ``p``."""

    name: str
    dim: int
    params: tuple[Param, ...]
    loss: Callable[[Array, dict], Array]
    grad: Callable[[Array, dict], Array]
    sharpness: Callable[[Array, dict], Array] | None
    start: Callable[[dict], Array]
    note: str
    noise_scale: tuple[float, ...] = ()
    minimum: float | None = None
    minimizer: tuple[float, ...] | None = None  # where the minimum is, where it is one point (the landscape frames it)
    kind: str = field(default="analytic")
    curvatures: Callable[[dict], tuple[float, ...]] | None = None  # Hessian eigenvalues of a quadratic

    def noise_floor(self, params: dict, lr: Array) -> Array | None:
        """The loss SGD's noise holds a quadratic at, per epoch's lr: sum_i lr s_i^2 / (2 (2 - lr a_i)) for
        curvatures a_i and noise s_i per coordinate (T3); NaN where lr a_i >= 2; None for other problems
        or without noise."""
        if self.curvatures is None or not params.get("noise"):
            return None
        a = np.asarray(self.curvatures(params), dtype=np.float64)
        s = params["noise"] * (np.asarray(self.noise_scale) if self.noise_scale else np.ones_like(a))
        lr = np.asarray(lr, dtype=np.float64)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            floor = np.sum(lr * s**2 / (2 * (2 - lr * a)), axis=1)
        return np.where(np.all(lr * a < 2, axis=1), floor, np.nan)


def _sym2_lmax(a: Array, b: Array, c: Array) -> Array:
    """Largest eigenvalue of [[a, b], [b, c]]."""
    return (a + c) / 2 + np.sqrt(((a - c) / 2) ** 2 + b**2)


def _start_xy(p: dict) -> Array:
    """The start (x0, y0) of a 2-D problem."""
    return np.array([p["x0"], p["y0"]])


def _xy(x: Array) -> tuple[Array, Array]:
    return x[:, 0], x[:, 1]


# --- quadratic: f = L x^2 / 2 -------------------------------------------------------------------------

quadratic = Problem(
    name="quadratic",
    dim=1,
    params=(Param("L", "float", 1.0, "curvature L of f = L x^2 / 2", 1e-6, 1e6, log=True), _start("x0", 1.0, "x"),
            NOISE),
    loss=lambda x, p: 0.5 * p["L"] * x[:, 0] ** 2,
    grad=lambda x, p: p["L"] * x,
    sharpness=lambda x, p: np.full(x.shape[0], p["L"]),
    start=lambda p: np.array([p["x0"]]),
    curvatures=lambda p: (p["L"],),
    note="f = L x^2 / 2. Gradient descent is monotone for lr < 1/L, oscillates but converges for "
    "1/L < lr < 2/L, sits in a period-2 orbit at 2/L and diverges above (T1). With noise it stalls at "
    "the floor E[f] = lr sigma^2 / (2 (2 - lr L)) unless the lr decays (T3, T4).",
    minimum=0.0,
)

# --- ravine: f = 0.1 x1^2 + 2 x2^2 ---------------------------------------------------------------------

ravine = Problem(
    name="ravine",
    dim=2,
    params=(_start("x0", -5.0, "x1"), _start("y0", -2.0, "x2"), NOISE),
    loss=lambda x, p: 0.1 * x[:, 0] ** 2 + 2 * x[:, 1] ** 2,
    grad=lambda x, p: np.stack([0.2 * x[:, 0], 4 * x[:, 1]], axis=1),
    sharpness=lambda x, p: np.full(x.shape[0], 4.0),
    start=_start_xy,
    curvatures=lambda p: (0.2, 4.0),
    note="f = 0.1 x1^2 + 2 x2^2 (curvatures 0.2 and 4, condition number 20). GD zig-zags across the "
    "steep direction and crawls along the flat one; it is stable only for lr < 2/4 = 0.5. Momentum "
    "widens the stable range to lr < 2 (1 + momentum) / 4 (T2).",
    minimum=0.0,
    minimizer=(0.0, 0.0),
)

# --- quartic: f = x^4/4 + x^2/2 ------------------------------------------------------------------------

quartic = Problem(
    name="quartic",
    dim=1,
    params=(_start("x0", 2.5, "x"), NOISE),
    loss=lambda x, p: x[:, 0] ** 4 / 4 + x[:, 0] ** 2 / 2,
    grad=lambda x, p: x**3 + x,
    sharpness=lambda x, p: 3 * x[:, 0] ** 2 + 1,
    start=lambda p: np.array([p["x0"]]),
    note="f = x^4/4 + x^2/2: curvature 3x^2 + 1 is 19.75 at the start and 1 at the minimum, so the "
    "stable lr grows from 0.10 to 2 as it converges. A constant lr >= 0.3 diverges; a linear warmup "
    "to 1.5 converges to 1e-21 in 30 steps (T5).",
    minimum=0.0,
)

# --- two_basins: sharp local minimum at +2, flat global minimum near -1.86 -----------------------------


def _two_basins_bumps(z: Array) -> tuple[Array, Array]:
    """The sharp Gaussian well at +2 and the wide one at -2 (both as positive depths)."""
    return np.exp(-((z - 2) ** 2) / 0.02), 1.2 * np.exp(-((z + 2) ** 2) / 4.5)


def _two_basins_loss(x: Array, p: dict) -> Array:
    z = x[:, 0]
    sharp, wide = _two_basins_bumps(z)
    return 0.02 * z**2 - sharp - wide


def _two_basins_grad(x: Array, p: dict) -> Array:
    sharp, wide = _two_basins_bumps(x)
    return 0.04 * x + sharp * 2 * (x - 2) / 0.02 + wide * 2 * (x + 2) / 4.5


def _two_basins_sharpness(x: Array, p: dict) -> Array:
    z = x[:, 0]
    sharp, wide = _two_basins_bumps(z)
    return 0.04 + sharp * (2 / 0.02 - (2 * (z - 2) / 0.02) ** 2) + wide * (2 / 4.5 - (2 * (z + 2) / 4.5) ** 2)


two_basins = Problem(
    name="two_basins",
    dim=1,
    params=(_start("x0", 2.05, "x"), NOISE),
    loss=_two_basins_loss,
    grad=_two_basins_grad,
    sharpness=_two_basins_sharpness,
    start=lambda p: np.array([p["x0"]]),
    note="f = 0.02x^2 - exp(-(x-2)^2/0.02) - 1.2 exp(-(x+2)^2/4.5): a sharp local minimum at x = 2 "
    "(curvature 100, stable only for lr < 0.02) and a flat global one at x = -1.86 (curvature 0.57). "
    "Small constant lrs stay in the sharp basin; large-lr phases (cosine, SGDR, step decay) end in the "
    "flat one (T7).",
    minimum=-1.126,
)

# --- catapult: L(u, v) = (uv - 1)^2 / 2 -----------------------------------------------------------------


def _catapult_grad(x: Array, p: dict) -> Array:
    u, v = _xy(x)
    r = u * v - 1
    return np.stack([r * v, r * u], axis=1)


def _catapult_sharpness(x: Array, p: dict) -> Array:
    u, v = _xy(x)
    return _sym2_lmax(v**2, 2 * u * v - 1, u**2)


catapult = Problem(
    name="catapult",
    dim=2,
    params=(_start("x0", 2.5, "u"), _start("y0", 0.1, "v"), NOISE),
    loss=lambda x, p: 0.5 * (x[:, 0] * x[:, 1] - 1) ** 2,
    grad=_catapult_grad,
    sharpness=_catapult_sharpness,
    start=_start_xy,
    note="L(u, v) = (uv - 1)^2 / 2, sharpness u^2 + v^2 at a minimum (6.26 at the start). For "
    "2/6.26 < lr < 4/6.26 the loss spikes, then settles in a flatter minimum whose sharpness is below "
    "2/lr: the catapult (lr = 0.5: peak loss 3.78, final sharpness 2.45) (T6).",
    minimum=0.0,
)

# --- river_valley: f = 10 y^2 / 2 + 0.02 (x - 10)^2 / 2 -------------------------------------------------

river_valley = Problem(
    name="river_valley",
    dim=2,
    params=(_start("x0", 0.0, "x (along the river)"), _start("y0", 0.0, "y (across)"),
            Param("noise", "float", 3.0, "gradient noise sigma across the valley (0.1 sigma along it)", 0.0, 1e3)),
    loss=lambda x, p: 0.5 * 0.02 * (x[:, 0] - 10) ** 2 + 0.5 * 10 * x[:, 1] ** 2,
    grad=lambda x, p: np.stack([0.02 * (x[:, 0] - 10), 10 * x[:, 1]], axis=1),
    sharpness=lambda x, p: np.full(x.shape[0], 10.0),
    start=_start_xy,
    curvatures=lambda p: (0.02, 10.0),
    note="f = 10 y^2/2 + 0.02 (x - 10)^2/2 with noise 3 across and 0.3 along the river. A high constant "
    "lr makes fast progress along the river but bounces across it (loss floor ~0.45); WSD's decay "
    "phase drops the loss at once (T10).",
    noise_scale=(0.1, 1.0),
    minimum=0.0,
    minimizer=(10.0, 0.0),
)

# --- rosenbrock -----------------------------------------------------------------------------------------


def _rosenbrock_grad(x: Array, p: dict) -> Array:
    u, v = _xy(x)
    return np.stack([-2 * (1 - u) - 400 * u * (v - u**2), 200 * (v - u**2)], axis=1)


def _rosenbrock_sharpness(x: Array, p: dict) -> Array:
    u, v = _xy(x)
    return _sym2_lmax(2 - 400 * (v - u**2) + 800 * u**2, -400 * u, np.full_like(u, 200.0))


rosenbrock = Problem(
    name="rosenbrock",
    dim=2,
    params=(_start("x0", -1.5, "x"), _start("y0", 2.0, "y"), NOISE),
    loss=lambda x, p: (1 - x[:, 0]) ** 2 + 100 * (x[:, 1] - x[:, 0] ** 2) ** 2,
    grad=_rosenbrock_grad,
    sharpness=_rosenbrock_sharpness,
    start=_start_xy,
    note="f = (1 - x)^2 + 100 (y - x^2)^2: a curved banana valley. Sharpness is ~2092 at the start and "
    "1001.6 at the optimum (1, 1), so lr = 2e-3 hovers at the edge of stability and 2.1e-3 diverges "
    "(T12); a warmup to 1.9e-3 converges fast.",
    minimum=0.0,
    minimizer=(1.0, 1.0),
)

# --- beale ----------------------------------------------------------------------------------------------

_BEALE_C = (1.5, 2.25, 2.625)


def _beale_loss(x: Array, p: dict) -> Array:
    u, v = _xy(x)
    return sum((c - u + u * v ** (i + 1)) ** 2 for i, c in enumerate(_BEALE_C))


def _beale_grad(x: Array, p: dict) -> Array:
    u, v = _xy(x)
    gu = np.zeros_like(u)
    gv = np.zeros_like(u)
    for i, c in enumerate(_BEALE_C, start=1):
        r = c - u + u * v**i
        gu += 2 * r * (v**i - 1)
        gv += 2 * r * i * u * v ** (i - 1)
    return np.stack([gu, gv], axis=1)


def _beale_sharpness(x: Array, p: dict) -> Array:
    """Hessian of sum r_i^2 is 2 sum (grad r_i grad r_i^T + r_i hess r_i), r_i = c_i - u + u v^i."""
    u, v = _xy(x)
    huu, huv, hvv = np.zeros_like(u), np.zeros_like(u), np.zeros_like(u)
    for i, c in enumerate(_BEALE_C, start=1):
        r = c - u + u * v**i
        du, dv = v**i - 1, i * u * v ** (i - 1)
        dudv = i * v ** (i - 1)
        dvdv = i * (i - 1) * u * v ** (i - 2) if i > 1 else 0.0
        huu += 2 * du * du
        huv += 2 * (du * dv + r * dudv)
        hvv += 2 * (dv * dv + r * dvdv)
    return _sym2_lmax(huu, huv, hvv)


beale = Problem(
    name="beale",
    dim=2,
    params=(_start("x0", 3.0, "x"), _start("y0", 4.0, "y"), NOISE),
    loss=_beale_loss,
    grad=_beale_grad,
    sharpness=_beale_sharpness,
    start=_start_xy,
    note="Beale's function from (3, 4), minimum 0 at (3, 0.5). Gradients are huge at the start: GD with "
    "lr = 1e-4 is slow, lr = 1e-3 diverges at once, and so does momentum 0.9 at 1e-4 (T13).",
    minimum=0.0,
    minimizer=(3.0, 0.5),
)

# --- spectrum: f = sum_i lambda_i x_i^2 / 2 over three curvatures -----------------------------------

_SPECTRUM = (
    Param("l1", "float", 10.0, "the largest curvature lambda_1", 1e-6, 1e6, log=True),
    Param("l2", "float", 1.0, "the middle curvature lambda_2", 1e-6, 1e6, log=True),
    Param("l3", "float", 0.1, "the smallest curvature lambda_3", 1e-6, 1e6, log=True),
    _start("x0", 1.0, "value of every coordinate"),
    NOISE,
)


def _lambdas(p: dict) -> Array:
    return np.array([p["l1"], p["l2"], p["l3"]])


spectrum = Problem(
    name="spectrum",
    dim=3,
    params=_SPECTRUM,
    loss=lambda x, p: 0.5 * np.sum(_lambdas(p) * x * x, axis=1),
    grad=lambda x, p: _lambdas(p) * x,
    sharpness=lambda x, p: np.full(x.shape[0], float(_lambdas(p).max())),
    start=lambda p: np.full(3, p["x0"]),
    curvatures=lambda p: tuple(_lambdas(p)),
    note="f = (10 x1^2 + x2^2 + 0.1 x3^2) / 2 from (1, 1, 1): three curvatures a decade apart. The stable "
    "limit is 2/10 = 0.2, yet an lr range test's loss minimum lands near 0.87, about 4x too high: the sharp "
    "direction converged early and needs many steps to blow up again (T8).",
    minimum=0.0,
)

# --- nqm: the noisy quadratic model, f = sum_i lambda_i x_i^2 / 2 with gradient noise variance lambda_i / B ---

_NQM_LAMBDAS = (1.0, 0.1, 0.01)


def _nqm_lambdas() -> Array:
    return np.array(_NQM_LAMBDAS)


nqm = Problem(
    name="nqm",
    dim=3,
    params=(
        _start("x0", 1.0, "value of every coordinate"),
        Param("noise", "float", 0.125, "gradient noise 1/sqrt(B) for batch size B (0.354 for B = 8): coordinate i "
              "gets sigma = noise sqrt(lambda_i)", 0.0, 1e3),
    ),
    loss=lambda x, p: 0.5 * np.sum(_nqm_lambdas() * x * x, axis=1),
    grad=lambda x, p: _nqm_lambdas() * x,
    sharpness=lambda x, p: np.full(x.shape[0], max(_NQM_LAMBDAS)),
    start=lambda p: np.full(3, p["x0"]),
    curvatures=lambda p: _NQM_LAMBDAS,
    # A minibatch of B samples has gradient noise variance lambda_i / B per coordinate (Zhang et al. 2019).
    noise_scale=tuple(float(np.sqrt(a)) for a in _NQM_LAMBDAS),
    note="The noisy quadratic model: f = (x1^2 + 0.1 x2^2 + 0.01 x3^2) / 2 from (1, 1, 1), a minibatch of B "
    "samples giving gradient noise variance lambda_i / B (noise = 1/sqrt(B)). With a fixed sample budget and "
    "lr = 0.05 B / 8 the loss stays ~0.0019 up to B = 32, then rises (0.0081 at B = 256) and B = 512 "
    "(lr 3.2 > 2/lambda_max) diverges: the linear scaling rule holds until the lr meets the curvature (T9).",
    minimum=0.0,
)

ANALYTIC: dict[str, Problem] = {
    p.name: p
    for p in (quadratic, ravine, quartic, two_basins, catapult, river_valley, rosenbrock, beale, spectrum, nqm)
}

