"""The whole run as a training script (issue 28): the run's optimizer with its parameters, its schedule, and a
loop that steps them in the right order, once an epoch. Where torch is installed the scripts run, with
warnings as errors (torch warns when the scheduler is stepped before the optimizer), and their printed lr per
epoch is lrtui's curve; without torch, the scripts' text is checked."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

from lrtui import schedules
from lrtui.cli import main
from lrtui.codegen import training_code
from lrtui.codegen.optimizers import OPTAX, TORCH
from lrtui.sim.config import RunConfig, prepare
from lrtui.sim.optimizers import OPTIMIZERS

RUNS = [
    RunConfig(schedule={"name": "cosine", "params": {"lr": 0.05, "T_max": 30, "warmup": 5}}, optimizer="adamw",
              optimizer_params={"weight_decay": 0.05, "beta2": 0.98}, epochs=30, steps_per_epoch=3),
    RunConfig(schedule={"name": "step", "params": {"lr": 0.1, "step_size": 7, "gamma": 0.5}}, optimizer="momentum",
              optimizer_params={"momentum": 0.8, "weight_decay": 1e-4}, epochs=25),
    RunConfig(schedule={"name": "onecycle", "params": {"max_lr": 0.2, "total_steps": 20}}, optimizer="nesterov",
              epochs=20, steps_per_epoch=2),
    RunConfig(schedule={"name": "wsd", "params": {"lr": 0.01, "num_warmup_steps": 3, "num_decay_steps": 6,
                                                  "num_training_steps": 20}}, optimizer="adam", epochs=20),
    RunConfig(schedule={"name": "linear", "params": {"lr": 0.1}}, optimizer="sgd", epochs=15),
    RunConfig(schedule={"name": "warmup_cosine", "params": {"lr": 0.05}}, optimizer="schedulefree_sgd",
              optimizer_params={"warmup_steps": 4}, epochs=20, steps_per_epoch=3),
]


def test_every_optimizer_lrtui_simulates_has_its_torch_construction():
    """A table from optimizer to its torch class, checked against the optimizers (one added without an entry
    fails here, by name)."""
    assert sorted(set(OPTIMIZERS) - set(TORCH)) == [] and sorted(set(OPTIMIZERS) - set(OPTAX)) == []


@pytest.mark.parametrize("config", RUNS, ids=lambda c: f"{c.schedule['name']}-{c.optimizer}")
def test_the_script_builds_the_runs_optimizer_and_steps_the_schedule_once_an_epoch_after_it(config):
    run = prepare(config)
    code = training_code(run)
    compile(code, "<lrtui code>", "exec")
    optimizer = re.search(r"^optimizer = (.*)$", code, re.M).group(1)
    torch_defaults = TORCH[run.config.optimizer][1]  # (a value at torch's default is left out)
    for name, value in run.optimizer_params.items():  # every other parameter of the run's optimizer, torch's way
        if torch_defaults.get(name, "given") == value or name in ("beta1", "beta2"):
            continue
        assert f"{name}={value!r}" in optimizer, (name, optimizer)
    if "beta2" in run.optimizer_params and run.optimizer_params["beta2"] != 0.999:
        assert f"betas=({run.optimizer_params['beta1']!r}, {run.optimizer_params['beta2']!r})" in optimizer
    lines = code.splitlines()
    step = lines.index("        optimizer.step()")  # in the batches' loop
    scheduled = next(i for i, line in enumerate(lines) if line.startswith("    scheduler.step("))  # the epoch's
    assert step < scheduled and f"EPOCHS, STEPS_PER_EPOCH = {run.epochs}, {run.steps_per_epoch}" in code
    assert "the other way round, the first epoch trains at the" in code


def test_plateau_is_stepped_with_the_metric_the_run_watches():
    for metric, expression in (("end", "end_loss()"), ("running", "running / STEPS_PER_EPOCH")):
        run = prepare(RunConfig(schedule={"name": "plateau", "params": {"patience": 3}}, plateau_metric=metric,
                                steps_per_epoch=4))
        assert f"    scheduler.step({expression})  # plateau reads" in training_code(run)
    end = training_code(prepare(RunConfig(schedule={"name": "plateau", "params": {}}, steps_per_epoch=4)))
    # the loss after the epoch's last step, not the last batch's loss.item() (taken before that step)
    assert "def end_loss():" in end and "        return loss_fn(model(X), Y).item()" in end
    data = prepare(RunConfig(schedule={"name": "plateau", "params": {}}, problem="mlp", plateau_metric="heldout"))
    assert "scheduler.step(held_out_loss())" in training_code(data) and "def held_out_loss()" in training_code(data)


def test_lrtui_code_takes_the_whole_run(capsys, tmp_path):
    """Found by a newcomer: an AdamW run with weight decay 0.01 exported as SGD, with no loop."""
    assert main(["code", "cosine", "lr=0.01", "--optimizer", "adamw", "optimizer.weight_decay=0.01",
                 "--epochs", "50", "--steps-per-epoch", "10"]) == 0
    out = capsys.readouterr().out
    assert "optimizer = torch.optim.AdamW(model.parameters(), lr=0.01)" in out  # (0.01: torch's default decay)
    assert "T_max=50" in out and "EPOCHS, STEPS_PER_EPOCH = 50, 10" in out
    assert main(["code", "cosine", "--schedule-only"]) == 0  # the fragment as before
    assert "optimizer = torch.optim.SGD([param], lr=0.1)" in capsys.readouterr().out
    assert main(["code", "--preset", "T5"]) == 0
    assert "LinearLR" in capsys.readouterr().out
    assert main(["code", "cosine", "--optimizer", "adamw", "optimizer.momentum=0.9"]) == 2
    assert "optimizer.momentum is not a parameter of optimizer adamw" in capsys.readouterr().err


@pytest.mark.parametrize("config", RUNS, ids=lambda c: f"{c.schedule['name']}-{c.optimizer}")
def test_in_real_torch_the_script_runs_without_a_warning_at_lrtuis_lr_each_epoch(config, tmp_path):
    pytest.importorskip("torch")
    if config.optimizer.startswith("schedulefree"):
        pytest.importorskip("schedulefree")
    _runs_at_lrtuis_lr(config, "torch", tmp_path)


def _runs_at_lrtuis_lr(config: RunConfig, framework: str, tmp_path) -> None:
    """The run's script for ``framework`` runs with warnings as errors and prints lrtui's lr each epoch, to 1e-9."""
    run = prepare(config)
    script = tmp_path / "run.py"
    script.write_text(training_code(run, framework))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-W", "error", str(script)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lrs = np.array([float(line.split()[1]) for line in done.stdout.splitlines()])
    expected = schedules.from_spec(run.config.schedule)(np.arange(run.epochs))
    np.testing.assert_allclose(lrs, expected, rtol=1e-9, atol=1e-15)


def test_transformers_scripts_use_its_function_over_the_runs_optimizer_and_optax_scripts_its_own_optimizer():
    run = prepare(RUNS[3])  # wsd under adam
    code = training_code(run, "transformers")
    compile(code, "<lrtui code>", "exec")
    assert "optimizer = torch.optim.Adam(model.parameters(), lr=0.01)" in code
    assert "scheduler = optimization.get_wsd_schedule(optimizer, num_warmup_steps=3" in code
    assert code.index("        optimizer.step()") < code.index("    scheduler.step()")
    none = training_code(prepare(RunConfig(schedule={"name": "cyclic", "params": {}})), "transformers")
    assert "use the torch code" in none  # (no such function: the comment says so)
    adamw = training_code(prepare(RUNS[0]), "optax")
    compile(adamw, "<lrtui code>", "exec")
    assert "optimizer = optax.adamw(learning_rate=schedule, b1=0.9, b2=0.98, eps=1e-08, weight_decay=0.05)" in adamw
    assert "schedule = lambda count: lrtui_schedule(count // STEPS_PER_EPOCH)" in adamw
    sgd = training_code(prepare(RUNS[1]), "optax")  # torch's L2 weight decay: added to the gradient first
    assert "optax.chain(optax.add_decayed_weights(0.0001), optax.sgd(learning_rate=schedule, momentum=0.8))" in sgd
    assert "no optax schedule" in training_code(prepare(RunConfig(schedule={"name": "plateau", "params": {}})),
                                                "optax")


@pytest.mark.parametrize("config", RUNS, ids=lambda c: f"{c.schedule['name']}-{c.optimizer}")
def test_in_real_optax_the_script_runs_at_lrtuis_lr_each_epoch(config, tmp_path):
    pytest.importorskip("optax")
    run = prepare(config)
    script = tmp_path / "run.py"
    script.write_text(training_code(run, "optax"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lrs = np.array([float(line.split()[1]) for line in done.stdout.splitlines()])
    expected = schedules.from_spec(run.config.schedule)(np.arange(run.epochs))
    np.testing.assert_allclose(lrs, expected, rtol=0, atol=1e-6 * np.max(expected))  # (optax: float32)


class _NumpyTorch:
    """Enough of torch's namespace to evaluate a loss expression of TORCH_LOSSES with numpy."""

    exp, sum = staticmethod(np.exp), staticmethod(np.sum)

    @staticmethod
    def tensor(values):
        return np.array(values)


