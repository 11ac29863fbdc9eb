"""The teaching scenarios of ../shared/teaching.md, reproduced by the simulator.

Deterministic scenarios are checked to 1e-6 relative (or to the digits the table gives). Stochastic ones
(T3, T4, T10) are checked against the *exact* expected loss, which for these linear-Gaussian problems
follows a closed recursion per coordinate: mean m' = (1 - lr a) m, variance v' = (1 - lr a)^2 v + lr^2 s^2,
E f = sum a (m^2 + v) / 2. The seeds are fixed, so the tests are deterministic; the tolerance is five
standard errors of the seed mean.
"""

import numpy as np
import pytest

from lrtui import schedules
from lrtui.sim.engine import simulate, simulate_many
from lrtui.sim.config import RunConfig


def S(name, **params):
    return {"name": name, "params": params}


def run(schedule, problem, epochs, **kw):
    return simulate(RunConfig(schedule=schedule, problem=problem, epochs=epochs, **kw))


def expected_loss(schedule, epochs, curvature, start, sigma):
    """Exact E[f] per epoch for f = sum a_i (x_i - c_i)^2 / 2 under SGD with N(0, s_i^2) gradient noise."""
    lr = schedules.from_spec(schedule)(np.arange(epochs))
    a, m, s = (np.asarray(v, dtype=float) for v in (curvature, start, sigma))
    v = np.zeros_like(m)
    out = [np.sum(a * (m**2 + v)) / 2]
    for eta in lr:
        m = (1 - eta * a) * m
        v = (1 - eta * a) ** 2 * v + eta**2 * s**2
        out.append(np.sum(a * (m**2 + v)) / 2)
    return np.array(out)


def seed_mean(schedule, problem, epochs, seeds, **kw):
    traces = simulate_many([RunConfig(schedule=schedule, problem=problem, epochs=epochs, seed=s, seeds=1, **kw)
                            for s in range(seeds)])
    losses = np.array([t.loss for t in traces])
    return losses.mean(axis=0), losses.std(axis=0, ddof=1) / np.sqrt(seeds)


# T1 --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lr, x1_4, x30", [
    (0.5, [0.5, 0.25, 0.125, 0.0625], 9.3e-10),
    (1.0, [0, 0, 0, 0], 0.0),
    (1.5, [-0.5, 0.25, -0.125, 0.0625], 9.3e-10),
    (1.9, [-0.9, 0.81, -0.729, 0.656], 4.2e-2),
    (2.0, [-1, 1, -1, 1], 1.0),
    (2.1, [-1.1, 1.21, -1.331, 1.4641], 17.4),
])
def test_t1_stability_ladder(lr, x1_4, x30):
    t = run(S("constant", lr=lr), "quadratic", 31)
    np.testing.assert_allclose(t.params[1:5, 0], x1_4, rtol=1e-3, atol=1e-15)
    assert abs(t.params[30, 0]) == pytest.approx(x30, rel=1e-2, abs=1e-15)


@pytest.mark.parametrize("lr", [0.5, 1.5, 1.9, 2.0, 2.1])
def test_t1_exactly_the_closed_form(lr):
    """x_t = (1 - lr)^t x_0 for gradient descent on x^2 / 2."""
    t = run(S("constant", lr=lr), "quadratic", 31)
    np.testing.assert_allclose(t.params[:, 0], (1 - lr) ** np.arange(31), rtol=1e-12, atol=1e-300)


def test_t1_fast_divergence_is_reported():
    t = run(S("constant", lr=2.5), "quadratic", 31)
    assert t.params[4, 0] == pytest.approx(5.0625) and t.diverged_at is not None


# T2 --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lr, optimizer, momentum, x20, f20", [
    (0.4, "sgd", None, (-0.94, -1e-4), 0.089),
    (0.5, "sgd", None, (None, -2.0), 8.04),
    (0.6, "sgd", None, (None, -1673), 5.6e6),
    (0.6, "momentum", 0.5, (0.007, 0.003), 1.8e-5),
    (0.6, "momentum", 0.25, (-0.13, -0.19), 0.071),
    (0.4, "momentum", 0.9, (-1.45, 0.72), 1.24),
])
def test_t2_ravine(lr, optimizer, momentum, x20, f20):
    hp = {} if momentum is None else {"momentum": momentum}
    t = run(S("constant", lr=lr), "ravine", 20, optimizer=optimizer, optimizer_params=hp)
    assert t.final_loss == pytest.approx(f20, rel=0.02)
    for got, want in zip(t.final_params, x20):
        if want is not None:  # the table gives one or two significant digits
            assert got == pytest.approx(want, rel=0.05, abs=6e-4)


