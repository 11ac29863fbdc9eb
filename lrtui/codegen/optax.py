"""A schedule as optax code: ``optax_code(spec)`` leaves a top-level optax ``schedule`` (a function of the update
count) and ``optimizer``: optax's own functions where they give lrtui's numbers, jax.numpy lambdas of the count
where none does (a comment says why), and a comment instead of code for plateau. :data:`EMITTERS` holds each
schedule's code, by name."""

from __future__ import annotations

import collections
import itertools
from typing import Any, Callable

from lrtui import schedules
from lrtui.codegen.common import WSD_DOWN, WSD_UP, base_lr, comment_lines, merged_params, min_lr_rate, warmup_option
from lrtui.codegen.optimizers import optax_optimizer, resolved
from lrtui.params import MAX_EPOCHS, ConfigError
from lrtui.schedules.composition import factor_schedules, is_product
from lrtui.schedules.torch_family import onecycle_phases
from lrtui.schedules.transformers_family import inverse_sqrt_timescale, wsd_stable_steps


OPTAX_HEADER = """import jax.numpy as jnp
import optax

# schedule(count) is the lr of optax's update number count (0 first), lrtui's epoch t = count: if one lrtui
# epoch is several updates, pass learning_rate=lambda count: schedule(count // steps_per_epoch) instead.
# optax computes in float32 (its count is int32, so most of its schedules stay float32 even with
# jax_enable_x64): expect lrtui's float64 curve to within about 1e-6 of the peak lr.
"""


OPTAX_PLATEAU = (
    "# plateau has no optax schedule: an optax schedule is a function of the update count alone, and plateau\n"
    "# needs the loss. The nearest is optax.contrib.reduce_on_plateau, a gradient transformation chained after the\n"
    "# optimizer and updated with value=loss; it only minimizes, and its rtol/atol, min_scale and loss accumulation\n"
    "# are not torch's threshold/threshold_mode, min_lr and eps, so lrtui does not translate plateau to it.\n"
)


def optax_code(spec: dict[str, Any], optimizer: str = "sgd", optimizer_params: dict[str, Any] | None = None) -> str:
    """Executable optax code for the schedule ``spec`` and the run's optimizer (validated first): it leaves a
    top-level ``schedule``, a function of the update count equal to lrtui's curve, and an ``optimizer`` using it
    (optax's own, :mod:`lrtui.codegen.optimizers`). For plateau, which needs the loss, a comment saying optax has
    no such schedule."""
    schedule = schedules.from_spec(spec)
    name, params = schedule.name, dict(schedule.params)
    footer = optax_optimizer(optimizer, resolved(optimizer, optimizer_params))
    if isinstance(EMITTERS.get(name), str):
        return EMITTERS[name]
    lines: list[str] = []
    if schedules.get(name).family == "transformers" and name != "wsd" and params["num_warmup_steps"]:
        lines.append(comment_lines("transformers' warmup starts at lr 0 at count 0 (init_value=0.0), "
                                   f"as lrtui's {name} does"))
    warmup, start = warmup_option(params)
    body = _schedule(name, params, lines, "after_warmup" if warmup else "schedule")
    base = base_lr(name, params)
    _join(lines, "schedule", [_ramp(warmup, base * start, base)], body)
    return OPTAX_HEADER + "\n" + "\n".join(lines) + "\n\n" + footer


def _ramp(steps: int, start: float, peak: float) -> tuple[int, str]:
    """A linear warmup from ``start`` to ``peak`` over ``steps``, as a piece for :func:`_join`."""
    return steps, f"optax.linear_schedule(init_value={start!r}, end_value={peak!r}, transition_steps={steps})"


def _join(lines: list[str], var: str, pieces: list[tuple[int, str]], last: str) -> str:
    """Emit ``var`` = the ``(steps, schedule)`` pieces one after the other, each restarting at its own count 0
    (optax.join_schedules, like torch's SequentialLR), then ``last`` for good. Pieces of 0 steps are left out."""
    kept = [(steps, expr) for steps, expr in pieces if steps > 0]
    if not kept:
        if last != var:
            lines.append(f"{var} = {last}")
        return var
    bounds = list(itertools.accumulate(steps for steps, _ in kept))
    members = "".join(f"    {expr},\n" for expr in [expr for _, expr in kept] + [last])
    lines.append(f"{var} = optax.join_schedules([\n{members}], boundaries={bounds})")
    return var