def test_every_analytic_problems_loss_in_the_reproducing_script_is_lrtuis():
    """A table from problem to its torch loss (one added without an entry fails here, by name), each equal to
    lrtui's own loss at random points (evaluated with numpy standing for torch)."""
    from lrtui.codegen.training import TORCH_LOSSES
    from lrtui.params import resolve
    from lrtui.sim.config import PROBLEMS

    analytic = sorted(name for name, p in PROBLEMS.items() if p.kind == "analytic")
    assert sorted(TORCH_LOSSES) == analytic
    rng = np.random.default_rng(0)
    for name in analytic:
        problem = PROBLEMS[name]
        pp = resolve(problem.params, {}, name)
        points = rng.uniform(-2, 2, (20, problem.dim))
        expected = problem.loss(points, pp)
        got = [eval(TORCH_LOSSES[name](pp), {"torch": _NumpyTorch, "x": x}) for x in points]  # noqa: S307
        np.testing.assert_allclose(got, expected, rtol=1e-12, err_msg=name)


REPRODUCED = [
    RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "warmup": 3}}, problem="quadratic",
              problem_params={"noise": 0.5}, optimizer="momentum", epochs=40, seeds=1, seed=3, steps_per_epoch=2),
    RunConfig(schedule={"name": "step", "params": {"lr": 0.02, "step_size": 10}}, problem="ravine", optimizer="adam",
              optimizer_params={"weight_decay": 0.01}, epochs=40),
    RunConfig(schedule={"name": "constant", "params": {"lr": 1e-3}}, problem="rosenbrock", optimizer="nesterov",
              epochs=50),
    RunConfig(schedule={"name": "plateau", "params": {"patience": 2}}, problem="nqm", problem_params={"noise": 0.3},
              optimizer="adamw", plateau_metric="running", steps_per_epoch=3, epochs=40, seeds=1),
    RunConfig(schedule={"name": "wsd", "params": {"lr": 1e-4, "num_warmup_steps": 5, "num_decay_steps": 10,
                                                  "num_training_steps": 40}}, problem="beale", epochs=40),
    RunConfig(schedule={"name": "plateau", "params": {"patience": 2}}, problem="ravine", problem_params={"noise": 0.2},
              optimizer="schedulefree_adamw", optimizer_params={"warmup_steps": 3, "r": 0.5}, steps_per_epoch=2,
              epochs=30, seeds=1),
    RunConfig(schedule={"name": "cosine", "params": {"lr": 0.05, "warmup": 3}}, problem="quadratic",
              optimizer="schedulefree_sgd", epochs=30),
    RunConfig(schedule={"name": "step", "params": {"lr": 2.5, "step_size": 25}}, problem="quadratic", epochs=30),
]


