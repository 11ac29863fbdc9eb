"""The run's optimizer as code beside its schedule: torch's own class (the schedulefree package's for schedule-free),
which the torch and transformers code build, and optax's own function, which the optax code builds. Values equal
to the framework's default are left out, so SGD's code is the one line it always was. Where a framework's
optimizer differs from the reference lrtui follows (torch, schedulefree), a comment says how.

:data:`TORCH` and :data:`OPTAX` hold an entry for every optimizer lrtui knows (tests/test_codegen.py checks).
"""

from __future__ import annotations

from typing import Any, Callable

from lrtui.codegen.common import comment_lines
from lrtui.params import ConfigError, format_value, resolve
from lrtui.sim.optimizers import OPTIMIZERS

_SGD = {"momentum": 0, "nesterov": False, "weight_decay": 0}
_BETAS = (0.9, 0.999)
_FREE = {"warmup_steps": 0, "r": 0.0, "weight_lr_power": 2.0}

TORCH: dict[str, tuple[str, dict[str, Any]]] = {
    "sgd": ("torch.optim.SGD", _SGD),
    "momentum": ("torch.optim.SGD", _SGD),
    "nesterov": ("torch.optim.SGD", _SGD),
    "adam": ("torch.optim.Adam", {"betas": _BETAS, "eps": 1e-8, "weight_decay": 0}),
    "adamw": ("torch.optim.AdamW", {"betas": _BETAS, "eps": 1e-8, "weight_decay": 0.01}),
    "rmsprop": ("torch.optim.RMSprop", {"alpha": 0.99, "eps": 1e-8, "weight_decay": 0, "momentum": 0,
                                        "centered": False}),
    "adagrad": ("torch.optim.Adagrad", {"weight_decay": 0, "initial_accumulator_value": 0, "eps": 1e-10}),
    "schedulefree_sgd": ("schedulefree.SGDScheduleFree", {"momentum": 0.9, "weight_decay": 0, **_FREE}),
    "schedulefree_adamw": ("schedulefree.AdamWScheduleFree", {"betas": _BETAS, "eps": 1e-8, "weight_decay": 0,
                                                              **_FREE}),
}
"""Each optimizer's torch class and that class's defaults, in its signature's order: the keywords the code may
pass."""

TRAINER_OPTIM = {"rmsprop": "rmsprop", "adagrad": "adagrad", "schedulefree_sgd": "schedule_free_sgd",
                 "schedulefree_adamw": "schedule_free_adamw"}
"""transformers' ``TrainingArguments(optim=...)`` names that build the same optimizer in a Trainer."""

SCHEDULE_FREE_IMPORT = "import schedulefree  # pip install schedulefree (Defazio et al. 2024's package)\n"

_TRAIN_EVAL = comment_lines(
    "schedule-free: train() before the training steps, eval() before evaluating or saving (its parameters are then "
    "the average x, whose loss lrtui shows). It is meant for a constant lr; a scheduler still sets the lr it reads at "
    "every step.") + "\noptimizer.train()"


