"""The whole run as a training script (issue 28): the run's optimizer with its parameters, its schedule, and a
loop that steps them in the right order and at the run's granularity, so a practitioner takes away the run,
not the curve.

lrtui's lr changes once an epoch, and an epoch is ``steps_per_epoch`` optimizer steps: the script calls
``optimizer.step()`` for each batch and ``scheduler.step()`` once after the epoch's batches (with the epoch's
loss for plateau, read as the run's ``plateau_metric`` says). The other order, ``scheduler.step()`` before
``optimizer.step()``, skips the schedule's first value: the first epoch trains at the second epoch's lr (torch
warns "Detected call of lr_scheduler.step() before optimizer.step()"), and a warmup's first, smallest lr is
never used. Each optimizer's construction is lrtui.codegen.optimizers' (torch's class or schedulefree's, optax's
function). transformers' scripts use its own schedule
function over the torch optimizer; optax's build its optimizer with the schedule, lrtui's epoch being the
update count // steps_per_epoch.

The model and data are a tiny regression that stands for the user's (marked so): the script runs as it is.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from lrtui import schedules
from lrtui.analysis.compare import describe
from lrtui.codegen.common import base_lr, comment_lines
from lrtui.codegen.optimizers import optax_optimizer, resolved, schedule_free, torch_imports, torch_optimizer
from lrtui.codegen.torch import scheduler_source
from lrtui.params import ConfigError
from lrtui.sim.config import Prepared

TORCH_MODEL = """
# A tiny regression standing for your model and data: replace these four lines with yours.
torch.manual_seed(0)
X, Y = torch.randn(256, 4), torch.randn(256, 1)
model = torch.nn.Linear(4, 1)
loss_fn = torch.nn.functional.mse_loss
"""

PLATEAU_HINT = "# step it with the metric after each epoch: scheduler.step(validation_loss)\n"
"""What the schedule's fragment says of plateau, which the loop does itself."""
ORDER_COMMENT = ("# scheduler.step() after the epoch's optimizer.step() calls: the other way round, the first "
                 "epoch trains at the\n# schedule's second lr (a warmup's first, smallest lr is never used) and "
                 "torch warns about the order.")
PLATEAU_ORDER_COMMENT = ("# scheduler.step(metric) once the epoch's steps are done and its metric is measured: "
                         "plateau compares it\n# with the best so far and cuts the lr after `patience` epochs "
                         "without improvement (torch does not warn\n# about the order here: stepped before the "
                         "epoch, it would judge the previous epoch's metric).")

FREE_NOTE = "\n" + comment_lines(
    "schedule-free: the loop calls optimizer.train() before the training steps (the gradients are taken at y) and "
    "optimizer.eval() before evaluating or saving (the parameters are then x, the average, whose loss lrtui shows). "
    "It is meant for a constant lr; a scheduler still sets the lr it reads at every step.")
"""What the scripts say under a schedule-free optimizer, whose modes their loop switches."""
FREE_TRAIN = "    optimizer.train()  # schedule-free: train mode, the gradients at y (where model.train() goes)"
FREE_EVAL = "    optimizer.eval()  # schedule-free: eval mode, the parameters at x (where model.eval() goes)"

_METRIC = {"end": ("the loss after the epoch's last step", "end_loss()"),
           "running": ("the mean of the epoch's losses", "running / STEPS_PER_EPOCH"),
           "heldout": ("the held-out loss", "held_out_loss()")}
"""Plateau's metric, by the run's plateau_metric: what it is, and the expression the script steps it with."""
_METRIC_DEFINED = {"end": "the loss at the parameters the epoch ends with (all of your data, or a large batch)",
                   "heldout": "your validation set's loss"}
"""The metrics the script defines a function for (its name the expression's), with the comment on it."""


def torch_training(run: Prepared) -> str:
    """The run as a torch training script: the optimizer, the schedule over it, and the loop."""
    schedule = schedules.from_spec(run.config.schedule)
    lr = base_lr(schedule.name, dict(schedule.params))
    built = scheduler_source(schedule, [_torch_optimizer(run, lr)])
    built = built.replace(PLATEAU_HINT, "")  # (the loop steps it)
    return (_title(run) + _torch_imports(run, "math", "torch") + "from torch.optim import lr_scheduler\n"
            + TORCH_MODEL + "\n"
            + built + "\n" + _torch_loop(run, schedule.name == "plateau"))


