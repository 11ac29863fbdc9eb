"""Exported code: the torch fragment, run with the torch on this machine (skipped without torch), steps
through exactly lrtui's curve; transformers' functions and the optax schedule likewise."""


import json

import numpy as np
import pytest

from lrtui import schedules
from lrtui.cli import main
from lrtui.codegen import FRAMEWORKS, code_for, exportable, optax_code, torch_code, transformers_code
from lrtui.params import ConfigError
from tests.conftest import FIXTURES

SPECS = [{"name": n, "params": {}} for n in schedules.names() if n != "plateau"] + [
    {"name": "cosine", "params": {"T_max": 95, "warmup": 5}},
    {"name": "cosine", "params": {"T_max": 95, "warmup": 5, "warmup_start_factor": 0.2, "eta_min": 0.01}},
    {"name": "step", "params": {"step_size": 7, "gamma": 0.5, "warmup": 3}},
    {"name": "onecycle", "params": {"total_steps": 80, "warmup": 20, "warmup_start_factor": 0.1}},
    {"name": "cyclic", "params": {"mode": "triangular2", "step_size_up": 5, "step_size_down": 9, "warmup": 4}},
    {"name": "multistep", "params": {"milestones": [0, 30, 30, 60]}},
    {"name": "inverse_time", "params": {"staircase": True, "decay_steps": 7}},
    {"name": "wsd", "params": {"warmup_type": "1-sqrt", "decay_type": "linear", "min_lr_ratio": 0.1}},
    {"name": "warmup_cosine_min_lr", "params": {"min_lr": 0.004}},
    {"name": "inverse_sqrt", "params": {"timescale": 30}},
    {"name": "sequential", "params": {"schedulers": [{"name": "step", "params": {"step_size": 3}},
                                                     {"name": "cyclic", "params": {"step_size_up": 4}}],
                                      "milestones": [10]}},
]


def _run_torch(code: str, epochs: int) -> np.ndarray:
    scope: dict = {}
    exec(compile(code, "<lrtui code>", "exec"), scope)  # noqa: S102 - the code under test
    optimizer, scheduler = scope["optimizer"], scope["scheduler"]
    out = []
    for _ in range(epochs):
        out.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(out)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s['name']}-{len(s['params'])}")