def _named(lines: list[str], var: str, expr: str) -> str:
    """A name for the schedule ``expr``: itself if it is one, else ``var``, assigned in ``lines``."""
    if expr.isidentifier():
        return expr
    lines.append(f"{var} = {expr}")
    return var


def _cosine_wave(high: float, low: float, angle: str) -> str:
    """The unclamped cosine from ``high`` (angle 0) to ``low`` (angle pi) and back, as a jnp lambda."""
    if low == 0:
        return f"lambda count: {high!r} * (1 + jnp.cos({angle})) / 2"
    return f"lambda count: {low!r} + ({high!r} - {low!r}) * (1 + jnp.cos({angle})) / 2"


Emitter = Callable[[dict[str, Any], list[str], str], str]
"""The optax schedule for these params as an expression; the definitions it needs go into ``lines``, under names
starting with ``var`` (or ``var`` itself, then returned)."""


def _schedule(name: str, p: dict[str, Any], lines: list[str], var: str) -> str:
    """The optax schedule for ``name`` with params ``p`` (its warmup option aside), as an expression: its
    :data:`EMITTERS` entry's."""
    emit = EMITTERS.get(name)
    if not callable(emit):
        raise ConfigError(f"{name} has no optax code here yet: allowed every schedule but plateau")
    return emit(p, lines, var)


def _constant(p: dict[str, Any], lines: list[str], var: str) -> str:
    factored = p["total_iters"] if p["factor"] != 1 else 0
    return _join(lines, var, [(factored, f"optax.constant_schedule({p['lr'] * p['factor']!r})")],
                 f"optax.constant_schedule({p['lr']!r})")


def _decay(every: int, stairs: str, p: dict[str, Any], lines: list[str], var: str) -> str:
    """optax.exponential_decay by gamma every ``every`` counts; by hand for gamma=0, which optax takes as none."""
    lr = p["lr"]
    if p["gamma"] == 0:
        lines.append(comment_lines("optax's exponential_decay takes decay_rate=0 as no decay; "
                                   "torch's gamma=0 gives 0"))
        return _join(lines, var, [(every, f"optax.constant_schedule({lr!r})")], "optax.constant_schedule(0.0)")
    return (f"optax.exponential_decay(init_value={lr!r}, transition_steps={every}, "
            f"decay_rate={p['gamma']!r}{stairs})")


def _step(p: dict[str, Any], lines: list[str], var: str) -> str:
    return _decay(p["step_size"], ", staircase=True", p, lines, var)


def _exponential(p: dict[str, Any], lines: list[str], var: str) -> str:
    return _decay(1, "", p, lines, var)


def _multistep(p: dict[str, Any], lines: list[str], var: str) -> str:
    repeats = collections.Counter(p["milestones"])
    if any(n > 1 for n in repeats.values()):
        lines.append(comment_lines("a repeated milestone is one boundary scaled by gamma ** repeats "
                                   "(a multiset in torch)"))
    scales = ", ".join(f"{m}: {p['gamma'] ** n!r}" for m, n in sorted(repeats.items()))
    return f"optax.piecewise_constant_schedule(init_value={p['lr']!r}, boundaries_and_scales={{{scales}}})"


def _linear(p: dict[str, Any], lines: list[str], var: str) -> str:
    lr = p["lr"]
    return (f"optax.linear_schedule(init_value={lr * p['start_factor']!r}, end_value={lr * p['end_factor']!r}, "
            f"transition_steps={p['total_iters']})")


def _polynomial(p: dict[str, Any], lines: list[str], var: str) -> str:
    return (f"optax.polynomial_schedule(init_value={p['lr']!r}, end_value=0.0, power={p['power']!r}, "
            f"transition_steps={p['total_iters']})")


def _cosine(p: dict[str, Any], lines: list[str], var: str) -> str:
    lines.append(comment_lines(
        f"optax.cosine_decay_schedule (alpha = eta_min / lr) gives these values up to count {p['T_max']}, "
        "then holds eta_min; torch's CosineAnnealingLR, which lrtui follows, climbs back up "
        f"(period {2 * p['T_max']}): this periodic form matches at every count"))
    return _cosine_wave(p["lr"], p["eta_min"], f"jnp.pi * count / {float(p['T_max'])!r}")


def _cyclic(p: dict[str, Any], lines: list[str], var: str) -> str:
    lines.append(_cyclic_function(p, var))
    return var


def _onecycle(p: dict[str, Any], lines: list[str], var: str) -> str:
    lines.append(_onecycle_function(p, var))
    return var


