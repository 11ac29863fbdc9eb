"""A schedule as torch code: ``torch_code(spec)`` returns Python that, executed, leaves a top-level ``optimizer``
(SGD over a placeholder parameter, its lr set) and ``scheduler`` whose stepped values equal lrtui's curve: read
``optimizer.param_groups[0]["lr"]``, then ``scheduler.step()``. torch's own classes are used wherever one fits;
LambdaLR only for the transformers family and Keras' inverse time decay, and for a warmup from 0 (torch's
LinearLR needs a start factor above 0)."""

from __future__ import annotations

from typing import Any

from lrtui import schedules
from lrtui.codegen.common import WSD_DOWN, WSD_UP, base_lr, kwargs_source, merged_params, min_lr_rate, warmup_option
from lrtui.params import ConfigError
from lrtui.schedules.transformers_family import inverse_sqrt_timescale, wsd_stable_steps


HEADER = """import math
import torch
from torch.optim import lr_scheduler

param = torch.nn.Parameter(torch.zeros(1))  # stands for your model's parameters
"""


TORCH_CLASSES = {
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
LAMBDAS = {
    "inverse_time": "1 / (1 + {decay_rate!r} * ({floor}(t / {decay_steps!r})))",
    "warmup_constant": "t / max(1.0, {num_warmup_steps}) if t < {num_warmup_steps} else 1.0",
    "warmup_linear": ("t / max(1, {num_warmup_steps}) if t < {num_warmup_steps} else "
                      "max(0.0, ({num_training_steps} - t) / max(1, {num_training_steps} - {num_warmup_steps}))"),
    "warmup_cosine": ("t / max(1, {num_warmup_steps}) if t < {num_warmup_steps} else max(0.0, 0.5 * (1.0 + "
                      "math.cos(math.pi * {num_cycles!r} * 2.0 * (t - {num_warmup_steps}) / "
                      "max(1, {num_training_steps} - {num_warmup_steps}))))"),
    "warmup_cosine_restarts": ("t / max(1, {num_warmup_steps}) if t < {num_warmup_steps} else (0.0 if "
                               "(t - {num_warmup_steps}) / max(1, {num_training_steps} - {num_warmup_steps}) >= 1.0 "
                               "else max(0.0, 0.5 * (1.0 + math.cos(math.pi * (({num_cycles!r} * "
                               "(t - {num_warmup_steps}) / max(1, {num_training_steps} - {num_warmup_steps})) "
                               "% 1.0)))))"),
    "warmup_polynomial": ("t / max(1, {num_warmup_steps}) if t < {num_warmup_steps} else ({lr_end!r} / {lr!r} if t > "
                          "{num_training_steps} else (({lr!r} - {lr_end!r}) * (1 - (t - {num_warmup_steps}) / "
                          "({num_training_steps} - {num_warmup_steps})) ** {power!r} + {lr_end!r}) / {lr!r})"),
    "inverse_sqrt": ("t / max(1, {num_warmup_steps}) if t < {num_warmup_steps} else "
                     "1.0 / math.sqrt((t + {tau} - {num_warmup_steps}) / {tau})"),
    "warmup_cosine_min_lr": ("t / max(1, {num_warmup_steps}) if t < {num_warmup_steps} else max(0.0, 0.5 * (1.0 + "
                             "math.cos(math.pi * {num_cycles!r} * 2.0 * (t - {num_warmup_steps}) / "
                             "max(1, {num_training_steps} - {num_warmup_steps}))) * (1 - {rate!r}) + {rate!r})"),
}


def _member(name: str, params: dict[str, Any], lines: list[str], var: str) -> str:
    """Emit the construction of one scheduler into ``lines`` as ``var``; return ``var``."""
    if name in TORCH_CLASSES:
        cls, names = TORCH_CLASSES[name]
        if name == "onecycle" and params["epochs"] is not None and params["steps_per_epoch"] is not None \
                and params["total_steps"] == params["epochs"] * params["steps_per_epoch"]:  # as the user gave it
            names = tuple(n for n in names if n != "total_steps") + ("epochs", "steps_per_epoch")
        extra = ", cycle_momentum=False" if name in ("cyclic", "onecycle") else ""
        lines.append(f"{var} = lr_scheduler.{cls}(optimizer, {kwargs_source(names, params)}{extra})")
    elif name in LAMBDAS:
        extra = {"floor": "math.floor" if params.get("staircase") else ""}
        if name == "inverse_sqrt":
            extra["tau"] = inverse_sqrt_timescale(params["num_warmup_steps"], params["timescale"])
        if name == "warmup_cosine_min_lr":
            extra["rate"] = min_lr_rate(params)
        body = LAMBDAS[name].format(**extra, **params)
        lines.append(f"{var} = lr_scheduler.LambdaLR(optimizer, lambda t: {body})")
    elif name == "wsd":
        lines.append(_wsd_function(params, f"{var}_lam"))
        lines.append(f"{var} = lr_scheduler.LambdaLR(optimizer, {var}_lam)")
    elif name == "chained":
        members = [_member(m["name"], merged_params(m, params), lines, f"{var}_{i}")
                   for i, m in enumerate(params["schedulers"])]
        lines.append(f"{var} = lr_scheduler.ChainedScheduler([{', '.join(members)}])")
    elif name == "sequential":
        specs = params["schedulers"]
        # cyclic rewrites the optimizer's lr when built: build it last so the others see the base lr
        order = sorted(range(len(specs)), key=lambda i: specs[i]["name"] == "cyclic")
        names = {}
        for i in order:
            names[i] = _member(specs[i]["name"], merged_params(specs[i], params), lines, f"{var}_{i}")
        members = ", ".join(names[i] for i in range(len(specs)))
        lines.append(f"{var} = lr_scheduler.SequentialLR(optimizer, [{members}], "
                     f"milestones={list(params['milestones'])!r})")
    else:
        raise ConfigError(f"{name} has no torch code here yet: allowed " + ", ".join(exportable()))
    return var


def _wsd_function(p: dict[str, Any], fname: str) -> str:
    """transformers' get_wsd_schedule lambda, written out with this schedule's numbers."""
    w, d, m = p["num_warmup_steps"], p["num_decay_steps"], p["min_lr_ratio"]
    stable = wsd_stable_steps(p)
    up = WSD_UP[p["warmup_type"]].format(lib="math", p="p")
    down = WSD_DOWN[p["decay_type"]].format(lib="math", p="p", cycles=p["num_cycles"])
    return (f"def {fname}(t):\n"
            f"    if t < {w}:\n        p = t / max(1, {w})\n        return max(0.0, ({up}) * (1.0 - {m!r}) + {m!r})\n"
            f"    if t < {w + stable}:\n        return 1.0\n"
            f"    if t < {w + stable + d}:\n        p = (t - {w + stable}) / max(1, {d})\n"
            f"        return max(0.0, ({down}) * (1.0 - {m!r}) + {m!r})\n"
            f"    return {m!r}")


def exportable() -> list[str]:
    return [n for n in schedules.names() if n in TORCH_CLASSES or n in LAMBDAS or n in ("sequential", "chained", "wsd")]


def torch_code(spec: dict[str, Any]) -> str:
    """Executable torch code for the schedule ``spec`` (validated first)."""
    schedule = schedules.from_spec(spec)
    name, params = schedule.name, dict(schedule.params)
    if name == "plateau":
        p = {k: v for k, v in params.items() if k != "lr"}
        return (HEADER + f"optimizer = torch.optim.SGD([param], lr={params['lr']!r})\n"
                f"scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, {kwargs_source(tuple(p), p)})\n"
                "# step it with the metric after each epoch: scheduler.step(validation_loss)\n")
    lines: list[str] = []
    warmup, start = warmup_option(params)
    if name == "onecycle" or not warmup:
        lines.append(f"optimizer = torch.optim.SGD([param], lr={base_lr(name, params)!r})")
        _member(name, params, lines, "scheduler")
        if name == "onecycle" and warmup:
            lines[-1] = lines[-1].replace("scheduler = ", "schedule = ", 1)
            lines.append(_warmup_line(warmup, start))
            lines.append(f"scheduler = lr_scheduler.SequentialLR(optimizer, [warmup, schedule], milestones=[{warmup}])")
        return HEADER + "\n".join(lines) + "\n"
    lines.append(f"optimizer = torch.optim.SGD([param], lr={base_lr(name, params)!r})")
    lines.append(_warmup_line(warmup, start))  # built first: it records the optimizer's lr as the base
    _member(name, params, lines, "schedule")
    lines.append(f"scheduler = lr_scheduler.SequentialLR(optimizer, [warmup, schedule], milestones=[{warmup}])")
    comment = "# warmup from 0: LambdaLR, since torch's LinearLR needs start_factor > 0\n" if start == 0 else ""
    return HEADER + comment + "\n".join(lines) + "\n"


def _warmup_line(warmup: int, start: float) -> str:
    if start > 0:
        return (f"warmup = lr_scheduler.LinearLR(optimizer, start_factor={start!r}, end_factor=1.0, "
                f"total_iters={warmup})")
    return f"warmup = lr_scheduler.LambdaLR(optimizer, lambda t: t / {warmup})"