@pytest.mark.parametrize("lr, momentum", [(0.4, 0.0), (0.5, 0.0), (0.6, 0.5), (0.6, 0.25), (0.4, 0.9)])
def test_t2_exactly_the_closed_form(lr, momentum):
    """Heavy ball per coordinate: (x, v) -> M (x, v) with M = [[1 - lr a (1), -lr mu], [a, mu]] (v = mu v + a x)."""
    t = run(S("constant", lr=lr), "ravine", 20, optimizer="momentum" if momentum else "sgd",
            optimizer_params={"momentum": momentum} if momentum else {})
    for coordinate, (a, x0) in enumerate([(0.2, -5.0), (4.0, -2.0)]):
        M = np.array([[1 - lr * a, -lr * momentum], [a, momentum]])
        state = np.linalg.matrix_power(M, 20) @ np.array([x0, 0.0])
        assert t.final_params[coordinate] == pytest.approx(state[0], rel=1e-9, abs=1e-15)


# T3 --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lr, floor", [(0.5, 0.1667), (0.1, 0.0263), (0.01, 0.00251)])
def test_t3_noise_floor(lr, floor):
    """Stationary E[f] = lr s^2 / (2 (2 - lr L)): sampled over 300 seeds x the last 1000 epochs."""
    assert lr / (2 * (2 - lr)) == pytest.approx(floor, rel=2e-3)
    mean, se = seed_mean(S("constant", lr=lr), "quadratic", 3000, 300, problem_params={"noise": 1.0, "x0": 0.0})
    tail = mean[1000:].mean()
    assert tail == pytest.approx(lr / (2 * (2 - lr)), rel=0.04)


# T4 --------------------------------------------------------------------------------------------------

T4 = [
    ("constant 0.1", S("constant", lr=0.1), [0.027, 0.026, 0.027, 0.026]),
    ("constant 0.01", S("constant", lr=0.01), [1.68, 0.0029, 0.0024, 0.0025]),
    ("1/(10+t)", S("inverse_time", lr=0.1, decay_rate=1.0, decay_steps=10), [0.089, 0.0049, 0.0015, 0.0005]),
    ("0.1*0.95^t", S("exponential", lr=0.1, gamma=0.95), [0.218, 0.213, 0.213, 0.213]),
    ("0.1*0.99^t", S("exponential", lr=0.1, gamma=0.99), [0.011, 0.0014, 0.0013, 0.0013]),
    ("step", S("multistep", lr=0.1, milestones=[500, 1000]), [0.026, 0.026, 0.0026, 0.00058]),
    ("cosine", S("cosine", lr=0.1, T_max=2000), [0.026, 0.023, 0.012, 0.0012]),
]


@pytest.mark.parametrize("label, schedule, table", T4, ids=[t[0] for t in T4])
def test_t4_robbins_monro(label, schedule, table):
    at = [100, 500, 1000, 2000]
    exact = expected_loss(schedule, 2000, [1.0], [5.0], [1.0])[at]
    mean, se = seed_mean(schedule, "quadratic", 2001, 400, problem_params={"noise": 1.0, "x0": 5.0})
    assert np.all(np.abs(mean[at] - exact) <= 5 * se[at]), (mean[at], exact)
    np.testing.assert_allclose(exact, table, rtol=0.12)  # the table's seed means agree with the exact values


def test_t4_sums_of_lr():
    t = np.arange(2000)
    for schedule, total in [(S("inverse_time", lr=0.1, decay_rate=1.0, decay_steps=10), 5.35),
                            (S("exponential", lr=0.1, gamma=0.95), 2.0), (S("cosine", lr=0.1, T_max=2000), 100)]:
        assert schedules.from_spec(schedule)(t).sum() == pytest.approx(total, rel=0.01)


# T5 --------------------------------------------------------------------------------------------------

