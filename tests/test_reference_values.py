"""lrtui's schedules against values recorded from real torch 2.13.0 and transformers 5.24.0 schedulers."""

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from lrtui import schedules

DATA = json.loads((Path(__file__).parent / "fixtures" / "reference_lrs.json").read_text())
RTOL = 1e-9


def _close(got, ref):
    ref = np.asarray(ref, dtype=np.float64)
    assert got.shape == ref.shape
    scale = np.max(np.abs(ref))
    worst = np.max(np.abs(got - ref))
    assert worst <= RTOL * scale, f"max |lr - ref| = {worst:.3g} at epoch {int(np.argmax(np.abs(got - ref)))}"


@pytest.mark.parametrize("case", DATA["torch_cases"] + DATA["transformers_cases"], ids=lambda c: c["id"])
def test_matches_reference(case):
    schedule = schedules.from_spec(case["spec"])
    _close(schedule(np.arange(case["epochs"])), case["lr"])


@pytest.mark.parametrize("case", DATA["plateau_cases"], ids=lambda c: c["id"])
def test_plateau_matches_torch(case):
    plateau = schedules.create("plateau", **case["params"])
    metrics = [np.nan if m is None else m for m in case["metrics"]]
    _close(plateau.lrs(metrics), case["lr"])


def test_plateau_state_runs_vectorized_like_separate_runs():
    """One update over many runs equals the runs one by one (the simulator drives runs together)."""
    cases = DATA["plateau_cases"][:2]
    plateau = schedules.create("plateau", **cases[0]["params"])
    metrics = np.array([c["metrics"] for c in [cases[0], cases[0]]], dtype=np.float64)
    metrics[1] *= 1.5
    state = plateau.init(runs=2)
    lrs = []
    for column in metrics.T:
        lrs.append(state.lr.copy())
        state = plateau.update(state, column)
    lrs = np.array(lrs).T
    for run in range(2):
        np.testing.assert_array_equal(lrs[run], plateau.lrs(metrics[run]))


def test_every_epoch_schedule_has_enough_reference_cases():
    """At least five recorded settings per schedule (inverse_time has no torch class: closed form only)."""
    counts = Counter(c["spec"]["name"] for c in DATA["torch_cases"] + DATA["transformers_cases"])
    epoch_schedules = [n for n in schedules.names() if schedules.get(n).family != "metric" and n != "inverse_time"]
    assert {n: counts[n] for n in epoch_schedules if counts[n] < 5} == {}
    assert len(DATA["plateau_cases"]) >= 5


def test_every_torch_family_schedule_has_a_warmup_reference_case():
    warmed = {c["spec"]["name"] for c in DATA["torch_cases"] if c["spec"]["params"].get("warmup")}
    torch_family = {n for n in schedules.names() if schedules.get(n).family == "torch"} - {"inverse_time"}
    assert torch_family - warmed == set()
