"""A schedule as transformers code: its own get_*_schedule function for that family; the other schedules have
no transformers equivalent, and the code says so (use the torch code)."""

from __future__ import annotations

from typing import Any

from lrtui import schedules
from lrtui.codegen.common import kwargs_source


_TRANSFORMERS = {
    "warmup_constant": ("get_constant_schedule_with_warmup", ("num_warmup_steps",)),
    "warmup_linear": ("get_linear_schedule_with_warmup", ("num_warmup_steps", "num_training_steps")),
    "warmup_cosine": ("get_cosine_schedule_with_warmup", ("num_warmup_steps", "num_training_steps", "num_cycles")),
    "warmup_cosine_restarts": ("get_cosine_with_hard_restarts_schedule_with_warmup",
                               ("num_warmup_steps", "num_training_steps", "num_cycles")),
    "warmup_polynomial": ("get_polynomial_decay_schedule_with_warmup",
                          ("num_warmup_steps", "num_training_steps", "lr_end", "power")),
    "inverse_sqrt": ("get_inverse_sqrt_schedule", ("num_warmup_steps", "timescale")),
    "warmup_cosine_min_lr": ("get_cosine_with_min_lr_schedule_with_warmup",
                             ("num_warmup_steps", "num_training_steps", "num_cycles")),
    "wsd": ("get_wsd_schedule", ("num_warmup_steps", "num_decay_steps", "num_training_steps", "num_stable_steps",
                                 "warmup_type", "decay_type", "min_lr_ratio", "num_cycles")),
}


def transformers_code(spec: dict[str, Any]) -> str:
    """transformers' own function for its family; for the others, a comment saying there is none."""
    schedule = schedules.from_spec(spec)
    name, params = schedule.name, dict(schedule.params)
    if name not in _TRANSFORMERS:
        return (f"# {name} has no transformers schedule function: use the torch code (lrtui code {name} "
                "--framework torch), which any transformers Trainer accepts as its lr_scheduler.\n")
    func, names = _TRANSFORMERS[name]
    if name == "wsd" and params["num_stable_steps"] is not None:  # the stable steps set the length: given
        params["num_training_steps"] = None  # both, transformers warns (and uses num_stable_steps anyway)
    args = kwargs_source(names, params)
    if name == "warmup_cosine_min_lr":
        args += (f", min_lr={params['min_lr']!r}" if params["min_lr"] is not None
                 else f", min_lr_rate={params['min_lr_rate']!r}")
    return ("import torch\nfrom transformers import optimization\n\n"  # the imports first, each one used
            "param = torch.nn.Parameter(torch.zeros(1))  # stands for your model's parameters\n"
            f"optimizer = torch.optim.SGD([param], lr={params['lr']!r})\n"
            f"# note: transformers' warmups start at lr 0 at step 0, as lrtui's {name} does\n"
            f"scheduler = optimization.{func}(optimizer, {args})\n")