@pytest.mark.parametrize("config", REPRODUCED, ids=lambda c: f"{c.problem}-{c.optimizer}")
def test_in_real_torch_the_reproducing_script_gives_lrtui_simulates_loss_trace(config, tmp_path):
    """Issue 28: run in torch, the script reproduces lrtui simulate's loss trace to 1e-9 relative, noise
    included (drawn as lrtui draws it, from numpy's generator of the seed)."""
    pytest.importorskip("torch")
    if config.optimizer.startswith("schedulefree"):
        pytest.importorskip("schedulefree")
    from lrtui.codegen.training import torch_reproduction
    from lrtui.sim.engine import simulate

    script = tmp_path / "reproduce.py"
    script.write_text(torch_reproduction(prepare(config)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-W", "error", str(script)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    loss = np.array([float(line.split()[2]) for line in done.stdout.splitlines()])
    trace = simulate(config)
    assert len(loss) == len(trace.loss)  # (one diverges: NaN after it in both)
    np.testing.assert_allclose(loss, trace.loss, rtol=1e-9, atol=0, equal_nan=True)


def test_lrtui_code_reproduce_is_torch_on_the_analytic_problems(capsys):
    assert main(["code", "cosine", "--problem", "ravine", "--reproduce"]) == 0
    assert "def f(x):  # ravine\n    return 0.1 * x[0] ** 2 + 2 * x[1] ** 2" in capsys.readouterr().out
    assert main(["code", "cosine", "--problem", "mlp", "--reproduce"]) == 2
    err = capsys.readouterr().err
    assert "--reproduce is not allowed on problem mlp" in err and err.rstrip().endswith(", spectrum, nqm")  # (whole)
    assert main(["code", "cosine", "--reproduce", "--framework", "optax"]) == 2


@pytest.mark.parametrize("name", schedules.names())
@pytest.mark.parametrize("framework", ["torch", "transformers", "optax"])
def test_every_schedule_kind_gives_a_script_that_compiles_in_every_framework(name, framework):
    """Every schedule lrtui knows, in each framework: a script (or, where the framework has no such schedule,
    the comment that says so) that is valid Python, its scheduler stepped after the optimizer."""
    run = prepare(RunConfig(schedule={"name": name, "params": {}}, optimizer="momentum", epochs=30))
    code = training_code(run, framework)
    compile(code, "<lrtui code>", "exec")
    if framework != "optax" and "scheduler = " in code:
        assert code.index("        optimizer.step()") < code.index("    scheduler.step(")


def test_a_spec_file_with_nested_schedules_gives_the_runs_script(capsys, tmp_path):
    """Rereading the change: the run's code sent a spec file's params back through param=value text, and a
    chain's list of schedules was refused. run_config reads the spec file as simulate does."""
    spec = tmp_path / "chain.json"
    spec.write_text('{"name": "chained", "params": {"lr": 0.1, "schedulers": [{"name": "cosine", "params": '
                    '{"T_max": 20}}, {"name": "exponential", "params": {"gamma": 0.99}}]}}')
    assert main(["code", "--spec", str(spec), "--epochs", "20", "--optimizer", "momentum"]) == 0
    out = capsys.readouterr().out
    assert "lr_scheduler.ChainedScheduler([scheduler_0, scheduler_1])" in out and "momentum=0.9" in out


def _epoch_lines(code: str) -> list[str]:
    """The epochs' loop, from its ``for epoch`` line on."""
    lines = code.splitlines()
    return lines[lines.index("for epoch in range(EPOCHS):"):]


@pytest.mark.parametrize("framework", ["torch", "transformers"])
@pytest.mark.parametrize("optimizer", ["schedulefree_sgd", "schedulefree_adamw"])
def test_a_schedule_free_script_trains_at_y_and_evaluates_at_x_each_epoch(optimizer, framework):
    """Issue 28: schedule-free's train() and eval() were a comment above the loop. schedulefree's README: train()
    where model.train() goes, eval() where model.eval() goes; lrtui's loss is x's, so the loss the epoch
    reports and plateau reads (the last batch's) is taken again in eval mode."""
    for schedule, metric in (("warmup_linear", "end"), ("plateau", "end"), ("plateau", "running")):
        run = prepare(RunConfig(schedule={"name": schedule, "params": {}}, optimizer=optimizer, plateau_metric=metric,
                                steps_per_epoch=3, epochs=20))
        code = training_code(run, framework)
        if "scheduler = " not in code:
            continue  # (transformers has no plateau)
        compile(code, "<lrtui code>", "exec")
        loop = [line.split("  #")[0] for line in _epoch_lines(code)]
        assert loop[1] == "    optimizer.train()"  # the epoch's training starts in train mode
        steps, evaluated = loop.index("        optimizer.step()"), loop.index("    optimizer.eval()")
        reported = next(i for i, line in enumerate(loop) if line.startswith("    print("))
        assert steps < evaluated < loop.index("        loss = loss_fn(model(X[batch]), Y[batch])", evaluated) < reported
        assert evaluated < next(i for i, line in enumerate(loop) if line.startswith("    scheduler.step("))
        statements = [line.split("  #")[0].strip() for line in code.splitlines()]
        assert statements.count("optimizer.train()") == statements.count("optimizer.eval()") == 1  # (in the loop)


def test_a_schedule_free_reproduction_prints_xs_loss_and_steps_at_y():
    """--reproduce printed the loss in train mode, at y (6 to 14% off lrtui's on the ravine); lrtui's loss is x's."""
    from lrtui.codegen.training import torch_reproduction

    for metric in ("end", "running"):
        run = prepare(RunConfig(schedule={"name": "plateau", "params": {}}, problem="ravine", plateau_metric=metric,
                                optimizer="schedulefree_sgd", epochs=20))
        loop = [line.split("  #")[0] for line in _epoch_lines(torch_reproduction(run))]
        assert loop[1:3] == ["    optimizer.eval()", "    with torch.no_grad():"]  # the loss printed is x's
        assert loop.index("    optimizer.train()") < loop.index("        optimizer.step()")
        if metric == "end":  # plateau reads x's loss after the epoch, as lrtui does
            assert loop[-2:] == ["    optimizer.eval()", "    scheduler.step(f(x).item())"]
        else:  # the mean of the losses the steps took, at y, as lrtui does
            assert loop[-2:] == ["        running += loss.item()", "    scheduler.step(running / STEPS_PER_EPOCH)"]


def _transformers_runs() -> list[RunConfig]:
    """Every schedule kind transformers has a function for (at its defaults), and their variants: a torch-family
    twin with a warmup, wsd's other shapes and num_stable_steps, the cosine's floor as min_lr, inverse_sqrt's
    timescale; under several optimizers and 1 or 3 steps an epoch."""
    from lrtui.codegen.transformers import Call, schedule_call

    kinds = [{"name": n, "params": {}} for n in schedules.names()
             if n != "plateau" and isinstance(schedule_call({"name": n, "params": {}}), Call)]
    variants = [
        {"name": "cosine", "params": {"T_max": 30, "warmup": 10, "lr": 0.5}},
        {"name": "linear", "params": {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 40, "warmup": 5}},
        {"name": "constant", "params": {"warmup": 6}},
        {"name": "wsd", "params": {"warmup_type": "1-sqrt", "decay_type": "linear", "min_lr_ratio": 0.1}},
        {"name": "wsd", "params": {"warmup_type": "cosine", "decay_type": "1-sqrt", "num_stable_steps": 20,
                                   "num_training_steps": None}},
        {"name": "warmup_cosine_min_lr", "params": {"min_lr": 0.004}},
        {"name": "inverse_sqrt", "params": {"timescale": 30}},
        {"name": "warmup_polynomial", "params": {"power": 2.0, "lr_end": 1e-3}},
        {"name": "warmup_cosine_restarts", "params": {"num_cycles": 3}},
    ]
    optimizers = [("sgd", {}), ("adamw", {"weight_decay": 0.05}), ("momentum", {}), ("rmsprop", {"alpha": 0.9})]
    return [RunConfig(schedule=spec, optimizer=optimizers[i % len(optimizers)][0],
                      optimizer_params=optimizers[i % len(optimizers)][1], epochs=60, steps_per_epoch=1 + 2 * (i % 2))
            for i, spec in enumerate(kinds + variants)]


@pytest.mark.parametrize("config", _transformers_runs(), ids=lambda c: f"{c.schedule['name']}-{c.optimizer}")
def test_in_real_transformers_the_script_runs_without_a_warning_at_lrtuis_lr_each_epoch(config, tmp_path):
    """transformers' own function over the run's optimizer, stepped once an epoch, at lrtui's lr every epoch to
    1e-9 (transformers cannot be installed everywhere: skipped without it)."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    _runs_at_lrtuis_lr(config, "transformers", tmp_path)


def test_schedule_only_takes_a_preset_or_a_session_too(capsys, tmp_path):
    """The newcomer's try: lrtui code --preset T5 --schedule-only said 'a schedule name is required' (and so did
    --load), while without --schedule-only both worked; --reproduce with it was dropped without a word."""
    from lrtui.presets import find

    assert main(["code", "--preset", "T5", "--schedule-only"]) == 0
    fragment = capsys.readouterr().out
    assert "lr_scheduler.LinearLR(" in fragment and "for epoch in range" not in fragment
    assert f"lr={find('T5').config.schedule['params']['lr']}" in fragment
    assert main(["code", "--preset", "T5", "--schedule-only", "--reproduce"]) == 2
    assert "--reproduce writes the whole run" in capsys.readouterr().err


def test_plateaus_loop_says_what_its_order_does_not_what_a_schedules_does():
    """The newcomer's try: plateau's loop carried the schedules' comment (the first epoch at the schedule's
    second lr, a warmup's first lr never used, torch warns), none of which holds for ReduceLROnPlateau: torch
    does not warn for it (checked with -W error), and it has no schedule to skip into."""
    plateau = training_code(prepare(RunConfig(schedule={"name": "plateau", "params": {}})))
    assert "torch warns about the order" not in plateau and "torch does not warn" in plateau
    assert "judge the previous epoch's metric" in plateau
    cosine = training_code(prepare(RunConfig(schedule={"name": "cosine", "params": {}})))
    assert "torch warns about the order" in cosine and "plateau" not in cosine


def test_a_transformers_script_of_several_steps_an_epoch_says_its_counts_are_epochs():
    """The newcomer's try: with --steps-per-epoch 10 the script passed num_warmup_steps=10, num_training_steps=60
    (lrtui's epochs) without a word; a Trainer steps the scheduler every optimizer step, so its warmup would be
    10 steps, not 100."""
    config = RunConfig(schedule={"name": "warmup_cosine", "params": {"num_warmup_steps": 10}}, epochs=60,
                       steps_per_epoch=10)
    script = training_code(prepare(config), "transformers")
    assert "lrtui's epochs of 10 optimizer steps" in script and "multiply every count by 10" in script
    one = training_code(prepare(RunConfig(schedule=config.schedule, epochs=60)), "transformers")
    assert "multiply every count" not in one


def test_the_readmes_exported_script_is_what_lrtui_code_writes(capsys):
    """The newcomer's try: the README's example showed AdamW(..., betas=(0.9, 0.999), eps=1e-08, ...), which the
    command no longer writes (a parameter at torch's default is left out)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    intro = "`lrtui code cosine lr=0.01 warmup=5\n--optimizer adamw optimizer.weight_decay=0.1 --steps-per-epoch 10`"
    block = readme[readme.index(intro):].split("\n\n", 1)[1]
    lines = []
    for line in block.split("\n"):
        if line and not line.startswith("    "):
            break
        lines.append(line[4:])
    assert main(["code", "cosine", "lr=0.01", "warmup=5", "--optimizer", "adamw", "optimizer.weight_decay=0.1",
                 "--steps-per-epoch", "10"]) == 0
    assert "\n".join(lines).rstrip() == capsys.readouterr().out.rstrip()


def test_a_reproduction_that_diverges_prints_nan_after_it_as_simulate_does():
    """The newcomer's try: at lr 2.5 on the quadratic simulate's loss is NaN from epoch 19 (diverged at 18: past
    1e6 x max(start, 1)), while the script went on printing 2457184.96...; it now stops there as lrtui does."""
    from lrtui.codegen.training import torch_reproduction

    script = torch_reproduction(prepare(RunConfig(schedule={"name": "constant", "params": {"lr": 2.5}}, epochs=30)))
    assert "LIMIT = 1e+06 * max(abs(f(x).item()), 1.0)" in script
    assert "    if not math.isfinite(value) or abs(value) > LIMIT:" in script and "repr(math.nan)" in script
