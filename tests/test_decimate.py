import numpy as np
import pytest

from lrtui.plotting.decimate import decimate


def test_short_series_come_back_unchanged():
    x, y = np.arange(10), np.linspace(0, 1, 10)
    dx, dy = decimate(x, y, 5)
    np.testing.assert_array_equal(dx, x)
    np.testing.assert_array_equal(dy, y)


def test_keeps_each_columns_min_and_max_so_spikes_survive():
    y = np.zeros(1_000_000)
    y[123_457] = 5.0  # a one-epoch spike
    y[900_001] = -3.0
    x, dy = decimate(np.arange(y.size), y, 80)
    assert dy.size <= 160
    assert dy.max() == 5.0 and dy.min() == -3.0
    assert np.all(np.diff(x) >= 0)


def test_restarts_stay_visible():
    t = np.arange(100_000)
    y = 1 + np.cos(np.pi * (t % 1000) / 1000)  # 100 restarts
    _, dy = decimate(t, y, 50)
    assert dy.max() == pytest.approx(2.0) and dy.min() == pytest.approx(0.0, abs=1e-4)


def test_nan_after_divergence_is_dropped_not_spread():
    y = np.r_[np.linspace(1, 2, 500), np.full(500, np.nan)]
    x, dy = decimate(np.arange(1000), y, 20)
    assert np.isfinite(dy).all()
    assert x.max() < 500


def test_monotone_stays_monotone_and_points_keep_their_own_x():
    x, y = decimate(np.arange(1_000_000), np.linspace(1, 0, 1_000_000), 80)
    assert np.all(np.diff(x) > 0) and np.all(np.diff(y) <= 0)
    np.testing.assert_allclose(y, 1 - x / 999_999)
