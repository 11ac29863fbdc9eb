"""A schedule as code for real training: a torch script fragment, or transformers' own function.

``torch_code(spec)`` returns Python that, executed, leaves a top-level ``optimizer`` (SGD over a
placeholder parameter, its lr set) and ``scheduler`` whose stepped values equal lrtui's curve: read
``optimizer.param_groups[0]["lr"]``, then ``scheduler.step()``. torch's own classes are used wherever one
fits; LambdaLR only for the transformers family and Keras' inverse time decay, and for a warmup from 0
(torch's LinearLR needs a start factor above 0). ``transformers_code(spec)`` uses transformers' own
get_*_schedule functions for that family; other schedules have no transformers equivalent and say so.
"""

from __future__ import annotations

from typing import Any

from lrtui import schedules
from lrtui.params import ConfigError

HEADER = """import math
import torch
from torch.optim import lr_scheduler

param = torch.nn.Parameter(torch.zeros(1))  # stands for your model's parameters
"""

_TORCH_CLASSES = {
    "constant": ("ConstantLR", ("factor", "total_iters")),
    "step": ("StepLR", ("step_size", "gamma")),
    "multistep": ("MultiStepLR", ("milestones", "gamma")),
    "exponential": ("ExponentialLR", ("gamma",)),
    "linear": ("LinearLR", ("start_factor", "end_factor", "total_iters")),
    "polynomial": ("PolynomialLR", ("total_iters", "power")),
    "cosine": ("CosineAnnealingLR", ("T_max", "eta_min")),
    "cosine_restarts": ("CosineAnnealingWarmRestarts", ("T_0", "T_mult", "eta_min")),
    "cyclic": ("CyclicLR", ("base_lr", "max_lr", "step_size_up", "step_size_down", "mode", "gamma")),
    "onecycle": ("OneCycleLR", ("max_lr", "total_steps", "pct_start", "anneal_strategy", "div_factor",
                                "final_div_factor", "three_phase")),
}

# lam(t) of the LambdaLR schedules, as Python source over t and the parameters (formulas of
# lrtui/schedules/transformers_family.py and torch_family.inverse_time, in plain Python)
_LAMBDAS = {
    "inverse_time": "1 / (1 + {decay_rate!r} * ({floor}(t / {decay_steps!r})))",
    "warmup_constant": "t / max(1.0, {num_warmup_steps}) if t < {num_warmup_steps} else 1.0",
    "warmup_linear": ("t / max(1, {num_warmup_steps}) if t < {num_warmup_steps} else "
                      "max(0.0, ({num_training_steps} - t) / max(1, {num_training_steps} - {num_warmup_steps}))"),
    "warmup_cosine": ("t / max(1, {num_warmup_steps}) if t < {num_warmup_steps} else max(0.0, 0.5 * (1.0 + "
                      "math.cos(math.pi * {num_cycles!r} * 2.0 * (t - {num_warmup_steps}) / "
                      "max(1, {num_training_steps} - {num_warmup_steps}))))"),
    "warmup_cosine_restarts": ("t / max(1, {num_warmup_steps}) if t < {num_warmup_steps} else (0.0 if "
                               "(t - {num_warmup_steps}) / max(1, {num_training_steps} - {num_warmup_steps}) >= 1.0 "
                               "else max(0.0, 0.5 * (1.0 + math.cos(math.pi * (({num_cycles!r} * (t - {num_warmup_steps}) "
                               "/ max(1, {num_training_steps} - {num_warmup_steps})) % 1.0)))))"),
    "warmup_polynomial": ("t / max(1, {num_warmup_steps}) if t < {num_warmup_steps} else ({lr_end!r} / {lr!r} if t > "
                          "{num_training_steps} else (({lr!r} - {lr_end!r}) * (1 - (t - {num_warmup_steps}) / "
                          "({num_training_steps} - {num_warmup_steps})) ** {power!r} + {lr_end!r}) / {lr!r})"),
    "inverse_sqrt": ("t / max(1, {num_warmup_steps}) if t < {num_warmup_steps} else "
                     "1.0 / math.sqrt((t + {tau} - {num_warmup_steps}) / {tau})"),
    "warmup_cosine_min_lr": ("t / max(1, {num_warmup_steps}) if t < {num_warmup_steps} else max(0.0, 0.5 * (1.0 + "
                             "math.cos(math.pi * {num_cycles!r} * 2.0 * (t - {num_warmup_steps}) / "
                             "max(1, {num_training_steps} - {num_warmup_steps}))) * (1 - {rate!r}) + {rate!r})"),
}


