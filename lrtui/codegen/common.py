"""What the code writers share: Python literals of parameter values, a schedule's base lr, its warmup option,
the members of a composed schedule, and wsd's warmup and decay shapes."""

from __future__ import annotations

import textwrap
from typing import Any

from lrtui import schedules


def kwargs_source(names: tuple[str, ...], params: dict[str, Any]) -> str:
    return ", ".join(f"{n}={py_literal(params[n])}" for n in names)


def py_literal(value: Any) -> str:
    if isinstance(value, tuple):
        return repr(list(value))
    return repr(value)


def base_lr(name: str, params: dict[str, Any]) -> float:
    """The optimizer's lr for the schedule ``name``: its declared base (cyclic's base_lr, onecycle's initial lr,
    what its warmup ramps to), else its lr."""
    base = schedules.get(name).base
    return base(params) if base is not None else params["lr"]


def warmup_option(params: dict[str, Any]) -> tuple[int, float]:
    """The warmup option of a torch-family schedule: (epochs, start factor); (0, 0.0) for the others."""
    return params.get("warmup", 0) or 0, params.get("warmup_start_factor", 0.0)


def min_lr_rate(p: dict[str, Any]) -> float:
    """warmup_cosine_min_lr's floor as a fraction of lr (transformers' min_lr / lr, or min_lr_rate)."""
    if p["min_lr"] is None:
        return p["min_lr_rate"]
    return p["min_lr"] / p["lr"] if p["lr"] else 1.0


def merged_params(member: dict[str, Any], parent: dict[str, Any]) -> dict[str, Any]:
    definition = schedules.get(member["name"])
    values = {p.name: member["params"].get(p.name, p.default) for p in definition.all_params}
    if "lr" in values:
        values["lr"] = parent["lr"]
    return values


def comment_lines(text: str) -> str:
    """``text`` as Python comment lines of at most 110 characters."""
    return textwrap.fill(text, 110, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False)


# wsd's warmup and decay shapes f(p) for p in [0, 1], over a math module {lib} (math, or jnp for optax)
WSD_UP = {"linear": "{p}", "cosine": "0.5 * (1.0 - {lib}.cos({lib}.pi * {p}))", "1-sqrt": "1.0 - {lib}.sqrt(1.0 - {p})"}
WSD_DOWN = {"linear": "1.0 - {p}", "cosine": "0.5 * (1.0 + {lib}.cos({lib}.pi * {cycles!r} * 2.0 * {p}))",
             "1-sqrt": "1.0 - {lib}.sqrt({p})"}