def test_torch_code_steps_through_lrtuis_curve(spec):
    pytest.importorskip("torch")
    import warnings

    schedule = schedules.from_spec(spec)
    epochs = min(schedule.horizon or 100, 100)
    expected = schedule(np.arange(epochs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's own notes about stepping order
        got = _run_torch(torch_code(spec), epochs)
    assert np.max(np.abs(got - expected)) <= 1e-9 * max(np.max(np.abs(expected)), 1e-300)


RECORDED_CHAINS = [c for c in json.loads((FIXTURES / "reference_lrs.json").read_text())["torch_cases"]
                   if c["spec"]["name"] == "chained"]


@pytest.mark.parametrize("case", RECORDED_CHAINS, ids=lambda c: c["id"])
def test_torch_code_of_a_chain_steps_through_torchs_recorded_values(case):
    """Every recorded chain (members of every type) exported and run gives what real torch gave."""
    pytest.importorskip("torch")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = _run_torch(torch_code(case["spec"]), case["epochs"])
    ref = np.asarray(case["lr"])
    assert np.max(np.abs(got - ref)) <= 1e-9 * np.max(np.abs(ref))


def test_optax_refuses_a_chain_that_torch_steps_recursively():
    spec = {"name": "chained", "params": {"schedulers": [{"name": "linear", "params": {}},
                                                         {"name": "cosine", "params": {}}]}}
    with pytest.raises(ConfigError, match=r"schedulers\[1\] \(cosine\) does not multiply.*optax.*allowed"):
        optax_code(spec)


@pytest.mark.parametrize("spec", [s for s in SPECS if schedules.get(s["name"]).family == "transformers"],
                         ids=lambda s: f"{s['name']}-{len(s['params'])}")
def test_transformers_code(spec):
    pytest.importorskip("transformers")
    import warnings

    schedule = schedules.from_spec(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = _run_torch(transformers_code(spec), 100)
    np.testing.assert_allclose(got, schedule(np.arange(100)), rtol=1e-9, atol=1e-15)


TRANSFORMERS_TWINS = [
    {"name": "constant", "params": {}},
    {"name": "constant", "params": {"warmup": 6}},
    {"name": "cosine", "params": {"T_max": 40}},  # past T_max both climb again, the same way
    {"name": "cosine", "params": {"T_max": 30, "warmup": 10, "lr": 0.5}},
    {"name": "linear", "params": {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 60}},
    {"name": "linear", "params": {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 50, "warmup": 5}},
]


@pytest.mark.parametrize("spec", TRANSFORMERS_TWINS, ids=lambda s: f"{s['name']}-{len(s['params'])}")
def test_transformers_code_of_a_torch_schedule_it_gives(spec):
    """transformers' own function, where one gives the torch-family schedule's curve exactly."""
    assert "optimization.get_" in transformers_code(spec)
    pytest.importorskip("transformers")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = _run_torch(transformers_code(spec), 100)
    np.testing.assert_allclose(got, schedules.from_spec(spec)(np.arange(100)), rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("spec, needs", [
    ({"name": "linear", "params": {}}, "only with start_factor=1 and end_factor=0"),
    ({"name": "constant", "params": {"factor": 0.5, "total_iters": 3}}, "only with factor=1"),
    ({"name": "cosine", "params": {"warmup": 5, "warmup_start_factor": 0.1}}, "only with a warmup from 0"),
    ({"name": "step", "params": {}}, "step has no transformers schedule function"),
])
def test_transformers_code_says_what_a_near_function_would_need(spec, needs):
    code = transformers_code(spec)
    assert needs in " ".join(line.lstrip("# ") for line in code.splitlines())
    assert all(line.startswith("#") and len(line) <= 110 for line in code.splitlines())
    assert "--framework torch" in code.replace("\n# ", " ")


def test_a_cosine_with_a_floor_is_transformers_cosine_with_min_lr():
    """The newcomer's try: cosine with eta_min > 0 said transformers had no function for it, where its cosine with
    min_lr gives the same curve: eta_min + (lr - eta_min)(1 + cos(pi t / T_max)) / 2 (checked locally in real
    torch over transformers' own schedule functions: to 5e-15, past T_max and after a warmup from 0 too)."""
    code = transformers_code({"name": "cosine", "params": {"lr": 0.1, "eta_min": 0.01, "T_max": 50, "warmup": 5}})
    assert ("get_cosine_with_min_lr_schedule_with_warmup(optimizer, num_warmup_steps=5, num_training_steps=55, "
            "min_lr=0.01)") in code


def test_every_epoch_schedule_exports_to_torch():
    assert set(exportable()) == {n for n in schedules.names() if n != "plateau"}


def test_code_is_valid_python_without_torch():
    for spec in SPECS + [{"name": "plateau", "params": {"patience": 3}}]:
        compile(torch_code(spec), "<lrtui code>", "exec")
    assert "has no transformers schedule function" in transformers_code({"name": "cosine_restarts", "params": {}})
    assert "ReduceLROnPlateau(optimizer, mode='min', factor=0.1, patience=3" in torch_code(
        {"name": "plateau", "params": {"patience": 3}})


def test_cli(capsys):
    assert main(["code", "cosine", "T_max=50", "warmup=5", "warmup_start_factor=0.1"]) == 0
    out = capsys.readouterr().out
    assert "LinearLR(optimizer, start_factor=0.1, end_factor=1.0, total_iters=5)" in out
    assert "CosineAnnealingLR(optimizer, T_max=50, eta_min=0.0)" in out and "milestones=[5]" in out
    assert main(["code", "wsd", "--framework", "transformers"]) == 0
    assert "optimization.get_wsd_schedule(optimizer, num_warmup_steps=10" in capsys.readouterr().out
    assert main(["code", "cosine", "T_max=0"]) == 2
    assert "T_max=0" in capsys.readouterr().err


# where optax's functions and lrtui's part ways: past a cosine's end, gamma=0, power=0, fractional cycles and
# float phase boundaries, lr=0, and compositions of the other cases
OPTAX_SPECS = SPECS + [
    {"name": "cosine", "params": {"T_max": 30, "eta_min": 0.01}},
    {"name": "cosine_restarts", "params": {"T_0": 3, "T_mult": 2, "eta_min": 0.001, "warmup": 4}},
    {"name": "cosine_restarts", "params": {"T_0": 7, "T_mult": 3}},
    {"name": "cosine_restarts", "params": {"lr": 0.0, "eta_min": 0.01, "T_0": 4, "T_mult": 2}},
    {"name": "step", "params": {"gamma": 0.0, "step_size": 5}},
    {"name": "exponential", "params": {"gamma": 0.0}},
    {"name": "constant", "params": {"factor": 0.5, "total_iters": 20, "warmup": 5, "warmup_start_factor": 0.3}},
    {"name": "polynomial", "params": {"total_iters": 40, "power": 2.0}},
    {"name": "linear", "params": {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 30}},
    {"name": "cyclic", "params": {"mode": "exp_range", "gamma": 0.97, "step_size_up": 6, "step_size_down": 0}},
    {"name": "onecycle", "params": {"anneal_strategy": "linear", "three_phase": True, "pct_start": 0.25}},
    {"name": "onecycle", "params": {"total_steps": 25}},
    {"name": "warmup_constant", "params": {"num_warmup_steps": 0}},
    {"name": "warmup_cosine", "params": {"num_training_steps": 60}},
    {"name": "warmup_cosine", "params": {"num_cycles": 2.0, "num_warmup_steps": 0}},
    {"name": "warmup_cosine_restarts", "params": {"num_cycles": 3}},
    {"name": "warmup_cosine_restarts", "params": {"num_cycles": 4}},
    {"name": "warmup_polynomial", "params": {"power": 0.0, "num_training_steps": 60}},
    {"name": "warmup_polynomial", "params": {"power": 2.0, "num_training_steps": 60, "lr_end": 0.01}},
    {"name": "inverse_sqrt", "params": {"num_warmup_steps": 0}},
    {"name": "warmup_cosine_min_lr", "params": {"num_training_steps": 70, "num_cycles": 1.0}},
    {"name": "wsd", "params": {"warmup_type": "cosine", "decay_type": "1-sqrt", "min_lr_ratio": 0.2,
                               "num_warmup_steps": 0}},
    {"name": "wsd", "params": {"num_cycles": 1.0, "num_stable_steps": 40, "num_training_steps": None}},
    {"name": "wsd", "params": {"num_stable_steps": 40}},  # alone: the length is W + S + D
    {"name": "onecycle", "params": {"epochs": 4, "steps_per_epoch": 25}},  # instead of total_steps
    {"name": "onecycle", "params": {"total_steps": 60, "epochs": 3, "steps_per_epoch": 30}},  # total_steps wins
    {"name": "wsd", "params": {"num_stable_steps": 40, "num_training_steps": 100, "decay_type": "linear"}},  # both
    {"name": "chained", "params": {"schedulers": [{"name": "step", "params": {"step_size": 10, "gamma": 0.5}},
                                                  {"name": "multistep", "params": {"milestones": [5, 50]}},
                                                  {"name": "linear", "params": {"start_factor": 0.5}}]}},
    {"name": "sequential", "params": {"schedulers": [{"name": "warmup_cosine", "params": {}},
                                                     {"name": "cosine_restarts", "params": {"T_0": 5, "T_mult": 2}},
                                                     {"name": "inverse_time", "params": {}}], "milestones": [40, 70]}},
]


@pytest.fixture(params=["float64", "float32"])
def jax_precision(request):
    """(tolerance of the schedule called on int64 counts, tolerance of the optimizer's updates), relative to the
    largest lr; jax_enable_x64 on or off for the test, and restored after.

    float64 checks the exported arithmetic at the torch test's 1e-9, so an off-by-one, a clamp or a dropped term
    cannot hide in float32 noise. The real updates get 1e-6 even so: optax's count is int32, and int32 / int is
    float32 in jax, so most of optax's own schedules (exponential_decay, linear_schedule...) stay float32.
    float32, optax's default, checks the code as users run it, at 1e-5."""
    pytest.importorskip("optax")
    import jax

    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", request.param == "float64")
    yield (1e-9, 1e-6) if request.param == "float64" else (1e-5, 1e-5)
    jax.config.update("jax_enable_x64", before)


def _run_optax(code: str, epochs: int) -> tuple[np.ndarray, np.ndarray]:
    """The lr of each of ``epochs`` real updates of the exported optimizer (sgd with gradient 1: the update is
    -lr), and the exported schedule called once on all the counts."""
    import jax
    import jax.numpy as jnp

    scope: dict = {}
    exec(compile(code, "<lrtui code>", "exec"), scope)  # noqa: S102 - the code under test
    optimizer = scope["optimizer"]
    state = optimizer.init(jnp.zeros(()))
    update = jax.jit(optimizer.update)
    stepped = []
    for _ in range(epochs):
        updates, state = update(jnp.ones(()), state)
        stepped.append(-float(updates))
    return np.array(stepped), np.asarray(scope["schedule"](jnp.arange(epochs)))


@pytest.mark.parametrize("spec", OPTAX_SPECS, ids=lambda s: f"{s['name']}-{len(s['params'])}")
def test_optax_code_updates_through_lrtuis_curve(spec, jax_precision):
    schedule = schedules.from_spec(spec)
    epochs = min(schedule.horizon or 100, 100)
    expected = schedule(np.arange(epochs))
    stepped, called = _run_optax(optax_code(spec), epochs)
    scale = max(np.max(np.abs(expected)), 1e-300)
    assert np.max(np.abs(called - expected)) <= jax_precision[0] * scale
    assert np.max(np.abs(stepped - expected)) <= jax_precision[1] * scale


def test_optax_hard_restarts_are_exact_where_transformers_falls_short(jax_precision):
    """transformers' (num_cycles * p) % 1 lands just below 1 at some restarts (49 * (1 / 49) < 1), giving ~0
    where the cycle restarts at lr: lrtui keeps those numbers, the optax code restarts there, and they agree
    everywhere else."""
    params = {"num_warmup_steps": 1, "num_training_steps": 99, "num_cycles": 49}
    spec = {"name": "warmup_cosine_restarts", "params": params}
    expected = schedules.from_spec(spec)(np.arange(100))
    stepped, called = _run_optax(optax_code(spec), 100)
    t = np.arange(100)
    restart = (t >= 1) & (t < 99) & ((49 * (t - 1)) % 98 == 0)
    short = restart & (expected < 1e-6)
    assert 0 < short.sum() < restart.sum()  # both kinds of restart are in the run
    np.testing.assert_allclose(called[short], 0.1, rtol=jax_precision[1])
    np.testing.assert_allclose(called[~short], expected[~short], rtol=0, atol=jax_precision[0] * 0.1)
    np.testing.assert_allclose(stepped, called, rtol=0, atol=jax_precision[1] * 0.1)


def test_optax_code_without_optax():
    assert {s["name"] for s in OPTAX_SPECS} == set(schedules.names()) - {"plateau"}
    for spec in OPTAX_SPECS:
        code = optax_code(spec)
        compile(code, "<lrtui code>", "exec")
        assert "import optax" in code and "optimizer = optax.sgd(learning_rate=schedule)" in code
    assert ("schedule = optax.exponential_decay(init_value=0.1, transition_steps=30, decay_rate=0.1, staircase=True)"
            in optax_code({"name": "step", "params": {}}))
    multistep = optax_code({"name": "multistep", "params": {"milestones": [0, 30, 30, 60]}})
    assert "boundaries_and_scales={0: 0.1, 30: 0.010000000000000002, 60: 0.1}" in multistep
    assert "optax.sgdr_schedule([" in optax_code({"name": "cosine_restarts", "params": {"T_mult": 2}})
    assert ("schedule = optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=0.1, warmup_steps=10, "
            "decay_steps=100, end_value=0.0)") in optax_code({"name": "warmup_cosine_restarts", "params": {}})


def test_optax_code_says_where_optax_differs():
    plateau = optax_code({"name": "plateau", "params": {"patience": 3}})
    assert plateau.startswith("# plateau has no optax schedule") and "optax.contrib.reduce_on_plateau" in plateau
    assert all(line.startswith("#") for line in plateau.splitlines())  # no code that would pretend to be plateau
    cosine = " ".join(optax_code({"name": "cosine", "params": {"T_max": 30}}).split())
    assert "optax.cosine_decay_schedule" in cosine and "climbs back up (period 60): this periodic form" in cosine
    assert "schedule = lambda count: 0.1 * (1 + jnp.cos(jnp.pi * count / 30.0)) / 2" in cosine
    assert "is periodic" in " ".join(optax_code({"name": "warmup_cosine", "params": {}}).split())
    assert "warmup starts at lr 0" in optax_code({"name": "warmup_linear", "params": {}})
    assert "decay_rate=0 as no decay" in optax_code({"name": "exponential", "params": {"gamma": 0.0}})
    assert "optax has no cyclical schedule" in optax_code({"name": "cyclic", "params": {}})


def test_code_for_dispatches_to_each_framework():
    spec = {"name": "cosine", "params": {"T_max": 50}}
    assert FRAMEWORKS == ("torch", "transformers", "optax")
    same = [torch_code(spec), transformers_code(spec), optax_code(spec)]
    assert [code_for(spec, f) for f in FRAMEWORKS] == [c.replace("import math\n", "") for c in same]
    # an import the code does not use is left out (a reader asks what it is for)
    assert "import math" not in code_for({"name": "step", "params": {}}, "torch")
    assert "import jax.numpy" not in code_for({"name": "linear", "params": {}}, "optax")
    assert "import jax.numpy as jnp" in code_for(spec, "optax") and "jnp.cos" in code_for(spec, "optax")
    with pytest.raises(ConfigError, match="framework='jax' is unknown: allowed torch, transformers, optax"):
        code_for(spec, "jax")


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s['name']}-{len(s['params'])}")
def test_exported_code_imports_first_and_uses_every_import(spec, framework):
    """Issue 13: the transformers code imported torch's lr_scheduler it never used, after a statement."""
    import ast

    tree = ast.parse(code_for(spec, framework))
    kinds = [isinstance(node, (ast.Import, ast.ImportFrom)) for node in tree.body]
    assert kinds == sorted(kinds, reverse=True), "an import after other code"
    imported = {(alias.asname or alias.name).split(".")[0] for node in tree.body
                if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert imported <= used, imported - used


def test_an_export_written_as_it_is_made_is_the_whole_documents_byte_for_byte(tmp_path, monkeypatch):
    """Issue 24: a long export was built whole in memory (65 MB of text took five times that). It is written
    in chunks now, and the files are exactly what one json.dumps and one csv.writer make."""
    import csv
    import io
    import json as json_module

    from lrtui.io import run_export
    from lrtui.io.sessions import run_dict, typed_run
    from lrtui.sim.config import RunConfig
    from lrtui.sim.engine import simulate

    monkeypatch.setattr(run_export, "ROWS_AT_ONCE", 7)  # chunks end inside the runs
    noisy = simulate(RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1}}, problem="quadratic",
                               problem_params={"noise": 0.5}, epochs=50, seeds=3))
    short = simulate(RunConfig(schedule={"name": "constant", "params": {"lr": 0.05}}, epochs=20))
    data = simulate(RunConfig(schedule={"name": "constant", "params": {"lr": 0.05}}, problem="mlp", epochs=12))
    traces, labels = [noisy, short, data], ["now", "now", "a, b"]
    csv_path, json_path = run_export.export_runs(traces, labels, tmp_path)

    names = ["now", "now (2)", "a, b"]
    expected_json = json_module.dumps({"runs": [
        {"label": n, "config": run_dict(typed_run(t.config)), "seeds": t.seeds, "epoch": t.epoch.tolist(),
         "lr": run_export.json_numbers(t.lr), "loss": run_export.json_numbers(t.loss),
         **{k: run_export.json_numbers(getattr(t, k)) for k in ("loss_lo", "loss_hi", "heldout_loss")
            if getattr(t, k) is not None},
         **({"final_loss_per_seed": run_export.json_numbers(t.final_per_seed)} if t.final_per_seed is not None
            else {})} for n, t in zip(names, traces)]}, allow_nan=False) + "\n"
    assert json_path.read_text() == expected_json
    kinds = [(n, k, getattr(t, k)) for t, n in zip(traces, names)
             for k in ("lr", "loss", "loss_lo", "loss_hi", "heldout_loss") if getattr(t, k) is not None]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["epoch"] + [f"{k}[{n}]" for n, k, _ in kinds])
    for i in range(50):
        writer.writerow([i] + [repr(s.tolist()[i]) if i < len(s) else "" for _, _, s in kinds])
    assert csv_path.read_text() == out.getvalue()


