"""A schedule as torch code: ``torch_code(spec)`` returns Python that, executed, leaves a top-level ``optimizer``
(the run's, SGD by default, over a placeholder parameter, its lr set) and ``scheduler`` whose stepped values equal
lrtui's curve: read
``optimizer.param_groups[0]["lr"]``, then ``scheduler.step()``. torch's own classes are used wherever one fits;
LambdaLR only for the transformers family and Keras' inverse time decay, and for a warmup from 0 (torch's
LinearLR needs a start factor above 0). :data:`EMITTERS` holds each schedule's code, by name."""

from __future__ import annotations

from typing import Any, Callable

from lrtui import schedules
from lrtui.codegen.common import WSD_DOWN, WSD_UP, base_lr, kwargs_source, merged_params, min_lr_rate, warmup_option
from lrtui.codegen.optimizers import resolved, torch_imports, torch_optimizer
from lrtui.params import ConfigError
from lrtui.schedules.transformers_family import inverse_sqrt_timescale, wsd_stable_steps


HEADER = """import math
import torch
from torch.optim import lr_scheduler

param = torch.nn.Parameter(torch.zeros(1))  # stands for your model's parameters
"""


Emitter = Callable[[dict[str, Any], list[str], str], None]
"""Appends to ``lines`` the construction of a scheduler with these params, named ``var``."""


def _torch_class(cls: str, names: tuple[str, ...], extra: str = "") -> Emitter:
    """torch's own ``lr_scheduler.cls``, given the params ``names`` as keywords (and ``extra``)."""
    def emit(params: dict[str, Any], lines: list[str], var: str) -> None:
        lines.append(f"{var} = lr_scheduler.{cls}(optimizer, {kwargs_source(names, params)}{extra})")
    return emit


_ONECYCLE = ("max_lr", "total_steps", "pct_start", "anneal_strategy", "div_factor", "final_div_factor", "three_phase")


def _onecycle(params: dict[str, Any], lines: list[str], var: str) -> None:
    """OneCycleLR, its length as the user gave it: total_steps, or epochs and steps_per_epoch."""
    names = _ONECYCLE
    if params["epochs"] is not None and params["steps_per_epoch"] is not None \
            and params["total_steps"] == params["epochs"] * params["steps_per_epoch"]:
        names = tuple(n for n in names if n != "total_steps") + ("epochs", "steps_per_epoch")
    _torch_class("OneCycleLR", names, ", cycle_momentum=False")(params, lines, var)


def _lambda(template: str, **derived: Callable[[dict[str, Any]], Any]) -> Emitter:
    """LambdaLR of lam(t) = ``template`` (Python source over t, the params and the ``derived`` values)."""
    def emit(params: dict[str, Any], lines: list[str], var: str) -> None:
        body = template.format(**{k: f(params) for k, f in derived.items()}, **params)
        lines.append(f"{var} = lr_scheduler.LambdaLR(optimizer, lambda t: {body})")
    return emit


def _wsd(params: dict[str, Any], lines: list[str], var: str) -> None:
    """LambdaLR of transformers' get_wsd_schedule lambda, written out as a function."""
    lines.append(_wsd_function(params, f"{var}_lam"))
    lines.append(f"{var} = lr_scheduler.LambdaLR(optimizer, {var}_lam)")


def _chained(params: dict[str, Any], lines: list[str], var: str) -> None:
    """ChainedScheduler of the members, each built as its own scheduler."""
    members = [_member(m["name"], merged_params(m, params), lines, f"{var}_{i}")
               for i, m in enumerate(params["schedulers"])]
    lines.append(f"{var} = lr_scheduler.ChainedScheduler([{', '.join(members)}])")


def _sequential(params: dict[str, Any], lines: list[str], var: str) -> None:
    """SequentialLR of the members at the milestones."""
    specs = params["schedulers"]
    # cyclic rewrites the optimizer's lr when built: build it last so the others see the base lr
    order = sorted(range(len(specs)), key=lambda i: specs[i]["name"] == "cyclic")
    names = {}
    for i in order:
        names[i] = _member(specs[i]["name"], merged_params(specs[i], params), lines, f"{var}_{i}")
    members = ", ".join(names[i] for i in range(len(specs)))
    lines.append(f"{var} = lr_scheduler.SequentialLR(optimizer, [{members}], "
                 f"milestones={list(params['milestones'])!r})")


def _plateau(params: dict[str, Any], lines: list[str], var: str) -> None:
    """ReduceLROnPlateau, stepped with the loss."""
    p = {k: v for k, v in params.items() if k != "lr"}
    lines.append(f"{var} = lr_scheduler.ReduceLROnPlateau(optimizer, {kwargs_source(tuple(p), p)})")
    lines.append(f"# step it with the metric after each epoch: {var}.step(validation_loss)")


# lam(t) of the transformers family's LambdaLR, as Python source over t and the parameters (the formulas of
# lrtui/schedules/transformers_family.py, in plain Python); the warmup ramp they all start with
_RAMP = "t / max(1, {num_warmup_steps}) if t < {num_warmup_steps} else "
_COSINE = ("max(0.0, 0.5 * (1.0 + math.cos(math.pi * {num_cycles!r} * 2.0 * (t - {num_warmup_steps}) / "
           "max(1, {num_training_steps} - {num_warmup_steps}))))")

