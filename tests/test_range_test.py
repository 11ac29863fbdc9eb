"""The lr range test against T8 (../shared/teaching.md), and its CLI."""

import json

import numpy as np
import pytest

from lrtui.cli import main
from lrtui.analysis.range_test import range_test, smooth, valley
from lrtui.sim.config import RunConfig

T8 = RunConfig(problem="spectrum")  # f = (10 x1^2 + x2^2 + 0.1 x3^2) / 2 from (1, 1, 1)


def test_t8_numbers():
    r = range_test(T8, steps=100, lr_min=1e-4, lr_max=10)
    assert r.lr[int(np.argmin(r.loss))] == pytest.approx(0.87, rel=0.01)  # the loss minimum
    first_rise = np.nonzero(np.diff(r.loss) > 0)[0][0] + 1
    assert r.lr[first_rise] == pytest.approx(0.98, rel=0.01)
    assert np.geomspace(1e-4, 10, 100)[r.stopped_at] == pytest.approx(1.38, rel=0.01)  # smoothed > 4 x best
    assert r.suggestions["minimum/10"] == pytest.approx(0.087, rel=0.01)
    assert r.suggestions["steepest"] == pytest.approx(0.135, rel=0.01)
    assert r.stable_limit == pytest.approx(0.2)
    assert r.lr[int(np.argmin(r.loss))] / r.stable_limit == pytest.approx(4.35, rel=0.01)  # "about 4x too high"


def test_t8_with_noise_stops_earlier():
    stops = [np.geomspace(1e-4, 10, 100)[
        range_test(RunConfig(problem="spectrum", problem_params={"noise": 0.3}, seed=s),
                   steps=100, lr_min=1e-4, lr_max=10).stopped_at] for s in range(8)]
    assert 0.3 < np.median(stops) < 0.8  # the table's run: 0.49


def test_smoothing_is_fastai_debiased_ema():
    np.testing.assert_allclose(smooth(np.array([2.0, 2.0, 2.0])), [2.0, 2.0, 2.0])
    s = smooth(np.array([1.0, 3.0]))
    assert s[1] == pytest.approx((0.98 * 0.02 * 1 + 0.02 * 3) / (1 - 0.98**2))


def test_valley_is_fastais_arithmetic():
    """The longest fall is indices 0..5; fastai's start index sits one before it (5 - 6 = -1), so the pick
    is -1 + 2 + 1 = index 2, as fastai's valley() returns it."""
    lrs = np.arange(10.0)
    assert valley(lrs, np.array([5, 4, 3, 2, 1, 0, 1, 2, 3, 4.0])) == 2.0
    assert valley(lrs, np.array([9, 9, 8, 7, 6, 5, 4, 3, 2, 9.0])) == 3.0  # run 1..8 (start 0): 0 + 2 + 1


def test_stable_limit_with_momentum_and_unknown_for_adam():
    assert range_test(RunConfig(problem="ravine", optimizer="momentum",
                                optimizer_params={"momentum": 0.5})).stable_limit == pytest.approx(2 * 1.5 / 4)
    assert range_test(RunConfig(problem="ravine", optimizer="adam")).stable_limit is None
    assert range_test(RunConfig(problem="mlp"), steps=20).stable_limit is None


def test_cli_json(capsys):
    assert main(["range-test", "--problem", "spectrum", "--lr-min", "1e-4", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"lr", "loss", "suggestions", "stable_limit", "stopped_at"}
    assert set(data["suggestions"]) == {"minimum/10", "steepest", "valley"} and data["stable_limit"] == 0.2
    assert len(data["lr"]) == len(data["loss"]) == data["stopped_at"]
    assert main(["range-test", "--problem", "mlp", "--steps", "20", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["stable_limit"] is None


@pytest.mark.parametrize("argv, fragment", [
    (["range-test", "lr=0.1"], "the range test sets the lr itself"),
    (["range-test", "--steps", "5"], "steps=5"),
    (["range-test", "--lr-min", "1", "--lr-max", "0.1"], "lr_min=1.0 is not below lr_max=0.1"),
    (["range-test", "--problem", "nope"], "problem=nope is unknown"),
])
def test_cli_bad_input(capsys, argv, fragment):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and fragment in err
