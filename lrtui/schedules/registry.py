"""The schedule registry: declarations, validation at the boundary, and the :class:`Schedule` callable.

A schedule is defined once by :func:`register` (its parameters, its vectorized formula, its cross-parameter
checks) and built by :func:`create`, which validates everything and returns a :class:`Schedule`: a pure
function of an integer array of epochs, with no state.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from lrtui.params import MAX_EPOCHS, ConfigError, Param, format_value, resolve
from lrtui.schedules.join import join_schedules

Formula = Callable[..., np.ndarray]
Chainable = Callable[..., tuple[np.ndarray, np.ndarray]]

LR = Param("lr", "float", 0.1, "base learning rate (the optimizer's lr)", low=0.0, high=1e6, log=True)

WARMUP_PARAMS = (
    Param("warmup", "int", 0, "linear warmup epochs before the schedule starts (its epoch 0)", 0, MAX_EPOCHS),
    Param("warmup_start_factor", "float", 0.0, "warmup starts at this fraction of the base lr", 0.0, 1.0),
)
"""The composition option every torch-family schedule carries: SequentialLR([LinearLR, schedule], [warmup])."""


_MARKUP = re.compile(r"``(.+?)``|:\w+:`([^`]+)`")


def without_markup(text: str) -> str:
    """A docstring's text as a reader sees it: ``code`` and :role:`target` marks left out."""
    return _MARKUP.sub(lambda m: m.group(1) or m.group(2), text)


@dataclass(frozen=True)
class ScheduleDef:
    """The declaration of one schedule.

    ``formula(t, **params)`` maps an int64 array of epochs to float64 learning rates. ``complete(params,
    given)`` fills in a default that depends on what was given (wsd's length from its stable steps), and
    ``length_from`` names the parameters that, all set, give the length in place of the horizon; ``check``
    raises :class:`ConfigError` on inconsistent values; ``horizon`` gives the last epoch + 1 the schedule is defined
    for (``None``: unbounded); ``base`` gives the lr a warmup ramps to. ``build``, for compositions, replaces
    the plain formula with a function of the resolved parameters returning a formula.

    ``chainable(t, base, **params)`` is torch's recursive ``get_lr`` at epochs t (t = 0: the step the
    constructor takes) as an affine update ``lr <- a * lr + c`` of the lr it finds, returned as ``(a, c)``;
    it is what a torch ChainedScheduler applies. Schedules without one overwrite the lr with their value
    (LambdaLR, CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts). ``multiplicative``: the update is a pure
    factor (c = 0) that telescopes, so the closed form multiplies in a chain.
    """

    name: str
    family: str
    params: tuple[Param, ...]
    formula: Formula | None
    doc: str
    summary: str
    check: Callable[[dict[str, Any]], None] | None = None
    horizon: Callable[[dict[str, Any]], int | None] | None = None
    base: Callable[[dict[str, Any]], float] | None = None
    complete: Callable[[dict[str, Any], set[str]], dict[str, Any]] | None = None
    length_from: tuple[str, ...] = ()
    build: Callable[[dict[str, Any], str], "Schedule"] | None = None
    multiplicative: bool = False
    chainable: Chainable | None = None

    @property
    def has_warmup_option(self) -> bool:
        return self.family in ("torch", "keras")

    @property
    def all_params(self) -> tuple[Param, ...]:
        return self.params + (WARMUP_PARAMS if self.has_warmup_option else ())


_REGISTRY: dict[str, ScheduleDef] = {}


def register(
    name: str,
    family: str,
    params: tuple[Param, ...],
    *,
    check: Callable[[dict[str, Any]], None] | None = None,
    horizon: Callable[[dict[str, Any]], int | None] | None = None,
    base: Callable[[dict[str, Any]], float] | None = None,
    complete: Callable[[dict[str, Any], set[str]], dict[str, Any]] | None = None,
    length_from: tuple[str, ...] = (),
    multiplicative: bool = False,
    chainable: Chainable | None = None,
) -> Callable[[Formula], Formula]:
    """Decorator: declare ``formula`` as the schedule ``name`` with its parameters."""

    def decorate(formula: Formula) -> Formula:
        doc = (formula.__doc__ or "").strip()
        _REGISTRY[name] = ScheduleDef(
            name=name,
            family=family,
            params=params,
            formula=formula,
            doc=doc,
            summary=doc.splitlines()[0] if doc else name,
            check=check,
            horizon=horizon,
            base=base,
            complete=complete,
            length_from=length_from,
            multiplicative=multiplicative,
            chainable=chainable,
        )
        return formula

    return decorate


def register_def(definition: ScheduleDef) -> None:
    """Add a fully built declaration (used by compositions and metric-driven schedules)."""
    _REGISTRY[definition.name] = definition


def names() -> list[str]:
    """Every schedule name, in declaration order."""
    return list(_REGISTRY)


