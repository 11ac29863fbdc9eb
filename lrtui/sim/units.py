"""Time units: epochs, optimizer steps, samples and tokens, and the conversions between them.

lrtui's schedules advance once per epoch, and an epoch is ``steps_per_epoch`` optimizer steps; with a
batch size one step is ``batch_size`` samples, with a token budget ``tokens_per_step`` tokens. So a length
given in any unit is a number of epochs:

    epochs = steps / steps_per_epoch = samples / (batch_size * steps_per_epoch)
           = tokens / (tokens_per_step * steps_per_epoch)

rounded to the nearest whole epoch. GPT-3's warmup of 375M tokens at 2^19 tokens a step is 715 steps.
Any epoch count (T_max, num_warmup_steps, milestones, epochs...) may be typed with a unit, in the app and
on the command line: ``375M tokens``, ``715 steps``, ``50k samples``, ``5 epochs`` (suffixes k, M, B or
G, T).

>>> Units(tokens_per_step=2**19).to_epochs("num_warmup_steps", "375M tokens")
715
>>> Units(steps_per_epoch=10).describe(300)
'300 epochs = 3k steps'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from lrtui.params import MAX_EPOCHS, ConfigError

EPOCH_COUNTS = frozenset({
    "T_0", "T_max", "cooldown", "decay_steps", "milestones", "num_decay_steps", "num_stable_steps",
    "num_training_steps", "num_warmup_steps", "patience", "step_size", "step_size_down", "step_size_up",
    "timescale", "total_iters", "total_steps", "warmup", "epochs",
})
"""The parameters that count epochs: the ones a length in another unit can be typed into."""

SUFFIXES = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "B": 1e9, "T": 1e12}
UNITS = {"epoch": "epochs", "epochs": "epochs", "ep": "epochs", "step": "steps", "steps": "steps",
         "sample": "samples", "samples": "samples", "token": "tokens", "tokens": "tokens", "tok": "tokens"}
_AMOUNT = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([kKMGBT]?)\s*([a-z]+)\s*$")


@dataclass(frozen=True)
class Units:
    """How long an epoch is in steps, samples and tokens (None: not set, that unit is not known)."""

    steps_per_epoch: int = 1
    batch_size: int | None = None
    tokens_per_step: int | None = None

    @classmethod
    def of(cls, prepared: Any) -> "Units":
        """The units of a validated run (lrtui.sim.config.Prepared). A data problem's epoch is a pass over its
        n samples in minibatches of its own batch_size: ceil(n / batch_size) steps."""
        if prepared.problem.kind == "data":
            n, batch = prepared.problem_params["n"], prepared.problem_params["batch_size"]
            return cls(-(-n // batch), batch, prepared.tokens_per_step)
        return cls(prepared.steps_per_epoch, prepared.batch_size, prepared.tokens_per_step)

    def per_epoch(self, unit: str) -> float | None:
        """How many of ``unit`` one epoch is (None when the setting it needs is not set)."""
        steps = self.steps_per_epoch
        return {"epochs": 1.0, "steps": float(steps),
                "samples": steps * self.batch_size if self.batch_size else None,
                "tokens": steps * self.tokens_per_step if self.tokens_per_step else None}[unit]

    def to_epochs(self, name: str, text: Any, prefix: str = "") -> Any:
        """``text`` as whole epochs when it is a length with a unit ("375M tokens"; a list of them for
        milestones); anything else is returned as it is, for the parameter's own parsing. ``prefix``
        ("problem.") goes before the name in messages."""
        if not isinstance(text, str) or not re.search(r"[a-z]", text):
            return text
        parts = [p for p in re.split(r"[,\s]*,[,\s]*", text.strip()) if p]
        if not all(_AMOUNT.match(p) and _AMOUNT.match(p).group(3) in UNITS for p in parts):
            return text  # not lengths: the parameter's own message says what is allowed
        if name not in EPOCH_COUNTS:
            raise ConfigError(f"{prefix}{name}={text} is not allowed: {name} is not a length, so it takes no unit")
        epochs = [self._one(prefix + name, p) for p in parts]
        return ",".join(map(str, epochs)) if name == "milestones" else epochs[0]

    def _one(self, name: str, part: str) -> int:
        number, suffix, word = _AMOUNT.match(part).groups()
        unit = UNITS[word]
        size = self.per_epoch(unit)
        if size is None:
            setting = "batch_size" if unit == "samples" else "tokens_per_step"
            raise ConfigError(f"{name}={part} is not allowed: {unit} become epochs only with {setting} set "
                              f"(the run setting, --{setting.replace('_', '-')} on the command line)")
        epochs = float(number) * SUFFIXES[suffix] / size
        if not math.isfinite(epochs) or epochs > 1e15:
            raise ConfigError(f"{name}={part} is not allowed: a length of at most {MAX_EPOCHS} epochs")
        return int(round(epochs))

    def describe(self, epochs: int) -> str:
        """The run's length in every unit that is known: '300 epochs = 3k steps = 1.57B tokens'."""
        parts = [f"{epochs} epochs"]
        for unit in ("steps", "samples", "tokens"):
            size = self.per_epoch(unit)
            if size is not None and (unit != "steps" or size != 1):
                parts.append(f"{amount(epochs * size)} {unit}")
        return " = ".join(parts)

    @property
    def known(self) -> bool:
        """Whether an epoch is anything but one step: only then is there something to convert or show."""
        return self.steps_per_epoch != 1 or self.batch_size is not None or self.tokens_per_step is not None


def amount(x: float) -> str:
    """A count with a suffix: 715, 3k, 52.4M, 1.57B, 300B.

    >>> [amount(v) for v in (715, 3000, 52_428_800, 1_572_864_000, 3e11)]
    ['715', '3k', '52.4M', '1.57B', '300B']
    """
    for suffix, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= size:
            return f"{x / size:.3g}{suffix}"
    return f"{x:.3g}" if x != int(x) else str(int(x))
