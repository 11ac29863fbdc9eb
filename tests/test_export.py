"""Exported code: the torch fragment, run with the torch on this machine (skipped without torch), steps
through exactly lrtui's curve; transformers' functions likewise."""


import numpy as np
import pytest

from lrtui import schedules
from lrtui.cli import main
from lrtui.export import exportable, torch_code, transformers_code

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
                                                     {"name": "cyclic", "params": {"step_size_up": 4}}], "milestones": [10]}},
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


def test_every_epoch_schedule_exports_to_torch():
    assert set(exportable()) == {n for n in schedules.names() if n != "plateau"}


def test_code_is_valid_python_without_torch():
    for spec in SPECS + [{"name": "plateau", "params": {"patience": 3}}]:
        compile(torch_code(spec), "<lrtui code>", "exec")
    assert "has no transformers schedule function" in transformers_code({"name": "cosine", "params": {}})
    assert "ReduceLROnPlateau(optimizer, mode='min', factor=0.1, patience=3" in torch_code({"name": "plateau", "params": {"patience": 3}})


def test_cli(capsys):
    assert main(["code", "cosine", "T_max=50", "warmup=5", "warmup_start_factor=0.1"]) == 0
    out = capsys.readouterr().out
    assert "LinearLR(optimizer, start_factor=0.1, end_factor=1.0, total_iters=5)" in out
    assert "CosineAnnealingLR(optimizer, T_max=50, eta_min=0.0)" in out and "milestones=[5]" in out
    assert main(["code", "wsd", "--framework", "transformers"]) == 0
    assert "optimization.get_wsd_schedule(optimizer, num_warmup_steps=10" in capsys.readouterr().out
    assert main(["code", "cosine", "T_max=0"]) == 2
    assert "T_max=0" in capsys.readouterr().err