def get(name: str, prefix: str = "") -> ScheduleDef:
    """The declaration of ``name``, or a :class:`ConfigError` listing the names allowed."""
    if not isinstance(name, str) or name not in _REGISTRY:
        close = difflib.get_close_matches(str(name), _REGISTRY, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        where = f"{prefix.rstrip('.')}: " if prefix else ""
        raise ConfigError(f"{where}schedule {format_value(name)} is unknown{hint}: allowed " + ", ".join(_REGISTRY))
    return _REGISTRY[name]


def check_epochs(epochs: Any) -> np.ndarray:
    """Epochs as an int64 array, or a :class:`ConfigError` when they are not integers >= 0."""
    t = np.asarray(epochs)
    if t.dtype.kind not in "iu":
        raise ConfigError(f"epochs must be integers >= 0, got an array of {t.dtype}")
    if t.size and t.min() < 0:
        raise ConfigError(f"epochs must be integers >= 0, got {int(t.min())}")
    return t.astype(np.int64, copy=False)


@dataclass(frozen=True)
class Schedule:
    """A validated schedule: call it on an integer array of epochs to get float64 learning rates.

    ``params`` holds every parameter (defaults filled in); ``spec`` is the nested-dict form that
    :func:`create` accepts back. ``horizon`` is the number of epochs it is defined for (``None``: any).
    ``members`` are a composition's built member schedules, in order.
    """

    name: str
    params: Mapping[str, Any]
    formula: Formula = field(repr=False, compare=False)
    horizon: int | None = None
    horizon_param: str = "total_steps"
    horizon_offset: int = 0
    members: tuple["Schedule", ...] = field(default=(), repr=False, compare=False)

    def __call__(self, epochs: Any) -> np.ndarray:
        t = check_epochs(epochs)
        self.check_length(int(t.max()) + 1 if t.size else 0)
        flat = t.reshape(-1)
        with np.errstate(all="ignore"):
            out = np.asarray(self.formula(flat), dtype=np.float64)
        return out.reshape(t.shape)

    def check_length(self, epochs: int) -> None:
        """Raise :class:`ConfigError` when a run of ``epochs`` epochs goes past the schedule's horizon.

        The horizon is ``horizon_param`` (e.g. onecycle's total_steps) plus ``horizon_offset`` epochs
        before it starts (a warmup, or the milestone of a sequential's last member).
        """
        if self.horizon is not None and epochs > self.horizon:
            offset = self.horizon_offset
            after = f" ({offset} of them before it starts)" if offset else ""
            raise ConfigError(
                f"{self.horizon_param}={self.horizon - offset} is shorter than the run of {epochs} epochs{after}: "
                f"allowed {self.horizon_param} >= {epochs - offset}"
            )

    @property
    def spec(self) -> dict[str, Any]:
        """``{"name": ..., "params": {...}}`` with every parameter, nested specs included."""
        params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.params.items()}
        return {"name": self.name, "params": params}

    @property
    def definition(self) -> ScheduleDef:
        return _REGISTRY[self.name]


def create(name: str, /, **given: Any) -> Schedule:
    """Build the schedule ``name`` from ``given`` parameters (Python values or typed text).

    Every value is validated; unknown names, out-of-range and inconsistent values raise
    :class:`ConfigError` naming the parameter.
    """
    return build(name, given)


def build(name: str, given: Mapping[str, Any], prefix: str = "") -> Schedule:
    """:func:`create` with the parameters as a mapping; ``prefix`` names the place of a nested spec in
    messages (``"schedulers[1]."``)."""
    definition = get(name, prefix)
    params = resolve(definition.all_params, given, name, prefix)
    if definition.complete is not None:
        params = definition.complete(params, {k for k, v in given.items() if v is not None})
    if definition.build is not None:
        return definition.build(params, prefix)
    if definition.check is not None:
        try:
            definition.check(params)
        except ConfigError as err:
            raise ConfigError(f"{prefix}{err}") from None
    inner = _bind(definition.formula, {p.name: params[p.name] for p in definition.params})
    horizon = definition.horizon(params) if definition.horizon else None
    warmup = params.get("warmup", 0)
    if warmup:
        base = definition.base(params) if definition.base else params["lr"]
        formula = with_warmup(inner, warmup, params["warmup_start_factor"], base)
        horizon = None if horizon is None else horizon + warmup
    else:
        formula = inner
    typed = {k for k, v in given.items() if v is not None}
    from_pair = definition.length_from and set(definition.length_from) <= typed and "total_steps" not in typed
    horizon_name = " x ".join(definition.length_from) if from_pair else "total_steps"  # (as the user gave it)
    return Schedule(name, params, formula, horizon, horizon_name, warmup)


def _bind(formula: Formula, params: dict[str, Any]) -> Formula:
    def bound(t: np.ndarray) -> np.ndarray:
        return formula(t, **params)

    return bound


def with_warmup(inner: Formula, warmup: int, start_factor: float, base: float) -> Formula:
    """SequentialLR([LinearLR(start_factor, 1.0, warmup), inner], milestones=[warmup]).

    lr(t) = base * (s + (1 - s) * t / W) for t < W, then inner(t - W): the schedule restarts at its own
    epoch 0 when the warmup ends (a :func:`~lrtui.schedules.join.join_schedules` of the ramp and the schedule).
    """

    def ramp(t: np.ndarray) -> np.ndarray:
        return base * (start_factor + (1.0 - start_factor) * t / warmup)

    return join_schedules([ramp, inner], [warmup])
