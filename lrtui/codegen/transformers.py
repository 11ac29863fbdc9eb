"""A schedule as transformers code: its own get_*_schedule function for that family, and for a torch-family
schedule whose curve one of them gives (flat, a cosine to 0, a linear decay to 0, from lr or after a warmup
from 0); the other schedules have no transformers equivalent, and the code says so (use the torch code)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from lrtui import schedules
from lrtui.codegen.common import comment_lines, py_literal
from lrtui.codegen.optimizers import TRAINER_OPTIM, resolved, torch_imports, torch_optimizer
from lrtui.params import ConfigError

Kwargs = tuple[tuple[str, Any], ...]
"""Keyword arguments in the order the call passes them: (name, Python value) pairs."""


@dataclass(frozen=True)
class Call:
    """transformers' schedule function over the optimizer, as a value: the fragment and the training script both
    write it from here (never one from the other's text). ``function`` is the name in
    ``transformers.optimization``, ``kwargs`` what it is passed after the optimizer, ``lr`` the optimizer's lr
    (the schedule multiplies it), ``note`` the comment line(s) written above it."""

    function: str
    kwargs: Kwargs
    lr: float
    note: str

    @property
    def source(self) -> str:
        """The call's text: ``optimization.<function>(optimizer, name=value, ...)``.

        >>> Call("get_inverse_sqrt_schedule", (("num_warmup_steps", 10), ("timescale", None)), 0.1, "").source
        'optimization.get_inverse_sqrt_schedule(optimizer, num_warmup_steps=10, timescale=None)'
        """
        given = "".join(f", {name}={py_literal(value)}" for name, value in self.kwargs)
        return f"optimization.{self.function}(optimizer{given})"


Emitter = Callable[[str, dict[str, Any]], "Call | str"]
"""transformers' call for the schedule name with these params, or the comment saying there is none."""

_TORCH_CODE = ("use the torch code (the same lrtui code command with --framework torch, or f on the app's code "
               "screen), which any transformers Trainer accepts as its lr_scheduler.")


Optimizer = tuple[str, dict[str, Any]]
"""The run's optimizer: its name and its resolved parameters."""


def trainer_hint(name: str) -> str:
    """The comment naming the TrainingArguments(optim=...) that builds the optimizer ``name`` in a Trainer, if
    one does."""
    return (f"# (a Trainer builds this optimizer with TrainingArguments(optim={TRAINER_OPTIM[name]!r}))\n"
            if name in TRAINER_OPTIM else "")


def _code(call: Call, optimizer: Optimizer) -> str:
    name, p = optimizer
    return (f"import torch\n{torch_imports(name)}from transformers import optimization\n\n"  # the imports first
            "param = torch.nn.Parameter(torch.zeros(1))  # stands for your model's parameters\n"
            f"{trainer_hint(name)}{torch_optimizer(name, p, call.lr)}\n"
            f"{call.note}scheduler = {call.source}\n")


def _kwargs(names: tuple[str, ...], params: dict[str, Any]) -> Kwargs:
    return tuple((n, params[n]) for n in names)


def _own(func: str, args: tuple[str, ...] | Callable[[dict[str, Any]], Kwargs]) -> Emitter:
    """transformers' own ``func`` for its family, given the params named in ``args`` (or the pairs args(params))."""
    def emit(name: str, params: dict[str, Any]) -> Call:
        given = _kwargs(args, params) if isinstance(args, tuple) else args(params)
        return Call(func, given, params["lr"],
                    f"# note: transformers' warmups start at lr 0 at step 0, as lrtui's {name} does\n")
    return emit


def _wsd_args(params: dict[str, Any]) -> Kwargs:
    if params["num_stable_steps"] is not None:  # the stable steps set the length: given both,
        params = {**params, "num_training_steps": None}  # transformers warns (and uses num_stable_steps anyway)
    return _kwargs(("num_warmup_steps", "num_decay_steps", "num_training_steps", "num_stable_steps", "warmup_type",
                    "decay_type", "min_lr_ratio", "num_cycles"), params)


def _min_lr_args(params: dict[str, Any]) -> Kwargs:
    floor = "min_lr" if params["min_lr"] is not None else "min_lr_rate"
    return _kwargs(("num_warmup_steps", "num_training_steps", "num_cycles", floor), params)


Twin = Callable[[dict[str, Any], int], "tuple[str, Kwargs] | None"]
"""transformers' function and its arguments for a torch-family schedule's params (after a warmup of W from 0), if
that function gives the schedule's curve exactly, else None."""


def _twin(func: str, needs: str, twin: Twin) -> Emitter:
    """transformers' function that gives this torch-family schedule's curve, where ``twin`` finds one; else a
    comment that ``func`` would need ``needs``. A warmup from 0 is transformers' own (t / W); the schedule after
    it starts at its epoch 0 in both."""
    def emit(name: str, params: dict[str, Any]) -> Call | str:
        w = params.get("warmup", 0)
        found = twin(params, w) if not w or params["warmup_start_factor"] == 0 else None
        if found is not None:
            return Call(*found, params["lr"], f"# the same curve as torch's {name} here\n")
        conditions = [needs] * bool(needs) + ["a warmup from 0 (warmup_start_factor=0)"] * bool(w)
        return comment_lines(f"transformers' {func} gives this {name} only with {' and '.join(conditions)}: "
                             + _TORCH_CODE) + "\n"
    return emit


def _constant_twin(p: dict[str, Any], w: int) -> tuple[str, Kwargs] | None:
    if p["factor"] != 1 and p["total_iters"] != 0:
        return None
    return ("get_constant_schedule_with_warmup", (("num_warmup_steps", w),)) if w else ("get_constant_schedule", ())


def _cosine_twin(p: dict[str, Any], w: int) -> tuple[str, Kwargs] | None:
    """torch's cosine, eta_min + (lr - eta_min)(1 + cos(pi t / T_max)) / 2: transformers' cosine, or with eta_min
    above 0 its cosine with min_lr, whose factor is cos_factor (1 - min_lr / lr) + min_lr / lr (the same)."""
    steps = (("num_warmup_steps", w), ("num_training_steps", w + p["T_max"]))
    if p["eta_min"] == 0:
        return "get_cosine_schedule_with_warmup", steps
    return "get_cosine_with_min_lr_schedule_with_warmup", (*steps, ("min_lr", p["eta_min"]))


def _linear_twin(p: dict[str, Any], w: int) -> tuple[str, Kwargs] | None:
    if p["start_factor"] != 1 or p["end_factor"] != 0:
        return None
    return "get_linear_schedule_with_warmup", (("num_warmup_steps", w), ("num_training_steps", w + p["total_iters"]))


def _none(name: str, params: dict[str, Any]) -> str:
    """No transformers function gives this schedule: a comment that says so."""
    return comment_lines(f"{name} has no transformers schedule function: " + _TORCH_CODE) + "\n"


EMITTERS: dict[str, Emitter] = {
    "constant": _twin("get_constant_schedule", "factor=1 (or total_iters=0)", _constant_twin),
    "step": _none,
    "multistep": _none,
    "exponential": _none,
    "linear": _twin("get_linear_schedule_with_warmup", "start_factor=1 and end_factor=0", _linear_twin),
    "polynomial": _none,
    "cosine": _twin("get_cosine_schedule_with_warmup", "", _cosine_twin),
    "cosine_restarts": _none,
    "cyclic": _none,
    "onecycle": _none,
    "inverse_time": _none,
    "warmup_constant": _own("get_constant_schedule_with_warmup", ("num_warmup_steps",)),
    "warmup_linear": _own("get_linear_schedule_with_warmup", ("num_warmup_steps", "num_training_steps")),
    "warmup_cosine": _own("get_cosine_schedule_with_warmup", ("num_warmup_steps", "num_training_steps", "num_cycles")),
    "warmup_cosine_restarts": _own("get_cosine_with_hard_restarts_schedule_with_warmup",
                                   ("num_warmup_steps", "num_training_steps", "num_cycles")),
    "warmup_polynomial": _own("get_polynomial_decay_schedule_with_warmup",
                              ("num_warmup_steps", "num_training_steps", "lr_end", "power")),
    "inverse_sqrt": _own("get_inverse_sqrt_schedule", ("num_warmup_steps", "timescale")),
    "warmup_cosine_min_lr": _own("get_cosine_with_min_lr_schedule_with_warmup", _min_lr_args),
    "wsd": _own("get_wsd_schedule", _wsd_args),
    "sequential": _none,
    "chained": _none,
    "plateau": _none,
}
"""Each schedule's transformers call, by name: transformers' own function, or a comment saying there is none
(every schedule lrtui knows has an entry: tests/test_codegen.py checks)."""


def schedule_call(spec: dict[str, Any]) -> Call | str:
    """transformers' call for the schedule ``spec`` (:class:`Call`), or the comment saying it has none: what
    :func:`transformers_code` and the training script (lrtui.codegen.training) are both written from."""
    schedule = schedules.from_spec(spec)
    if schedule.name not in EMITTERS:
        raise ConfigError(f"{schedule.name} has no transformers code here yet: allowed " + ", ".join(EMITTERS))
    return EMITTERS[schedule.name](schedule.name, dict(schedule.params))


def transformers_code(spec: dict[str, Any], optimizer: str = "sgd",
                      optimizer_params: dict[str, Any] | None = None) -> str:
    """transformers' own function for its family, or for a torch-family schedule it gives exactly, driving the
    run's optimizer (torch's class, or schedulefree's); for the others, a comment saying there is none (and, where
    one comes close, what it would need)."""
    chosen = (optimizer, resolved(optimizer, optimizer_params))
    call = schedule_call(spec)
    return call if isinstance(call, str) else _code(call, chosen)
