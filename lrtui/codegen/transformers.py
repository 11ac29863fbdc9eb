"""A schedule as transformers code: its own get_*_schedule function for that family, and for a torch-family
schedule whose curve one of them gives (flat, a cosine to 0, a linear decay to 0, from lr or after a warmup
from 0); the other schedules have no transformers equivalent, and the code says so (use the torch code)."""

from __future__ import annotations

from typing import Any

from lrtui import schedules
from lrtui.codegen.common import comment_lines, kwargs_source


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


# torch-family schedules a transformers function also gives, and the settings it needs for that
_TWINS = {
    "constant": ("get_constant_schedule", "factor=1 (or total_iters=0)"),
    "cosine": ("get_cosine_schedule_with_warmup", "eta_min=0"),
    "linear": ("get_linear_schedule_with_warmup", "start_factor=1 and end_factor=0"),
}


def _twin(name: str, p: dict[str, Any]) -> tuple[str, str] | None:
    """transformers' function and its arguments for a torch-family schedule it gives exactly, else None.

    A warmup from 0 is transformers' own (t / W); the schedule after it starts at its epoch 0 in both."""
    w = p.get("warmup", 0)
    if w and p["warmup_start_factor"] != 0:
        return None
    if name == "constant" and (p["factor"] == 1 or p["total_iters"] == 0):
        return ("get_constant_schedule_with_warmup", f"num_warmup_steps={w}") if w else ("get_constant_schedule", "")
    if name == "cosine" and p["eta_min"] == 0:
        return "get_cosine_schedule_with_warmup", f"num_warmup_steps={w}, num_training_steps={w + p['T_max']}"
    if name == "linear" and p["start_factor"] == 1 and p["end_factor"] == 0:
        return "get_linear_schedule_with_warmup", f"num_warmup_steps={w}, num_training_steps={w + p['total_iters']}"
    return None


def _code(lr: float, call: str, note: str) -> str:
    return ("import torch\nfrom transformers import optimization\n\n"  # the imports first, each one used
            "param = torch.nn.Parameter(torch.zeros(1))  # stands for your model's parameters\n"
            f"optimizer = torch.optim.SGD([param], lr={lr!r})\n"
            f"{note}scheduler = optimization.{call}\n")


def transformers_code(spec: dict[str, Any]) -> str:
    """transformers' own function for its family, or for a torch-family schedule it gives exactly; for the
    others, a comment saying there is none (and, where one comes close, what it would need)."""
    schedule = schedules.from_spec(spec)
    name, params = schedule.name, dict(schedule.params)
    torch_code = ("use the torch code (the same lrtui code command with --framework torch, or f on the app's code "
                  "screen), which any transformers Trainer accepts as its lr_scheduler.")
    if name in _TWINS:
        twin = _twin(name, params)
        if twin is not None:
            func, args = twin
            return _code(params["lr"], f"{func}(optimizer{', ' if args else ''}{args})",
                         f"# the same curve as torch's {name} here\n")
        func, needs = _TWINS[name]
        warmup = " and a warmup from 0 (warmup_start_factor=0)" if params.get("warmup") else ""
        return comment_lines(f"transformers' {func} gives this {name} only with {needs}{warmup}: " + torch_code) + "\n"
    if name not in _TRANSFORMERS:
        return comment_lines(f"{name} has no transformers schedule function: " + torch_code) + "\n"
    func, names = _TRANSFORMERS[name]
    if name == "wsd" and params["num_stable_steps"] is not None:  # the stable steps set the length: given
        params["num_training_steps"] = None  # both, transformers warns (and uses num_stable_steps anyway)
    args = kwargs_source(names, params)
    if name == "warmup_cosine_min_lr":
        args += (f", min_lr={params['min_lr']!r}" if params["min_lr"] is not None
                 else f", min_lr_rate={params['min_lr_rate']!r}")
    return _code(params["lr"], f"{func}(optimizer, {args})",
                 f"# note: transformers' warmups start at lr 0 at step 0, as lrtui's {name} does\n")