EMITTERS: dict[str, Emitter] = {
    "constant": _torch_class("ConstantLR", ("factor", "total_iters")),
    "step": _torch_class("StepLR", ("step_size", "gamma")),
    "multistep": _torch_class("MultiStepLR", ("milestones", "gamma")),
    "exponential": _torch_class("ExponentialLR", ("gamma",)),
    "linear": _torch_class("LinearLR", ("start_factor", "end_factor", "total_iters")),
    "polynomial": _torch_class("PolynomialLR", ("total_iters", "power")),
    "cosine": _torch_class("CosineAnnealingLR", ("T_max", "eta_min")),
    "cosine_restarts": _torch_class("CosineAnnealingWarmRestarts", ("T_0", "T_mult", "eta_min")),
    "cyclic": _torch_class("CyclicLR", ("base_lr", "max_lr", "step_size_up", "step_size_down", "mode", "gamma"),
                           ", cycle_momentum=False"),
    "onecycle": _onecycle,
    "inverse_time": _lambda("1 / (1 + {decay_rate!r} * ({floor}(t / {decay_steps!r})))",
                            floor=lambda p: "math.floor" if p["staircase"] else ""),
    "warmup_constant": _lambda("t / max(1.0, {num_warmup_steps}) if t < {num_warmup_steps} else 1.0"),
    "warmup_linear": _lambda(_RAMP + "max(0.0, ({num_training_steps} - t) / max(1, {num_training_steps} - "
                             "{num_warmup_steps}))"),
    "warmup_cosine": _lambda(_RAMP + _COSINE),
    "warmup_cosine_restarts": _lambda(
        _RAMP + "(0.0 if (t - {num_warmup_steps}) / max(1, {num_training_steps} - {num_warmup_steps}) >= 1.0 "
        "else max(0.0, 0.5 * (1.0 + math.cos(math.pi * (({num_cycles!r} * (t - {num_warmup_steps}) / "
        "max(1, {num_training_steps} - {num_warmup_steps})) % 1.0)))))"),
    "warmup_polynomial": _lambda(
        _RAMP + "({lr_end!r} / {lr!r} if t > {num_training_steps} else (({lr!r} - {lr_end!r}) * (1 - (t - "
        "{num_warmup_steps}) / ({num_training_steps} - {num_warmup_steps})) ** {power!r} + {lr_end!r}) / {lr!r})"),
    "inverse_sqrt": _lambda(_RAMP + "1.0 / math.sqrt((t + {tau} - {num_warmup_steps}) / {tau})",
                            tau=lambda p: inverse_sqrt_timescale(p["num_warmup_steps"], p["timescale"])),
    "warmup_cosine_min_lr": _lambda(
        _RAMP + "max(0.0, 0.5 * (1.0 + math.cos(math.pi * {num_cycles!r} * 2.0 * (t - {num_warmup_steps}) / "
        "max(1, {num_training_steps} - {num_warmup_steps}))) * (1 - {rate!r}) + {rate!r})", rate=min_lr_rate),
    "wsd": _wsd,
    "sequential": _sequential,
    "chained": _chained,
    "plateau": _plateau,
}
"""Each schedule's torch code, by name: every schedule lrtui knows has one (tests/test_codegen.py checks)."""


def _member(name: str, params: dict[str, Any], lines: list[str], var: str) -> str:
    """Emit the construction of one scheduler into ``lines`` as ``var``; return ``var``."""
    if name not in EMITTERS:
        raise ConfigError(f"{name} has no torch code here yet: allowed " + ", ".join(exportable()))
    EMITTERS[name](params, lines, var)
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
    """The schedules whose torch code is stepped by the epoch: every one but plateau (stepped with the loss)."""
    return [n for n in schedules.names() if n in EMITTERS and schedules.get(n).family != "metric"]


def torch_code(spec: dict[str, Any], optimizer: str = "sgd", optimizer_params: dict[str, Any] | None = None) -> str:
    """Executable torch code for the schedule ``spec`` and the run's optimizer (both validated first)."""
    schedule = schedules.from_spec(spec)
    lines = [torch_optimizer(optimizer, resolved(optimizer, optimizer_params), base_lr(schedule.name,
                                                                                       dict(schedule.params)))]
    header = HEADER.replace("import torch\n", "import torch\n" + torch_imports(optimizer), 1)
    return header + scheduler_source(schedule, lines)


def scheduler_source(schedule: Any, lines: list[str]) -> str:
    """``lines`` (the optimizer built, as ``optimizer``, its lr the schedule's base lr) and then the schedule
    built over it as ``scheduler``, as source (a comment first where a warmup from 0 needs one)."""
    name, params = schedule.name, dict(schedule.params)
    warmup, start = warmup_option(params)
    if not warmup:
        _member(name, params, lines, "scheduler")
        return "\n".join(lines) + "\n"
    comment = ""
    if name == "onecycle":  # OneCycleLR sets the optimizer's lr itself: built before the warmup
        _member(name, params, lines, "schedule")
        lines.append(_warmup_line(warmup, start))
    else:
        lines.append(_warmup_line(warmup, start))  # built first: it records the optimizer's lr as the base
        _member(name, params, lines, "schedule")
        comment = "# warmup from 0: LambdaLR, since torch's LinearLR needs start_factor > 0\n" if start == 0 else ""
    lines.append(f"scheduler = lr_scheduler.SequentialLR(optimizer, [warmup, schedule], milestones=[{warmup}])")
    return comment + "\n".join(lines) + "\n"


def _warmup_line(warmup: int, start: float) -> str:
    if start > 0:
        return (f"warmup = lr_scheduler.LinearLR(optimizer, start_factor={start!r}, end_factor=1.0, "
                f"total_iters={warmup})")
    return f"warmup = lr_scheduler.LambdaLR(optimizer, lambda t: t / {warmup})"