def transformers_training(run: Prepared) -> str:
    """The run as a training script with transformers' own schedule function over the run's torch optimizer,
    stepped as the torch script steps its scheduler; where transformers has no function for the schedule, the
    comment that says so (:func:`~lrtui.codegen.transformers.transformers_code`). The call is the fragment's,
    from the same :class:`~lrtui.codegen.transformers.Call`."""
    from lrtui.codegen.transformers import schedule_call, trainer_hint

    call = schedule_call(run.config.schedule)
    if isinstance(call, str):  # no such function: the comment says what to use instead
        return call
    per_epoch = run.steps_per_epoch
    units = "" if per_epoch == 1 else comment_lines(
        f"The schedule's counts (its *_steps) are lrtui's epochs of {per_epoch} optimizer steps: the loop below "
        "steps the scheduler once an epoch, as lrtui does. To step it at every optimizer step instead (as a "
        f"Trainer does), multiply every count by {per_epoch}.") + "\n"
    return (_title(run) + _torch_imports(run, "torch") + "from transformers import optimization\n" + TORCH_MODEL
            + "\n" + trainer_hint(run.config.optimizer) + _torch_optimizer(run, call.lr) + "\n" + call.note
            + units + f"scheduler = {call.source}\n\n" + _torch_loop(run, False))


def _torch_optimizer(run: Prepared, lr: float, over: str = "model.parameters()") -> str:
    """The lines that build the run's ``optimizer`` over ``over`` (lrtui.codegen.optimizers: torch's class, or
    schedulefree's, whose modes the loop switches: a comment says so)."""
    name = run.config.optimizer
    built = torch_optimizer(name, resolved(name, run.optimizer_params), lr, modes=False)
    return built.replace("([param],", f"({over},", 1) + (FREE_NOTE if schedule_free(name) else "")


def _torch_imports(run: Prepared, *modules: str) -> str:
    return "".join(f"import {m}\n" for m in modules) + torch_imports(run.config.optimizer)


def _title(run: Prepared) -> str:
    return f"# The run lrtui simulated: {describe(run.config)}\n"


def _torch_loop(run: Prepared, plateau: bool) -> str:
    """The epochs' loop: ``steps_per_epoch`` optimizer steps, then the scheduler's step (plateau's with the
    metric the run watches), the epoch's lr printed before it."""
    what, metric = _METRIC[run.plateau_metric]
    running = plateau and run.plateau_metric == "running"
    free = schedule_free(run.config.optimizer)
    loop = [f"EPOCHS, STEPS_PER_EPOCH = {run.epochs}, {run.steps_per_epoch}  # lrtui's epoch: "
            + ("one optimizer step" if run.steps_per_epoch == 1 else f"{run.steps_per_epoch} optimizer steps"),
            "",
            "for epoch in range(EPOCHS):",
            FREE_TRAIN if free else None,
            "    running = 0.0" if running else None,
            "    for step in range(STEPS_PER_EPOCH):",
            "        batch = torch.randint(0, len(X), (32,))  # your data loader's next batch",
            "        optimizer.zero_grad()",
            "        loss = loss_fn(model(X[batch]), Y[batch])",
            "        loss.backward()",
            "        optimizer.step()",
            "        running += loss.item()" if running else None,
            FREE_EVAL if free else None,
            "    with torch.no_grad():  # the last batch's loss at x, as lrtui's loss is x's\n"
            "        loss = loss_fn(model(X[batch]), Y[batch])" if free else None,
            "    print(epoch, optimizer.param_groups[0][\"lr\"], loss.item())  # the epoch's lr and last loss",
            (PLATEAU_ORDER_COMMENT if plateau else ORDER_COMMENT).replace("\n#", "\n    #").join(["    ", ""]),
            f"    scheduler.step({metric})  # plateau reads {what}" if plateau else "    scheduler.step()"]
    if plateau and run.plateau_metric in _METRIC_DEFINED:  # (end: the last batch's loss.item() is before its step)
        loop.insert(0, f"def {metric.removesuffix('()')}():  # {_METRIC_DEFINED[run.plateau_metric]}\n"
                       "    with torch.no_grad():\n        return loss_fn(model(X), Y).item()\n")
    return "\n".join(line for line in loop if line is not None) + "\n"


OPTAX_EPOCHS_HINT = ("# schedule(count) is the lr of optax's update number count (0 first), lrtui's epoch t = count: "
                     "if one lrtui\n# epoch is several updates, pass learning_rate=lambda count: "
                     "schedule(count // steps_per_epoch) instead.\n")
"""What the schedule's optax fragment says of lrtui's epochs and optax's count, which the script does itself."""