def resolved(name: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """The optimizer's parameters, validated and with lrtui's defaults filled in (ConfigError names them)."""
    if name not in OPTIMIZERS:
        raise ConfigError(f"optimizer={format_value(name)} is unknown: allowed " + ", ".join(OPTIMIZERS))
    return resolve(OPTIMIZERS[name].params, params or {}, f"optimizer {name}", "optimizer.")


def _torch_values(name: str, p: dict[str, Any]) -> dict[str, Any]:
    """lrtui's parameters under torch's names: betas as a pair, nesterov as a flag (torch refuses it without
    momentum, where it is plain SGD)."""
    values = dict(p)
    if "beta1" in values:
        values["betas"] = (values.pop("beta1"), values.pop("beta2"))
    if name == "nesterov":
        values["nesterov"] = values["momentum"] > 0
    return values


def schedule_free(name: str) -> bool:
    """Whether the optimizer ``name`` is schedule-free: its parameters are y in train mode, x in eval mode."""
    return name.startswith("schedulefree")


def torch_imports(name: str) -> str:
    """What the torch code imports beside torch for this optimizer."""
    return SCHEDULE_FREE_IMPORT if schedule_free(name) else ""


def torch_optimizer(name: str, p: dict[str, Any], lr: float, modes: bool = True) -> str:
    """The lines that build ``optimizer`` over ``param`` (and, for schedule-free, put it in train mode with a
    comment on its modes, unless ``modes`` is False: a training loop switches them itself)."""
    cls, defaults = TORCH[name]
    values = _torch_values(name, p)
    given = "".join(f", {k}={_literal(values[k])}" for k in defaults if k in values and values[k] != defaults[k])
    line = f"optimizer = {cls}([param], lr={lr!r}{given})"
    if schedule_free(name) and modes:
        line += "\n" + _TRAIN_EVAL
    return line


def _literal(value: Any) -> str:
    return repr(tuple(value)) if isinstance(value, (tuple, list)) else repr(value)


# --- optax ------------------------------------------------------------------------------------------------

OptaxEmitter = Callable[[dict[str, Any], list[str]], str]
"""optax's optimizer for these parameters as an expression over ``schedule``; comments go into ``lines``."""


def _kwargs(pairs: dict[str, Any]) -> str:
    return "".join(f", {k}={_literal(v)}" for k, v in pairs.items())


def _l2(p: dict[str, Any], expr: str) -> str:
    """torch's weight_decay for SGD, Adam, RMSprop and Adagrad: the penalty added to the gradient first."""
    if not p.get("weight_decay"):
        return expr
    return f"optax.chain(optax.add_decayed_weights({p['weight_decay']!r}), {expr})"


def _sgd(p: dict[str, Any], lines: list[str]) -> str:
    return _l2(p, "optax.sgd(learning_rate=schedule)")


def _momentum(nesterov: bool) -> OptaxEmitter:
    def emit(p: dict[str, Any], lines: list[str]) -> str:
        flag = ", nesterov=True" if nesterov else ""
        return _l2(p, f"optax.sgd(learning_rate=schedule, momentum={p['momentum']!r}{flag})")
    return emit


def _adam(p: dict[str, Any], lines: list[str]) -> str:
    return _l2(p, f"optax.adam(learning_rate=schedule, b1={p['beta1']!r}, b2={p['beta2']!r}, eps={p['eps']!r})")


def _adamw(p: dict[str, Any], lines: list[str]) -> str:
    return (f"optax.adamw(learning_rate=schedule, b1={p['beta1']!r}, b2={p['beta2']!r}, eps={p['eps']!r}, "
            f"weight_decay={p['weight_decay']!r})")


def _rmsprop(p: dict[str, Any], lines: list[str]) -> str:
    momentum = f", momentum={p['momentum']!r}" if p["momentum"] else ""
    if p["momentum"]:
        lines.append(comment_lines("optax's momentum adds up steps already scaled by the lr (buf = m buf + lr g / d), "
                                   "torch's unscaled ones (buf = m buf + g / d, then lr buf): the same at a constant "
                                   "lr, not while the schedule moves it"))
    return _l2(p, f"optax.rmsprop(learning_rate=schedule, decay={p['alpha']!r}, eps={p['eps']!r}, eps_in_sqrt=False, "
                  f"centered={p['centered']!r}{momentum})")


def _adagrad(p: dict[str, Any], lines: list[str]) -> str:
    lines.append(comment_lines("optax's adagrad adds eps inside the square root (g / sqrt(s + eps), and 0 where s "
                               "is 0), torch's outside (g / (sqrt(s) + eps)): they differ by about eps"))
    return _l2(p, f"optax.adagrad(learning_rate=schedule, initial_accumulator_value="
                  f"{p['initial_accumulator_value']!r}, eps={p['eps']!r})")


def _schedule_free(kind: str) -> OptaxEmitter:
    """optax.contrib's schedule_free_sgd or schedule_free_adamw. Its warmup_steps takes the learning rate as the
    peak of a warmup to a constant, which a schedule cannot be: the package's warmup is written into the learning
    rate instead."""
    def emit(p: dict[str, Any], lines: list[str]) -> str:
        lr = "schedule"
        if p["warmup_steps"]:
            lr = f"lambda count: schedule(count) * jnp.minimum(1.0, (count + 1) / {p['warmup_steps']})"
        notes = ["optax.contrib's schedule-free; evaluate at optax.contrib.schedule_free_eval_params(opt_state, "
                 "params), the x sequence whose loss lrtui shows. It calls the learning rate at count 1 for the "
                 "first step's average weights (its own count starts at 1) and at 0 for the first z step"]
        if p["r"]:
            notes.append(f"optax has no r (polynomial weights): r={p['r']!r} is left out, its average weights "
                         "are lr_max ** weight_lr_power alone")
        lines.extend(comment_lines(n) for n in notes)
        if kind == "sgd":
            decay = f", weight_decay={p['weight_decay']!r}" if p["weight_decay"] else ""
            return (f"optax.contrib.schedule_free_sgd(learning_rate={lr}, b1={p['momentum']!r}{decay}, "
                    f"weight_lr_power={p['weight_lr_power']!r})")
        return (f"optax.contrib.schedule_free_adamw(learning_rate={lr}, b1={p['beta1']!r}, b2={p['beta2']!r}, "
                f"eps={p['eps']!r}, weight_decay={p['weight_decay']!r}, weight_lr_power={p['weight_lr_power']!r})")
    return emit


OPTAX: dict[str, OptaxEmitter] = {
    "sgd": _sgd,
    "momentum": _momentum(nesterov=False),
    "nesterov": _momentum(nesterov=True),
    "adam": _adam,
    "adamw": _adamw,
    "rmsprop": _rmsprop,
    "adagrad": _adagrad,
    "schedulefree_sgd": _schedule_free("sgd"),
    "schedulefree_adamw": _schedule_free("adamw"),
}
"""Each optimizer's optax code, by name."""


def optax_optimizer(name: str, p: dict[str, Any]) -> str:
    """The optax code's last lines: ``optimizer`` over ``schedule`` (comments first where optax differs)."""
    if name == "sgd" and not p["weight_decay"]:  # the line every export has ended with
        return "optimizer = optax.sgd(learning_rate=schedule)  # or any optax optimizer's learning_rate\n"
    lines: list[str] = []
    expr = OPTAX[name](p, lines)
    return "".join(line + "\n" for line in lines) + f"optimizer = {expr}\n"