def _inverse_time(p: dict[str, Any], lines: list[str], var: str) -> str:
    floor = "jnp.floor" if p["staircase"] else ""
    lines.append(comment_lines("optax has no inverse-time decay (Keras' InverseTimeDecay): its formula"))
    return f"lambda count: {p['lr']!r} / (1 + {p['decay_rate']!r} * {floor}(count / {float(p['decay_steps'])!r}))"


def _sequential(p: dict[str, Any], lines: list[str], var: str) -> str:
    starts = (0,) + tuple(p["milestones"])
    members = [_schedule(m["name"], merged_params(m, p), lines, f"{var}_{i}")
               for i, m in enumerate(p["schedulers"])]
    return _join(lines, var, [(b - a, m) for a, b, m in zip(starts, starts[1:], members)], members[-1])


def _chained(p: dict[str, Any], lines: list[str], var: str) -> str:
    _check_product_chain(p)
    lines.append(comment_lines("optax has no product of schedules: torch's ChainedScheduler multiplies its "
                               "members' factors, so each member is built with lr=1 (a factor) and the product is "
                               "scaled by lr"))
    factors = []
    for i, m in enumerate(p["schedulers"]):
        factor = _schedule(m["name"], {**merged_params(m, p), "lr": 1.0}, lines, f"{var}_{i}")
        factors.append(_named(lines, f"{var}_{i}", factor))
    return f"lambda count: {p['lr']!r} * " + " * ".join(f"{f}(count)" for f in factors)


def _check_product_chain(p: dict[str, Any]) -> None:
    """optax can multiply schedules but not step torch's recurrence: refuse a chain whose members do not multiply."""
    for i, member in enumerate(schedules.from_spec({"name": "chained", "params": p}).members):
        if not is_product(member):
            raise ConfigError(
                f"schedulers[{i}] ({member.name}) does not multiply in a chain, and optax has no ChainedScheduler: "
                "allowed " + ", ".join(factor_schedules()) + " (or --framework torch)"
            )


def _restarts(p: dict[str, Any], lines: list[str], var: str) -> str:
    """SGDR: optax's cosine on the count modulo T_0 (T_mult=1), else optax.sgdr_schedule with enough cycles."""
    t_0, mult, eta_min = p["T_0"], p["T_mult"], p["eta_min"]
    height = p["lr"] - eta_min
    shift = f"{eta_min!r} + " if eta_min else ""
    if mult == 1:
        lines.append(comment_lines(f"every cycle is T_0={t_0} counts: optax's cosine_decay_schedule of the count "
                              "modulo T_0 (optax.sgdr_schedule would need one entry per cycle)"))
        lines.append(f"{var}_cycle = optax.cosine_decay_schedule(init_value={height!r}, decay_steps={t_0})")
        return f"lambda count: {shift}{var}_cycle(count % {t_0})"
    cycles, covered = 0, 0
    while covered < MAX_EPOCHS:
        covered += t_0 * mult**cycles
        cycles += 1
    lines.append(comment_lines(f"optax.sgdr_schedule takes its cycles as a list: these {cycles} (T_0 * T_mult ** k "
                          f"counts) cover lrtui's longest run, {MAX_EPOCHS} counts"))
    sgdr = (f"optax.sgdr_schedule([\n    dict(init_value={height!r}, peak_value={height!r}, warmup_steps=0, "
            f"decay_steps={t_0} * {mult} ** k, end_value=0.0)\n    for k in range({cycles})\n])")
    if not eta_min:
        lines.append(f"{var} = {sgdr}")
        return var
    lines.append(f"{var}_cycles = {sgdr}")
    return f"lambda count: {shift}{var}_cycles(count)"


def _cyclic_function(p: dict[str, Any], fname: str) -> str:
    """torch's CyclicLR as a jnp function of the count, in torch's order of operations."""
    up = float(p["step_size_up"])
    down = float(p["step_size_down"]) if p["step_size_down"] is not None else up
    total = up + down
    ratio = up / total
    amplitude = {"triangular": "", "triangular2": " * (1 / (2.0 ** (cycle - 1)))",
                 "exp_range": f" * {p['gamma']!r} ** count"}
    base, peak = p["base_lr"], p["max_lr"]
    return (f"def {fname}(count):\n"
            f"    # optax has no cyclical schedule: torch's CyclicLR ({p['mode']})\n"
            f"    cycle = jnp.floor(1 + count / {total!r})\n"
            f"    x = 1.0 + count / {total!r} - cycle\n"
            f"    scale = jnp.where(x <= {ratio!r}, x / {ratio!r}, (x - 1) / ({ratio!r} - 1))\n"
            f"    return {base!r} + ({peak!r} - {base!r}) * scale{amplitude[p['mode']]}")