def optax_training(run: Prepared) -> str:
    """The run as an optax training script: the optimizer built with the schedule (lrtui's epoch t is the
    updates' count // steps_per_epoch), and a jax update loop."""
    from lrtui.codegen.optax import optax_code

    name = run.config.optimizer
    fragment = optax_code(run.config.schedule)
    footer = optax_optimizer("sgd", resolved("sgd", {}))  # (the fragment's last line, for the default)
    if footer not in fragment:  # plateau: optax has no such schedule, the comment says what is nearest
        return fragment
    body = fragment.replace(footer, "").replace(OPTAX_EPOCHS_HINT, "").rstrip("\n")  # (the loop does it)
    return (_title(run) + "import jax\n" + body + "\n\n"
            "# A tiny regression standing for your model and data: replace these lines with yours.\n"
            "key = jax.random.PRNGKey(0)\n"
            "X, Y = jax.random.normal(key, (256, 4)), jax.random.normal(jax.random.PRNGKey(1), (256, 1))\n"
            "params = {\"w\": jnp.zeros((4, 1)), \"b\": jnp.zeros((1,))}\n\n\n"
            "def loss_fn(params, x, y):\n"
            "    return jnp.mean((x @ params[\"w\"] + params[\"b\"] - y) ** 2)\n\n\n"
            f"EPOCHS, STEPS_PER_EPOCH = {run.epochs}, {run.steps_per_epoch}  # lrtui's epoch: "
            + ("one update" if run.steps_per_epoch == 1 else f"{run.steps_per_epoch} updates") + "\n"
            "lrtui_schedule = schedule  # the lr by lrtui's epoch\n"
            "schedule = lambda count: lrtui_schedule(count // STEPS_PER_EPOCH)  # by optax's update count\n"
            + optax_optimizer(name, resolved(name, run.optimizer_params))
            + "opt_state = optimizer.init(params)\n\n\n"
            "@jax.jit\n"
            "def update(params, opt_state, x, y):\n"
            "    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)\n"
            "    updates, opt_state = optimizer.update(grads, opt_state, params)  # the count, and the lr, advance\n"
            "    return optax.apply_updates(params, updates), opt_state, loss\n\n\n"
            "for epoch in range(EPOCHS):\n"
            "    print(epoch, float(lrtui_schedule(epoch)))  # the epoch's lr\n"
            "    for step in range(STEPS_PER_EPOCH):\n"
            "        key, batch_key = jax.random.split(key)\n"
            "        batch = jax.random.randint(batch_key, (32,), 0, len(X))  # your data loader's next batch\n"
            "        params, opt_state, loss = update(params, opt_state, X[batch], Y[batch])\n")


def _beale(p: dict[str, Any]) -> str:
    from lrtui.sim.problems import _BEALE_C

    return " + ".join(f"({c!r} - x[0] + x[0] * x[1] ** {i + 1}) ** 2" for i, c in enumerate(_BEALE_C))


def _diagonal(lambdas: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], str]:
    return lambda p: f"0.5 * torch.sum(torch.tensor({[float(v) for v in lambdas(p)]!r}) * x * x)"


def _nqm(p: dict[str, Any]) -> list[float]:
    from lrtui.sim.problems import _NQM_LAMBDAS

    return list(_NQM_LAMBDAS)


TORCH_LOSSES: dict[str, Callable[[dict[str, Any]], str]] = {
    "quadratic": lambda p: f"0.5 * {p['L']!r} * x[0] ** 2",
    "ravine": lambda p: "0.1 * x[0] ** 2 + 2 * x[1] ** 2",
    "quartic": lambda p: "x[0] ** 4 / 4 + x[0] ** 2 / 2",
    "two_basins": lambda p: ("0.02 * x[0] ** 2 - torch.exp(-((x[0] - 2) ** 2) / 0.02) "
                             "- 1.2 * torch.exp(-((x[0] + 2) ** 2) / 4.5)"),
    "catapult": lambda p: "0.5 * (x[0] * x[1] - 1) ** 2",
    "river_valley": lambda p: "0.5 * 0.02 * (x[0] - 10) ** 2 + 0.5 * 10 * x[1] ** 2",
    "rosenbrock": lambda p: "(1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2",
    "beale": _beale,
    "spectrum": _diagonal(lambda p: (p["l1"], p["l2"], p["l3"])),
    "nqm": _diagonal(_nqm),
}
"""Each analytic problem's loss as a torch expression over ``x`` (its parameters, a 1-D tensor), by name: what a
script that reproduces a run defines (a test holds each to lrtui's own loss)."""