def test_an_export_that_outgrows_its_room_as_it_is_written_leaves_nothing(tmp_path):
    from lrtui.io.run_export import export_runs
    from lrtui.params import ConfigError
    from lrtui.sim.config import RunConfig
    from lrtui.sim.engine import simulate

    trace = simulate(RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1}}, epochs=20_000))
    sizes = []

    def room(size):  # the lower bound fits; the JSON's end does not
        sizes.append(size)
        if size > 1_400_000:  # (a lower bound of 1.2 MB; 1.5 MB written in all)
            raise ConfigError("no room")

    with pytest.raises(ConfigError):
        export_runs([trace], ["now"], tmp_path, room=room)
    assert len(sizes) > 3 and not list(tmp_path.iterdir())  # asked as it grew; no file, no temporary one


# --- the run's optimizer --------------------------------------------------------------------------------------

def _optimizers():
    from lrtui.sim.optimizers import OPTIMIZERS

    changed = {"sgd": {"weight_decay": 0.01}, "momentum": {"momentum": 0.5, "weight_decay": 0.01},
               "nesterov": {"momentum": 0.8}, "adam": {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.01},
               "adamw": {"beta2": 0.95, "weight_decay": 0.1},
               "rmsprop": {"alpha": 0.9, "eps": 1e-6, "momentum": 0.5, "centered": True, "weight_decay": 0.01},
               "adagrad": {"eps": 1e-8, "initial_accumulator_value": 0.1, "weight_decay": 0.01},
               "schedulefree_sgd": {"momentum": 0.8, "weight_decay": 0.01, "warmup_steps": 5, "r": 1.0,
                                    "weight_lr_power": 1.0},
               "schedulefree_adamw": {"beta1": 0.95, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.01,
                                      "warmup_steps": 5, "r": 0.5, "weight_lr_power": 0.0}}
    assert set(changed) == set(OPTIMIZERS)
    return list(changed.items())