def _onecycle_function(p: dict[str, Any], fname: str) -> str:
    """torch's OneCycleLR as a jnp function of the count: its phases, in torch's order of operations."""
    initial = p["max_lr"] / p["div_factor"]
    values = {"initial": initial, "max": p["max_lr"], "min": initial / p["final_div_factor"]}
    lines = [f"def {fname}(count):",
             "    # optax's cosine_onecycle_schedule peaks at int(pct_start * total_steps) and ends at total_steps,",
             ("    # and its linear_onecycle_schedule is asymmetric; torch's OneCycleLR peaks at "
              "pct_start * total_steps"),
             "    # - 1 and ends at total_steps - 1: its phases, written out"]
    phases = onecycle_phases(p)
    start = 0.0
    for i, (end, a, z) in enumerate(phases):
        frac = f"(count - {start!r}) / {end - start!r}"
        lo, hi = values[a], values[z]
        if p["anneal_strategy"] == "cos":
            lines.append(f"    phase_{i} = {hi!r} + ({lo!r} - {hi!r}) / 2.0 * (jnp.cos(jnp.pi * {frac}) + 1)")
        else:
            lines.append(f"    phase_{i} = ({hi!r} - {lo!r}) * {frac} + {lo!r}")
        start = end
    chosen = f"phase_{len(phases) - 1}"
    for i in reversed(range(len(phases) - 1)):
        chosen = f"jnp.where(count <= {phases[i][0]!r}, phase_{i}, {chosen})"
    lines.append(f"    return {chosen}")
    return "\n".join(lines)


# The transformers family: transformers' warmup from 0 over num_warmup_steps, then what follows it, as pieces and
# a last schedule for :func:`_join`
Pieces = tuple[list[tuple[int, str]], str]


def _after_warmup(rest: Callable[[dict[str, Any], list[str]], Pieces]) -> Emitter:
    """transformers' linear warmup from 0, then the pieces ``rest(p, lines)`` gives."""
    def emit(p: dict[str, Any], lines: list[str], var: str) -> str:
        pieces, last = rest(p, lines)
        return _join(lines, var, [_ramp(p["num_warmup_steps"], 0.0, p["lr"])] + pieces, last)
    return emit


def _span(p: dict[str, Any]) -> int:
    """The counts after the warmup, up to num_training_steps."""
    return p["num_training_steps"] - p["num_warmup_steps"]


def _flat_rest(p: dict[str, Any], lines: list[str]) -> Pieces:
    return [], f"optax.constant_schedule({p['lr']!r})"


def _linear_rest(p: dict[str, Any], lines: list[str]) -> Pieces:
    return [], f"optax.linear_schedule(init_value={p['lr']!r}, end_value=0.0, transition_steps={_span(p)})"


def _cosine_rest(p: dict[str, Any], lines: list[str], low: float = 0.0) -> Pieces:
    """transformers' cosine after the warmup, unclamped, down to ``low``."""
    lines.append(comment_lines(
        "optax's cosine schedules hold their end value after decay_steps; transformers' cosine, which lrtui "
        f"follows, is periodic (num_cycles={p['num_cycles']!r} waves over {_span(p)} counts, and on past "
        "num_training_steps): a plain cosine of the count"))
    angle = f"jnp.pi * {float(p['num_cycles'])!r} * 2.0 * (count / {float(_span(p))!r})"
    return [], _cosine_wave(p["lr"], low, angle)


def _min_lr_rest(p: dict[str, Any], lines: list[str]) -> Pieces:
    return _cosine_rest(p, lines, p["lr"] * min_lr_rate(p))


def _restarts_rest(p: dict[str, Any], lines: list[str]) -> Pieces:
    span = _span(p)
    lines.append(comment_lines(
        f"hard restarts: num_cycles={p['num_cycles']} cosine cycles over the {span} counts after the warmup, "
        "then 0 (optax.sgdr_schedule, but cycles may be fractional). The place in a cycle is "
        f"(num_cycles * count % {span}) / {span}, exact at each restart; transformers' float "
        "(num_cycles * p) % 1 can fall just short of one (49 * (1 / 49) < 1) and give ~0 there, which lrtui keeps "
        "and this code does not"))
    cycle = f"(({float(p['num_cycles'])!r} * count) % {float(span)!r}) / {float(span)!r}"
    return ([(span, f"lambda count: {p['lr']!r} * jnp.maximum(0.0, 0.5 * (1.0 + jnp.cos(jnp.pi * {cycle})))")],
            "optax.constant_schedule(0.0)")