def torch_reproduction(run: Prepared) -> str:
    """A torch script that runs the run itself on its own problem, defined in the script, and prints the lr and
    the loss each epoch (the loss at the parameters the epoch starts from, as lrtui simulate's ``loss``): in
    float64 it gives lrtui's trace of the run's first seed (``seed``), noise included, drawn as lrtui draws it
    (numpy's generator of that seed, a chunk of epochs at a time)."""
    from lrtui.sim.engine import DIVERGENCE_FACTOR, NOISE_CHUNK, NOISE_DRAWS

    problem = run.problem
    if problem.name not in TORCH_LOSSES:
        raise ConfigError(f"--reproduce is not allowed on problem {problem.name} (a data problem): allowed "
                          + ", ".join(TORCH_LOSSES))
    schedule = schedules.from_spec(run.config.schedule)
    lr = base_lr(schedule.name, dict(schedule.params))
    built = scheduler_source(schedule, [_torch_optimizer(run, lr, over="[x]")])
    built = built.replace(PLATEAU_HINT, "")
    pp = run.problem_params
    sigma = pp["noise"] * (np.asarray(problem.noise_scale) if problem.noise_scale else np.ones(problem.dim))
    steps = run.steps_per_epoch
    chunk = max(1, min(NOISE_CHUNK, NOISE_DRAWS // steps))
    plateau = schedule.name == "plateau"
    metric = {"end": "f(x).item()", "running": "running / STEPS_PER_EPOCH"}.get(run.plateau_metric)
    seeds = (f"# lrtui's run is the mean over {run.seeds} seeds ({run.seed} to {run.seed + run.seeds - 1}): this is "
             f"seed {run.seed}'s, lrtui simulate --seeds 1 --seed {run.seed}\n" if run.seeds > 1 else "")
    noisy = bool(np.any(sigma))
    free = schedule_free(run.config.optimizer)  # (its loss is x's, its steps move y: as lrtui's)
    return (_title(run) + seeds
            + _torch_imports(run, "math", "numpy as np", "torch") + "from torch.optim import lr_scheduler\n\n"
            "torch.set_default_dtype(torch.float64)  # lrtui computes in float64\n"
            f"x = torch.nn.Parameter(torch.tensor({[float(v) for v in problem.start(pp)]!r}))  # the start\n\n\n"
            f"def f(x):  # {problem.name}\n    return {TORCH_LOSSES[problem.name](pp)}\n\n\n"
            + built + "\n"
            f"EPOCHS, STEPS_PER_EPOCH, SEED = {run.epochs}, {steps}, {run.seed}\n"
            + (f"SIGMA = np.array({[float(v) for v in sigma]!r})  # the gradient's noise, per coordinate\n"
               f"CHUNK = {chunk}  # epochs of noise lrtui draws at once, from numpy's generator of the seed\n"
               "rng = np.random.default_rng(SEED)\n" if noisy else "")
            + f"LIMIT = {DIVERGENCE_FACTOR:g} * max(abs(f(x).item()), 1.0)  # lrtui's divergence: the loss past it\n"
            + "\nfor epoch in range(EPOCHS):\n"
            + (FREE_EVAL + "\n" if free else "")
            + "    with torch.no_grad():\n"
            "        value = f(x).item()\n"
            "        print(epoch, optimizer.param_groups[0][\"lr\"], repr(value))  # lrtui's loss[epoch]\n"
            "    if not math.isfinite(value) or abs(value) > LIMIT:  # diverged here: lrtui's loss is NaN after\n"
            "        for later in range(epoch + 1, EPOCHS):\n"
            + ("" if plateau else "            scheduler.step()\n")
            + "            print(later, optimizer.param_groups[0][\"lr\"], repr(math.nan))\n"
            "        break\n"
            + ("    if epoch % CHUNK == 0:\n"
               "        noise = rng.standard_normal((min(CHUNK, EPOCHS - epoch), STEPS_PER_EPOCH, len(SIGMA)))"
               " * SIGMA\n"
               if noisy else "")
            + ("    running = 0.0\n" if plateau and run.plateau_metric == "running" else "")
            + (FREE_TRAIN + "\n" if free else "")
            + "    for step in range(STEPS_PER_EPOCH):\n"
            "        optimizer.zero_grad()\n"
            "        loss = f(x)\n"
            "        loss.backward()\n"
            + ("        x.grad += torch.from_numpy(noise[epoch % CHUNK, step])\n" if noisy else "")
            + "        optimizer.step()\n"
            + ("        running += loss.item()\n" if plateau and run.plateau_metric == "running" else "")
            + (FREE_EVAL + "\n" if free and plateau and run.plateau_metric == "end" else "")
            + (f"    scheduler.step({metric})\n" if plateau else "    scheduler.step()\n"))