def test_t5_constant_lrs():
    assert run(S("constant", lr=0.275), "quartic", 31).loss[30] == pytest.approx(7.3e-9, rel=0.01)
    assert run(S("constant", lr=0.3), "quartic", 31).diverged_at <= 4
    assert run(S("constant", lr=0.5), "quartic", 31).diverged_at == 2
    assert run(S("constant", lr=1.0), "quartic", 31).diverged_at == 2


@pytest.mark.parametrize("peak, warmup, f30",
                         [(1.5, 50, 1.1e-21), (0.5, 20, 6.7e-13), (1.0, 50, 9.1e-12), (1.9, 100, 4.6e-11)])
def test_t5_warmup_rescues_a_large_lr(peak, warmup, f30):
    """The table's warmups take lr_t = peak (t + 1) / W: LinearLR(start_factor = 1/W, total_iters = W - 1)."""
    t = run(S("linear", lr=peak, start_factor=1 / warmup, total_iters=warmup - 1), "quartic", 31)
    assert t.loss[30] == pytest.approx(f30, rel=0.02)
    if peak == 1.5:
        assert t.loss[10] == pytest.approx(7.3e-3, rel=0.01)


def test_t5_transformers_warmup_starts_one_step_later():
    """warmup_constant starts at lr 0 (transformers' convention), so it lags the table by one step."""
    t = run(S("warmup_constant", lr=1.5, num_warmup_steps=50), "quartic", 32)
    assert t.loss[31] == pytest.approx(1.1e-21, rel=0.02)


# T6 --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lr, max_loss, final_sharpness", [(0.05, 0.13, 6.54), (0.3, 0.23, 5.61), (0.5, 3.78, 2.45)])
def test_t6_catapult(lr, max_loss, final_sharpness):
    t = run(S("constant", lr=lr), "catapult", 500)
    assert 2.5**2 + 0.1**2 == pytest.approx(6.26)  # the table's lambda_0: u^2 + v^2, the sharpness at a minimum
    assert t.sharpness[0] == pytest.approx(6.26, rel=0.01)  # the Hessian's true lambda_max at the start: 6.29
    # the peak after the first step, to the table's digits
    assert np.max(t.loss[1:]) == pytest.approx(max_loss, abs=0.005)
    assert t.sharpness[-1] == pytest.approx(final_sharpness, rel=0.01)
    if lr == 0.5:
        assert t.sharpness[-1] < 2 / lr


def test_t6_catapult_window_edges():
    assert run(S("constant", lr=0.7), "catapult", 500).diverged_at is not None
    t = run(S("constant", lr=0.4), "catapult", 500, problem_params={"x0": 3.0, "y0": 0.05})
    assert np.max(t.loss) == pytest.approx(9.4, rel=0.01) and t.sharpness[-1] == pytest.approx(2.0, rel=0.01)
    assert run(S("constant", lr=0.6), "catapult", 500, problem_params={"x0": 3.0, "y0": 0.05}).diverged_at is not None


# T7 --------------------------------------------------------------------------------------------------

SHARP, FLAT = 1.999, -1.860


@pytest.mark.parametrize("schedule, basin", [
    (S("constant", lr=0.005), SHARP),
    (S("constant", lr=0.015), SHARP),
    (S("constant", lr=0.5), FLAT),
    (S("cosine", lr=0.5, T_max=1500, eta_min=0.001), FLAT),
    (S("cosine_restarts", lr=0.5, T_0=100, T_mult=2, eta_min=0.001), FLAT),
    (S("cosine", lr=0.5, T_max=1450, warmup=50), FLAT),
    (S("multistep", lr=0.5, milestones=[750, 1125]), FLAT),
])
def test_t7_large_lr_phases_find_the_flat_minimum(schedule, basin):
    t = run(schedule, "two_basins", 1500)
    assert t.final_params[0] == pytest.approx(basin, abs=2e-3)


def test_t7_sharp_minimum_numbers_and_the_wanderer():
    t = run(S("constant", lr=0.005), "two_basins", 1500)
    assert t.final_loss == pytest.approx(-0.954, abs=1e-3) and t.sharpness[-1] == pytest.approx(100, rel=0.01)
    flat = run(S("constant", lr=0.5), "two_basins", 1500)
    assert flat.final_loss == pytest.approx(-1.126, abs=1e-3) and flat.sharpness[-1] == pytest.approx(0.57, rel=0.02)
    wanderer = run(S("constant", lr=0.05), "two_basins", 1500)  # ejected, not settled: x = 1.79 in the table
    assert 1.5 < wanderer.final_params[0] < 2.3 and abs(wanderer.final_params[0] - SHARP) > 0.05