def _kwargs(names: tuple[str, ...], params: dict[str, Any]) -> str:
    return ", ".join(f"{n}={_py(params[n])}" for n in names)


def _py(value: Any) -> str:
    if isinstance(value, tuple):
        return repr(list(value))
    return repr(value)


def _base_lr(name: str, params: dict[str, Any]) -> float:
    if name == "cyclic":
        return params["base_lr"]
    if name == "onecycle":
        return params["max_lr"] / params["div_factor"]
    return params["lr"]


def _member(name: str, params: dict[str, Any], lines: list[str], var: str) -> str:
    """Emit the construction of one scheduler into ``lines`` as ``var``; return ``var``."""
    if name in _TORCH_CLASSES:
        cls, names = _TORCH_CLASSES[name]
        extra = ", cycle_momentum=False" if name in ("cyclic", "onecycle") else ""
        lines.append(f"{var} = lr_scheduler.{cls}(optimizer, {_kwargs(names, params)}{extra})")
    elif name in _LAMBDAS:
        extra = {"floor": "math.floor" if params.get("staircase") else ""}
        if name == "inverse_sqrt":
            extra["tau"] = params["timescale"] or (params["num_warmup_steps"] or 10_000)
        if name == "warmup_cosine_min_lr":
            extra["rate"] = params["min_lr"] / params["lr"] if params["min_lr"] is not None else params["min_lr_rate"]
        body = _LAMBDAS[name].format(**extra, **params)
        lines.append(f"{var} = lr_scheduler.LambdaLR(optimizer, lambda t: {body})")
    elif name == "wsd":
        lines.append(_wsd_function(params, f"{var}_lam"))
        lines.append(f"{var} = lr_scheduler.LambdaLR(optimizer, {var}_lam)")
    elif name == "chained":
        members = [_member(m["name"], _merged(m, params), lines, f"{var}_{i}") for i, m in enumerate(params["schedulers"])]
        lines.append(f"{var} = lr_scheduler.ChainedScheduler([{', '.join(members)}])")
    elif name == "sequential":
        specs = params["schedulers"]
        # cyclic rewrites the optimizer's lr when built: build it last so the others see the base lr
        order = sorted(range(len(specs)), key=lambda i: specs[i]["name"] == "cyclic")
        names = {}
        for i in order:
            names[i] = _member(specs[i]["name"], _merged(specs[i], params), lines, f"{var}_{i}")
        members = ", ".join(names[i] for i in range(len(specs)))
        lines.append(f"{var} = lr_scheduler.SequentialLR(optimizer, [{members}], milestones={list(params['milestones'])!r})")
    else:
        raise ConfigError(f"{name} has no torch code here yet: allowed " + ", ".join(exportable()))
    return var