@pytest.mark.parametrize("optimizer, params", _optimizers(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_optimizer_exports_code_that_compiles_in_every_framework(optimizer, params):
    for spec in ({"name": "cosine", "params": {"T_max": 40, "warmup": 5}}, {"name": "warmup_linear", "params": {}}):
        for framework in FRAMEWORKS:
            code = code_for(spec, framework, optimizer, params)
            compile(code, "<lrtui code>", "exec")
            assert "schedulefree" not in code or framework == "optax" or "import schedulefree  # pip install" in code
    torch_text = code_for({"name": "constant", "params": {}}, "torch", optimizer, params)
    if optimizer.startswith("schedulefree"):
        assert "optimizer.train()" in torch_text and "eval() before evaluating" in torch_text
        optax_text = code_for({"name": "constant", "params": {}}, "optax", optimizer, params)
        assert "optax.contrib.schedule_free_" in optax_text


def test_what_the_optimizer_code_says_where_a_framework_differs():
    optax_rmsprop = code_for({"name": "constant", "params": {}}, "optax", "rmsprop", {"momentum": 0.9})
    assert "eps_in_sqrt=False" in optax_rmsprop and "not while the schedule moves it" in " ".join(optax_rmsprop.split())
    assert "inside the square root" in code_for({"name": "constant", "params": {}}, "optax", "adagrad")
    free = code_for({"name": "constant", "params": {}}, "optax", "schedulefree_sgd", {"warmup_steps": 10, "r": 1.0})
    assert "schedule_free_eval_params" in free and "optax has no r" in free
    assert "jnp.minimum(1.0, (count + 1) / 10)" in free  # the package's own warmup, in the learning rate
    trainer = code_for({"name": "warmup_cosine", "params": {}}, "transformers", "schedulefree_adamw")
    assert "TrainingArguments(optim='schedule_free_adamw')" in trainer and "schedulefree.AdamWScheduleFree" in trainer
    # SGD's code is what it always was
    assert "optimizer = torch.optim.SGD([param], lr=0.1)\n" in code_for({"name": "constant", "params": {}})


def test_cli_code_takes_the_optimizer(capsys):
    assert main(["code", "cosine", "T_max=50", "--optimizer", "rmsprop", "optimizer.alpha=0.9", "--schedule-only"]) == 0
    assert "optimizer = torch.optim.RMSprop([param], lr=0.1, alpha=0.9)" in capsys.readouterr().out
    assert main(["code", "cosine", "T_max=50", "--optimizer", "rmsprop", "optimizer.alpha=0.9"]) == 0  # the run
    assert "optimizer = torch.optim.RMSprop(model.parameters(), lr=0.1, alpha=0.9)" in capsys.readouterr().out
    assert main(["code", "--schedule", "cosine", "optimizer.centered=true", "--optimizer", "rmsprop",
                 "--framework", "optax"]) == 0
    assert "centered=True" in capsys.readouterr().out
    assert main(["code", "cosine", "--optimizer", "rmsprop", "optimizer.alpha=2"]) == 2
    assert "optimizer.alpha=2 is not allowed: a number in [0, 1)" in capsys.readouterr().err


@pytest.mark.parametrize("optimizer, params", _optimizers(), ids=lambda v: v if isinstance(v, str) else "")
def test_the_exported_optimizer_trains_as_the_simulation_does(optimizer, params):
    """The torch code's optimizer and scheduler, run on the ravine (the code's placeholder parameter swapped for
    the problem's), give lrtui's losses: every keyword the code passes (or leaves at torch's default) is right."""
    torch = pytest.importorskip("torch")
    if optimizer.startswith("schedulefree"):
        pytest.importorskip("schedulefree")
    import warnings

    from lrtui.sim.config import RunConfig
    from lrtui.sim.engine import simulate

    spec = {"name": "cosine", "params": {"lr": 0.05, "T_max": 30, "warmup": 5, "warmup_start_factor": 0.2}}
    scope: dict = {}
    exec(compile(code_for(spec, "torch", optimizer, params), "<lrtui code>", "exec"), scope)  # noqa: S102
    opt, scheduler = scope["optimizer"], scope["scheduler"]
    x = torch.nn.Parameter(torch.tensor([-5.0, -2.0], dtype=torch.float64))
    opt.param_groups[0]["params"] = [x]
    free = hasattr(opt, "eval")
    losses = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(40):
            with torch.no_grad():
                if free:
                    opt.eval()
                losses.append(float(0.1 * x[0] ** 2 + 2 * x[1] ** 2))
                if free:
                    opt.train()
            opt.zero_grad()
            (0.1 * x[0] ** 2 + 2 * x[1] ** 2).backward()
            opt.step()
            scheduler.step()
    trace = simulate(RunConfig(schedule=spec, problem="ravine", optimizer=optimizer, optimizer_params=params,
                               epochs=40))
    np.testing.assert_allclose(trace.loss, losses, rtol=1e-9)