# T10 -------------------------------------------------------------------------------------------------

T10 = [
    ("constant", S("constant", lr=0.1), [0.47, 0.50, 0.46, 0.47, 0.47, 0.43]),
    ("wsd 10% linear", S("wsd", lr=0.1, num_warmup_steps=0, num_decay_steps=300, num_training_steps=3000,
                         decay_type="linear"), [0.44, 0.47, 0.46, 0.24, 0.09, 0.015]),
    ("wsd 2.5% linear", S("wsd", lr=0.1, num_warmup_steps=0, num_decay_steps=75, num_training_steps=3000,
                          decay_type="linear"), [0.50, 0.47, 0.45, 0.41, 0.44, 0.026]),
    ("wsd 20% 1-sqrt", S("wsd", lr=0.1, num_warmup_steps=0, num_decay_steps=600, num_training_steps=3000,
                         decay_type="1-sqrt"), [0.47, 0.47, 0.08, 0.05, 0.02, 0.0074]),
    ("cosine", S("warmup_cosine", lr=0.1, num_warmup_steps=100, num_training_steps=3000),
     [0.32, 0.07, 0.011, 0.007, 0.005, 0.005]),
]


@pytest.mark.parametrize("label, schedule, table", T10, ids=[t[0] for t in T10])
def test_t10_river_valley(label, schedule, table):
    at = [1000, 2000, 2700, 2800, 2900, 3000]
    exact = expected_loss(schedule, 3000, [0.02, 10.0], [-10.0, 0.0], [0.3, 3.0])[at]
    mean, se = seed_mean(schedule, "river_valley", 3001, 200)
    assert np.all(np.abs(mean[at] - exact) <= 5 * se[at]), (mean[at], exact)
    np.testing.assert_allclose(exact[-1], table[-1], rtol=0.25)  # the final drop the table shows


# T11 -------------------------------------------------------------------------------------------------

def _drops(trace, steps):
    return [int(e) * steps for e in np.nonzero(np.diff(trace.lr) < 0)[0] + 1]


def test_t11_plateau_on_every_noisy_step_collapses_the_lr():
    traces = simulate_many([RunConfig(schedule=S("plateau", lr=0.1, factor=0.1, patience=10), problem="quadratic",
                                      problem_params={"noise": 1.0, "x0": 5.0}, epochs=300, seed=s, seeds=1)
                            for s in range(40)])
    reached = [int(np.argmax(t.lr <= 1.0001e-6)) for t in traces if (t.lr <= 1.0001e-6).any()]
    assert len(reached) >= 38 and 60 <= np.median(reached) <= 150  # the table's run: by step 82


def test_t11_epoch_means_with_patience_2_keep_decaying():
    """Evaluated on 100-step means: the running mean of the epoch's losses (plateau_metric=running)."""
    traces = simulate_many([RunConfig(schedule=S("plateau", lr=0.1, factor=0.1, patience=2), problem="quadratic",
                                      problem_params={"noise": 1.0, "x0": 5.0}, epochs=40, steps_per_epoch=100, seed=s,
                                      seeds=1, plateau_metric="running")
                            for s in range(20)])
    drops = [[d for d in _drops(t, 100) if d <= 2000] for t in traces]
    assert [700, 1400, 1700, 2000] in drops  # the table's run (seed 3)
    assert all(t.lr[17] < 0.1 for t in traces)  # every run has dropped by step 1700
    assert np.median([len(_drops(t, 100)) for t in traces]) >= 4  # and keeps decaying


def test_t11_min_lr_and_cooldown_hold_the_lr():
    traces = simulate_many([RunConfig(schedule=S("plateau", lr=0.1, factor=0.1, patience=2, min_lr=1e-3, cooldown=3),
                                      problem="quadratic", problem_params={"noise": 1.0, "x0": 5.0}, epochs=40,
                                      steps_per_epoch=100, seed=s, seeds=1, plateau_metric="running")
                            for s in range(20)])
    assert [700, 1400] in [_drops(t, 100) for t in traces]
    assert all(len(_drops(t, 100)) == 2 and t.lr[-1] == pytest.approx(1e-3) for t in traces)