def _wsd_function(p: dict[str, Any], fname: str) -> str:
    """transformers' get_wsd_schedule lambda, written out with this schedule's numbers."""
    w, d, m = p["num_warmup_steps"], p["num_decay_steps"], p["min_lr_ratio"]
    stable = p["num_stable_steps"] if p["num_stable_steps"] is not None else p["num_training_steps"] - w - d
    up = {"linear": "p", "cosine": "0.5 * (1.0 - math.cos(math.pi * p))", "1-sqrt": "1.0 - math.sqrt(1.0 - p)"}
    down = {"linear": "1.0 - p", "cosine": f"0.5 * (1.0 + math.cos(math.pi * {p['num_cycles']!r} * 2.0 * p))",
            "1-sqrt": "1.0 - math.sqrt(p)"}
    return (f"def {fname}(t):\n"
            f"    if t < {w}:\n        p = t / max(1, {w})\n        return max(0.0, ({up[p['warmup_type']]}) * (1.0 - {m!r}) + {m!r})\n"
            f"    if t < {w + stable}:\n        return 1.0\n"
            f"    if t < {w + stable + d}:\n        p = (t - {w + stable}) / max(1, {d})\n"
            f"        return max(0.0, ({down[p['decay_type']]}) * (1.0 - {m!r}) + {m!r})\n"
            f"    return {m!r}")


def _merged(member: dict[str, Any], parent: dict[str, Any]) -> dict[str, Any]:
    definition = schedules.get(member["name"])
    values = {p.name: member["params"].get(p.name, p.default) for p in definition.all_params}
    if "lr" in values:
        values["lr"] = parent["lr"]
    return values


def exportable() -> list[str]:
    return [n for n in schedules.names() if n in _TORCH_CLASSES or n in _LAMBDAS or n in ("sequential", "chained", "wsd")]


def torch_code(spec: dict[str, Any]) -> str:
    """Executable torch code for the schedule ``spec`` (validated first)."""
    schedule = schedules.from_spec(spec)
    name, params = schedule.name, dict(schedule.params)
    if name == "plateau":
        p = {k: v for k, v in params.items() if k != "lr"}
        return (HEADER + f"optimizer = torch.optim.SGD([param], lr={params['lr']!r})\n"
                f"scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, {_kwargs(tuple(p), p)})\n"
                "# step it with the metric after each epoch: scheduler.step(validation_loss)\n")
    lines: list[str] = []
    warmup, start = params.get("warmup", 0) or 0, params.get("warmup_start_factor", 0.0)
    if name == "onecycle" or not warmup:
        lines.append(f"optimizer = torch.optim.SGD([param], lr={_base_lr(name, params)!r})")
        _member(name, params, lines, "scheduler")
        if name == "onecycle" and warmup:
            lines[-1] = lines[-1].replace("scheduler = ", "schedule = ", 1)
            lines.append(_warmup_line(warmup, start))
            lines.append(f"scheduler = lr_scheduler.SequentialLR(optimizer, [warmup, schedule], milestones=[{warmup}])")
        return HEADER + "\n".join(lines) + "\n"
    lines.append(f"optimizer = torch.optim.SGD([param], lr={_base_lr(name, params)!r})")
    lines.append(_warmup_line(warmup, start))  # built first: it records the optimizer's lr as the base
    _member(name, params, lines, "schedule")
    lines.append(f"scheduler = lr_scheduler.SequentialLR(optimizer, [warmup, schedule], milestones=[{warmup}])")
    comment = "# warmup from 0: LambdaLR, since torch's LinearLR needs start_factor > 0\n" if start == 0 else ""
    return HEADER + comment + "\n".join(lines) + "\n"


def _warmup_line(warmup: int, start: float) -> str:
    if start > 0:
        return f"warmup = lr_scheduler.LinearLR(optimizer, start_factor={start!r}, end_factor=1.0, total_iters={warmup})"
    return f"warmup = lr_scheduler.LambdaLR(optimizer, lambda t: t / {warmup})"


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
    args = _kwargs(names, params)
    if name == "warmup_cosine_min_lr":
        args += f", min_lr={params['min_lr']!r}" if params["min_lr"] is not None else f", min_lr_rate={params['min_lr_rate']!r}"
    return (HEADER + "from transformers import optimization\n\n"
            f"optimizer = torch.optim.SGD([param], lr={params['lr']!r})\n"
            f"# note: transformers' warmups start at lr 0 at step 0, as lrtui's {name} does\n"
            f"scheduler = optimization.{func}(optimizer, {args})\n")
