"""A schedule as code for real training: torch (a script fragment with torch's own scheduler classes),
transformers (its own get_*_schedule functions) or optax (a schedule function of the update count), one module
each, with the run's optimizer (``optimizers.py``: torch's or schedulefree's class, optax's function).
``code_for(spec, framework, optimizer, optimizer_params)`` picks one of them and drops the imports the code does
not use. Each module has a table, ``EMITTERS``, from every schedule's name to its code (or to what is said instead
where the framework has no such schedule): :data:`EMITTERS` holds the three. transformers' entries give its call as
a value (:class:`~lrtui.codegen.transformers.Call`), which the fragment and the training script are both written
from.
"""

from __future__ import annotations

from typing import Any

from lrtui import schedules
from lrtui.codegen import optax, torch, transformers
from lrtui.codegen.optax import optax_code
from lrtui.codegen.torch import exportable, torch_code
from lrtui.codegen.transformers import transformers_code
from lrtui.params import ConfigError

__all__ = ["EMITTERS", "FRAMEWORKS", "code_for", "exportable", "missing_entries", "optax_code", "torch_code",
           "training_code", "transformers_code"]


_WRITERS = {"torch": torch_code, "transformers": transformers_code, "optax": optax_code}
FRAMEWORKS = tuple(_WRITERS)
"""The frameworks :func:`code_for` writes code for (``lrtui code --framework``)."""

EMITTERS = {"torch": torch.EMITTERS, "transformers": transformers.EMITTERS, "optax": optax.EMITTERS}
"""Each framework's table from schedule name to its code."""


def missing_entries(framework: str) -> list[str]:
    """The schedules ``framework``'s table has no entry for (a schedule added to the registry and not here):
    none, as tests/test_codegen.py checks.

    >>> missing_entries("optax")
    []
    """
    return [name for name in schedules.names() if name not in EMITTERS[framework]]


def code_for(spec: dict[str, Any], framework: str = "torch", optimizer: str = "sgd",
             optimizer_params: dict[str, Any] | None = None) -> str:
    """The schedule ``spec`` as code for ``framework``, one of :data:`FRAMEWORKS`, driving the run's optimizer
    (its parameters as a run gives them; :mod:`lrtui.codegen.optimizers`).

    >>> print(code_for({"name": "step", "params": {"step_size": 10}}, "optax").splitlines()[-3])
    schedule = optax.exponential_decay(init_value=0.1, transition_steps=10, decay_rate=0.1, staircase=True)
    >>> print(code_for({"name": "constant", "params": {}}, "torch", "rmsprop", {"alpha": 0.9}).splitlines()[-2])
    optimizer = torch.optim.RMSprop([param], lr=0.1, alpha=0.9)
    """
    if framework not in _WRITERS:
        raise ConfigError(f"framework={framework!r} is unknown: allowed " + ", ".join(FRAMEWORKS))
    return _without_unused_imports(_WRITERS[framework](spec, optimizer, optimizer_params))


def training_code(run: Any, framework: str = "torch") -> str:
    """The whole run (a :class:`~lrtui.sim.config.Prepared`) as a training script for ``framework``: its
    optimizer, its schedule and a loop that steps them in the right order (lrtui.codegen.training)."""
    from lrtui.codegen.training import optax_training, torch_training, transformers_training

    writers = {"torch": torch_training, "transformers": transformers_training, "optax": optax_training}
    if framework not in writers:
        raise ConfigError(f"framework={framework!r} is unknown: allowed " + ", ".join(FRAMEWORKS))
    return _without_unused_imports(writers[framework](run))


def _without_unused_imports(code: str) -> str:
    r"""The headers import math and jax.numpy for the schedules that need them: drop them where unused.

    >>> _without_unused_imports("import math\nimport torch\nx = torch.zeros(1)\n")
    'import torch\nx = torch.zeros(1)\n'
    """
    for line, use in (("import math\n", "math."), ("import jax.numpy as jnp\n", "jnp.")):
        if line in code and use not in code.replace(line, ""):
            code = code.replace(line, "", 1)
    return code