# T12 -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("schedule, f", [
    (S("constant", lr=1e-3), 3e-8),
    (S("constant", lr=1.5e-3), 7.8e-12),
    (S("constant", lr=2e-3), 1.3e-3),
    (S("warmup_constant", lr=1.9e-3, num_warmup_steps=500), 2.4e-14),
])
def test_t12_rosenbrock_edge_of_stability(schedule, f):
    t = run(schedule, "rosenbrock", 20000)
    assert t.final_loss == pytest.approx(f, rel=0.06)


def test_t12_sharpness_and_divergence():
    t = run(S("constant", lr=2.1e-3), "rosenbrock", 100)
    assert t.diverged_at == 7
    assert t.sharpness[0] == pytest.approx(2092, rel=1e-3)
    assert run(S("constant", lr=1e-3), "rosenbrock", 20000).sharpness[-1] == pytest.approx(1001.6, rel=1e-3)
    assert 2 / 1001.6 == pytest.approx(0.001997, rel=1e-3)


# T16 (schedule-free) ---------------------------------------------------------------------------------

def exact_sgd(lrs, curvatures, start, sigma):
    """E f after each step of SGD at the lrs (the start's f first), f = sum a_i x_i^2 / 2 with N(0, s_i^2)
    gradient noise: per coordinate a mean and a variance."""
    a, m, s = (np.asarray(v, dtype=float) for v in (curvatures, start, sigma))
    v = np.zeros_like(m)
    out = [np.sum(a * m**2) / 2]
    for lr in lrs:
        m, v = (1 - lr * a) * m, (1 - lr * a) ** 2 * v + lr**2 * s**2
        out.append(np.sum(a * (m**2 + v)) / 2)
    return np.array(out)


def exact_schedule_free(lrs, curvatures, start, sigma, beta=0.9):
    """E f(x) after each step of schedule-free SGD (weight_lr_power 2, r 0, no warmup) at the lrs: per coordinate
    (x, z) move linearly, z' = z - lr (a y + noise) at y = (1 - beta) z + beta x, x' = (1 - c) x + c z' with
    c = lr_max^2 / (the sum of lr_max^2 so far): their means and 2x2 covariance."""
    out = np.zeros(len(lrs) + 1)
    for a, x0, s in zip(curvatures, start, sigma):
        m, P, lr_max, total = np.array([x0, x0], dtype=float), np.zeros((2, 2)), 0.0, 0.0
        out[0] += a * x0**2 / 2
        for k, lr in enumerate(lrs):
            lr_max = max(lr_max, lr)
            total += lr_max**2
            c = lr_max**2 / total
            z_row = np.array([-lr * a * beta, 1 - lr * a * (1 - beta)])
            A = np.vstack([(1 - c) * np.array([1.0, 0.0]) + c * z_row, z_row])
            b = np.array([-c * lr, -lr])
            m, P = A @ m, A @ P @ A.T + np.outer(b, b) * s**2
            out[k + 1] += a * (m[0] ** 2 + P[0, 0]) / 2
    return out


@pytest.mark.parametrize("beta", [0.9, 0.5])
def test_schedule_free_averages_the_noise_away(beta):
    """Schedule-free SGD at a constant lr on a noisy quadratic: the seed mean of the loss the engine shows (at x)
    is the exact expectation, and it falls far under constant SGD's noise floor at the same lr (beta 0.5 takes
    the package's other lerp branch in eval())."""
    lr, at = 0.5, [10, 100, 1000]
    exact = exact_schedule_free(np.full(1000, lr), [1.0], [5.0], [1.0], beta)
    hp = {"momentum": beta}
    mean, se = seed_mean(S("constant", lr=lr), "quadratic", 1001, 300, optimizer="schedulefree_sgd",
                         optimizer_params=hp, problem_params={"noise": 1.0, "x0": 5.0})
    assert np.all(np.abs(mean[at] - exact[at]) <= 5 * se[at]), (mean[at], exact[at])
    assert exact[1000] < 0.05 * lr / (2 * (2 - lr))  # SGD's floor at lr 0.5: 0.167
