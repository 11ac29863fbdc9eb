"""The whole run as a training script (issue 28): the run's optimizer with its parameters, its schedule, and a
loop that steps them in the right order and at the run's granularity, so a practitioner takes away the run,
not the curve.

lrtui's lr changes once an epoch, and an epoch is ``steps_per_epoch`` optimizer steps: the script calls
``optimizer.step()`` for each batch and ``scheduler.step()`` once after the epoch's batches (with the epoch's
loss for plateau, read as the run's ``plateau_metric`` says). The other order, ``scheduler.step()`` before
``optimizer.step()``, skips the schedule's first value: the first epoch trains at the second epoch's lr (torch
warns "Detected call of lr_scheduler.step() before optimizer.step()"), and a warmup's first, smallest lr is
never used. :data:`TORCH_OPTIMIZERS` holds each optimizer's torch class and arguments, by name; a test checks
that every optimizer lrtui simulates has one.

The model and data are a tiny regression that stands for the user's (marked so): the script runs as it is.
"""

from __future__ import annotations

from typing import Any, Callable

from lrtui import schedules
from lrtui.analysis.compare import describe
from lrtui.codegen.common import base_lr
from lrtui.codegen.torch import scheduler_source
from lrtui.params import ConfigError
from lrtui.sim.config import Prepared

TORCH_HEADER = """import math
import torch
from torch.optim import lr_scheduler

# A tiny regression standing for your model and data: replace these four lines with yours.
torch.manual_seed(0)
X, Y = torch.randn(256, 4), torch.randn(256, 1)
model = torch.nn.Linear(4, 1)
loss_fn = torch.nn.functional.mse_loss
"""

OptimizerSource = Callable[[dict[str, Any], float], str]
"""An optimizer's construction over ``model.parameters()``, from its parameters and the lr."""


def _betas(p: dict[str, Any]) -> str:
    return f"betas=({p['beta1']!r}, {p['beta2']!r}), eps={p['eps']!r}, weight_decay={p['weight_decay']!r}"


TORCH_OPTIMIZERS: dict[str, OptimizerSource] = {
    "sgd": lambda p, lr: f"torch.optim.SGD(model.parameters(), lr={lr!r}, weight_decay={p['weight_decay']!r})",
    "momentum": lambda p, lr: (f"torch.optim.SGD(model.parameters(), lr={lr!r}, momentum={p['momentum']!r}, "
                               f"weight_decay={p['weight_decay']!r})"),
    "nesterov": lambda p, lr: (f"torch.optim.SGD(model.parameters(), lr={lr!r}, momentum={p['momentum']!r}, "
                               f"nesterov=True, weight_decay={p['weight_decay']!r})"),
    "adam": lambda p, lr: f"torch.optim.Adam(model.parameters(), lr={lr!r}, {_betas(p)})",
    "adamw": lambda p, lr: f"torch.optim.AdamW(model.parameters(), lr={lr!r}, {_betas(p)})",
}
"""Each optimizer's torch construction, by lrtui's name (their update rules are torch's: tests/fixtures)."""

PLATEAU_HINT = "# step it with the metric after each epoch: scheduler.step(validation_loss)\n"
"""What the schedule's fragment says of plateau, which the loop does itself."""
ORDER_COMMENT = ("# scheduler.step() after the epoch's optimizer.step() calls: the other way round, the first "
                 "epoch trains at the\n# schedule's second lr (a warmup's first, smallest lr is never used) and "
                 "torch warns about the order.")

_METRIC = {"end": ("the loss after the epoch's last step", "loss.item()"),
           "running": ("the mean of the epoch's losses", "running / STEPS_PER_EPOCH"),
           "heldout": ("the held-out loss", "held_out_loss()")}
"""Plateau's metric, by the run's plateau_metric: what it is, and the expression the script steps it with."""


def torch_training(run: Prepared) -> str:
    """The run as a torch training script: the optimizer, the schedule over it, and the loop."""
    optimizer = run.config.optimizer
    if optimizer not in TORCH_OPTIMIZERS:
        raise ConfigError(f"optimizer {optimizer} has no torch code here yet: allowed " + ", ".join(TORCH_OPTIMIZERS))
    schedule = schedules.from_spec(run.config.schedule)
    lr = base_lr(schedule.name, dict(schedule.params))
    built = scheduler_source(schedule, [f"optimizer = {TORCH_OPTIMIZERS[optimizer](run.optimizer_params, lr)}"])
    plateau = schedule.name == "plateau"
    what, metric = _METRIC[run.plateau_metric]
    loop = [f"EPOCHS, STEPS_PER_EPOCH = {run.epochs}, {run.steps_per_epoch}  # lrtui's epoch: "
            + ("one optimizer step" if run.steps_per_epoch == 1 else f"{run.steps_per_epoch} optimizer steps"),
            "",
            "for epoch in range(EPOCHS):",
            "    running = 0.0" if plateau and run.plateau_metric == "running" else None,
            "    for step in range(STEPS_PER_EPOCH):",
            "        batch = torch.randint(0, len(X), (32,))  # your data loader's next batch",
            "        optimizer.zero_grad()",
            "        loss = loss_fn(model(X[batch]), Y[batch])",
            "        loss.backward()",
            "        optimizer.step()",
            "        running += loss.item()" if plateau and run.plateau_metric == "running" else None,
            "    print(epoch, optimizer.param_groups[0][\"lr\"], loss.item())  # the epoch's lr and last loss",
            ORDER_COMMENT.replace("\n#", "\n    #").join(["    ", ""]),
            f"    scheduler.step({metric})  # plateau reads {what}" if plateau else "    scheduler.step()"]
    if plateau and run.plateau_metric == "heldout":
        loop.insert(0, "def held_out_loss():  # your validation set's loss\n"
                       "    with torch.no_grad():\n        return loss_fn(model(X), Y).item()\n")
    built = built.replace(PLATEAU_HINT, "")  # (the loop steps it)
    return (f"# The run lrtui simulated: {describe(run.config)}\n" + TORCH_HEADER + "\n" + built + "\n"
            + "\n".join(line for line in loop if line is not None) + "\n")
