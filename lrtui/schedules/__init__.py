"""Every learning-rate schedule lrtui knows, as pure vectorized functions of the epoch.

>>> import numpy as np
>>> from lrtui import schedules
>>> cosine = schedules.create("cosine", lr=0.1, T_max=10)
>>> [round(float(x), 6) for x in cosine(np.arange(0, 21, 5))]
[0.1, 0.05, 0.0, 0.05, 0.1]
>>> schedules.create("step", step_size=0)
Traceback (most recent call last):
...
lrtui.params.ConfigError: step_size=0 is not allowed: an integer in [1, 10000000]
"""

from lrtui.params import ConfigError, Param
from lrtui.schedules.join import join_schedules
from lrtui.schedules.registry import Schedule, ScheduleDef, check_epochs, create, get, names
from lrtui.schedules import torch_family, transformers_family, composition  # noqa: F401  (they register)
from lrtui.schedules import plateau  # noqa: F401,E402  (registers "plateau")
from lrtui.schedules.plateau import Plateau, PlateauState

__all__ = [
    "ConfigError",
    "Param",
    "Plateau",
    "PlateauState",
    "Schedule",
    "ScheduleDef",
    "check_epochs",
    "create",
    "from_spec",
    "get",
    "join_schedules",
    "names",
]


def from_spec(spec: dict) -> "Schedule | Plateau":
    """Build a schedule from ``{"name": ..., "params": {...}}`` (the form ``Schedule.spec`` gives back)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise ConfigError('a schedule spec must be an object with "name" (and optional "params")')
    params = spec.get("params", {})
    if not isinstance(params, dict):
        raise ConfigError('"params" of a schedule spec must be an object of parameter values')
    unknown = set(spec) - {"name", "params"}
    if unknown:
        raise ConfigError(f"{sorted(unknown)[0]} is not a key of a schedule spec: allowed name, params")
    return create(spec["name"], **params)