def _hard_restarts(p: dict[str, Any], lines: list[str], var: str) -> str:
    """One cycle is optax's own warmup_cosine_decay_schedule; more, the cycles written out."""
    if p["num_cycles"] == 1:
        return (f"optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value={p['lr']!r}, "
                f"warmup_steps={p['num_warmup_steps']}, decay_steps={p['num_training_steps']}, end_value=0.0)")
    return _after_warmup(_restarts_rest)(p, lines, var)


def _polynomial_rest(p: dict[str, Any], lines: list[str]) -> Pieces:
    lr = p["lr"]
    if p["power"] == 0:
        lines.append(comment_lines("power=0: lr up to num_training_steps, then lr_end (optax's polynomial_schedule "
                                   "would hold lr)"))
        return [(_span(p) + 1, f"optax.constant_schedule({lr!r})")], f"optax.constant_schedule({p['lr_end']!r})"
    return [], (f"optax.polynomial_schedule(init_value={lr!r}, end_value={p['lr_end']!r}, power={p['power']!r}, "
                f"transition_steps={_span(p)})")


def _inverse_sqrt_rest(p: dict[str, Any], lines: list[str]) -> Pieces:
    tau = inverse_sqrt_timescale(p["num_warmup_steps"], p["timescale"])
    lines.append(comment_lines("optax has no inverse square-root schedule: transformers' formula"))
    return [], f"lambda count: {p['lr']!r} * (1.0 / jnp.sqrt((count + {tau}) / {float(tau)!r}))"


def _wsd(p: dict[str, Any], lines: list[str], var: str) -> str:
    """transformers' warmup-stable-decay: optax's linear and cosine pieces where they fit, jnp lambdas otherwise."""
    lr, w, d, m = p["lr"], p["num_warmup_steps"], p["num_decay_steps"], p["min_lr_ratio"]

    def shaped(template: str, steps: int) -> str:
        f = template.format(lib="jnp", p=f"(count / {float(max(1, steps))!r})", cycles=p["num_cycles"])
        return f"lambda count: {lr!r} * jnp.maximum(0.0, ({f}) * (1.0 - {m!r}) + {m!r})"

    if p["warmup_type"] == "linear":
        up = _ramp(w, lr * m, lr)[1]
    else:
        up = shaped(WSD_UP[p["warmup_type"]], w)
    if p["decay_type"] == "linear":
        down = f"optax.linear_schedule(init_value={lr!r}, end_value={lr * m!r}, transition_steps={d})"
    elif p["decay_type"] == "cosine" and p["num_cycles"] == 0.5:
        down = f"optax.cosine_decay_schedule(init_value={lr!r}, decay_steps={d}, alpha={m!r})"
    else:
        down = shaped(WSD_DOWN[p["decay_type"]], d)
    pieces = [(w, up), (wsd_stable_steps(p), f"optax.constant_schedule({lr!r})"), (d, down)]
    return _join(lines, var, pieces, f"optax.constant_schedule({lr * m!r})")


EMITTERS: dict[str, Emitter | str] = {
    "constant": _constant,
    "step": _step,
    "multistep": _multistep,
    "exponential": _exponential,
    "linear": _linear,
    "polynomial": _polynomial,
    "cosine": _cosine,
    "cosine_restarts": _restarts,
    "cyclic": _cyclic,
    "onecycle": _onecycle,
    "inverse_time": _inverse_time,
    "warmup_constant": _after_warmup(_flat_rest),
    "warmup_linear": _after_warmup(_linear_rest),
    "warmup_cosine": _after_warmup(_cosine_rest),
    "warmup_cosine_restarts": _hard_restarts,
    "warmup_polynomial": _after_warmup(_polynomial_rest),
    "inverse_sqrt": _after_warmup(_inverse_sqrt_rest),
    "warmup_cosine_min_lr": _after_warmup(_min_lr_rest),
    "wsd": _wsd,
    "sequential": _sequential,
    "chained": _chained,
    "plateau": OPTAX_PLATEAU,  # text, not code: an optax schedule cannot see the loss
}
"""Each schedule's optax code, by name: an emitter, or the text exported instead where optax has no such
schedule (every schedule lrtui knows has an entry: tests/test_codegen.py checks)."""
