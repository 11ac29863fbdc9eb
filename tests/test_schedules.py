"""Schedule semantics against closed forms, published numbers and the API contract."""

import math
import re

import numpy as np
import pytest

from lrtui import schedules
from lrtui.params import coerce
from lrtui.schedules import ConfigError
from lrtui.schedules.join import join_schedules

EPOCH_SCHEDULES = [n for n in schedules.names() if schedules.get(n).family != "metric"]


def lr_of(name, epochs, **params):
    return schedules.create(name, **params)(np.arange(epochs))


@pytest.mark.parametrize("decay_rate, decay_steps, staircase",
                         [(1.0, 10, False), (0.5, 1, False), (2.0, 7, True), (0.0, 3, True)])
def test_inverse_time_is_keras_inverse_time_decay(decay_rate, decay_steps, staircase):
    """Keras: lr / (1 + decay_rate * p), p = step / decay_steps, floored when staircase."""
    got = lr_of("inverse_time", 50, lr=0.3, decay_rate=decay_rate, decay_steps=decay_steps, staircase=staircase)
    for t in range(50):
        p = math.floor(t / decay_steps) if staircase else t / decay_steps
        assert got[t] == pytest.approx(0.3 / (1 + decay_rate * p), rel=1e-15)


def test_noam_numbers_t14():
    """T14: d_model 512, warmup 4000: peak 6.99e-4 at 4000, 1.75e-5 at step 100, 1.40e-4 at 100k."""
    lr = 512**-0.5 * 4000**-0.5
    s = schedules.create("inverse_sqrt", lr=lr, num_warmup_steps=4000)
    got = s(np.array([100, 4000, 100_000]))
    assert got == pytest.approx([1.75e-5, 6.99e-4, 1.40e-4], rel=2e-3)
    noam = [512**-0.5 * min(t**-0.5, t * 4000**-1.5) for t in (100, 4000, 100_000)]
    assert got == pytest.approx(noam, rel=1e-12)


def test_sgdr_restarts_at_10_30_70_150():
    """R9: T_0 = 10, T_mult = 2 restarts at epochs 10, 30, 70, 150, and never quite reaches eta_min."""
    lr = lr_of("cosine_restarts", 200, lr=0.05, T_0=10, T_mult=2)
    restarts = [t for t in range(1, 200) if lr[t] > lr[t - 1]]
    assert restarts == [10, 30, 70, 150]
    assert lr.min() > 0


def test_cosine_climbs_again_past_t_max():
    lr = lr_of("cosine", 41, lr=0.1, T_max=10)
    assert lr[10] == pytest.approx(0.0, abs=1e-18)
    assert lr[20] == pytest.approx(0.1)
    assert lr[15] == pytest.approx(lr[5])
    assert lr[40] == pytest.approx(0.1)


def test_warmup_option_is_linear_ramp_then_the_schedule_from_its_epoch_0():
    W, s = 5, 0.2
    warm = lr_of("step", 30, lr=0.4, step_size=3, gamma=0.5, warmup=W, warmup_start_factor=s)
    plain = lr_of("step", 25, lr=0.4, step_size=3, gamma=0.5)
    np.testing.assert_allclose(warm[:W], [0.4 * (s + (1 - s) * t / W) for t in range(W)], rtol=1e-15)
    np.testing.assert_array_equal(warm[W:], plain)


def test_warmup_start_factor_zero_starts_at_zero():
    lr = lr_of("cosine", 20, lr=0.1, T_max=10, warmup=4)
    assert lr[0] == 0.0
    assert lr[4] == pytest.approx(0.1)


def test_transformers_warmups_start_at_zero_and_wsd_at_min_lr_ratio():
    for name in ("warmup_constant", "warmup_linear", "warmup_cosine", "warmup_cosine_restarts",
                 "warmup_polynomial", "inverse_sqrt", "warmup_cosine_min_lr"):
        assert lr_of(name, 3)[0] == 0.0, name
    assert lr_of("wsd", 3, lr=0.2, min_lr_ratio=0.1)[0] == pytest.approx(0.02)


def test_wsd_phases():
    lr = lr_of("wsd", 120, lr=1.0, num_warmup_steps=10, num_decay_steps=20, num_training_steps=100,
               decay_type="linear", min_lr_ratio=0.1)
    assert lr[5] == pytest.approx(0.1 + 0.9 * 0.5)
    np.testing.assert_array_equal(lr[10:80], 1.0)
    assert lr[90] == pytest.approx(0.1 + 0.9 * 0.5)
    np.testing.assert_allclose(lr[100:], 0.1)


def test_wsd_stable_steps_alone_set_the_length():
    a = lr_of("wsd", 60, num_warmup_steps=5, num_decay_steps=10, num_stable_steps=30, num_training_steps=None)
    b = lr_of("wsd", 60, num_warmup_steps=5, num_decay_steps=10, num_training_steps=45)
    np.testing.assert_array_equal(a, b)


def test_chained_factors_multiply():
    """ChainedScheduler(ConstantLR(0.1, 20), ExponentialLR(0.9)) = 0.1 * 0.9**t until t = 20, then x10."""
    lr = schedules.create("chained", lr=1.0, schedulers=[
        {"name": "constant", "params": {"factor": 0.1, "total_iters": 20}},
        {"name": "exponential", "params": {"gamma": 0.9}},
    ])(np.arange(30))
    t = np.arange(30)
    np.testing.assert_allclose(lr, np.where(t < 20, 0.1, 1.0) * 0.9**t, rtol=1e-14)


def test_sequential_members_restart_at_their_epoch_0():
    seq = schedules.create("sequential", lr=0.1, milestones=[5, 12], schedulers=[
        {"name": "constant", "params": {}},
        {"name": "exponential", "params": {"gamma": 0.5}},
        {"name": "cosine", "params": {"T_max": 8}},
    ])
    lr = seq(np.arange(20))
    np.testing.assert_array_equal(lr[:5], 0.1)
    np.testing.assert_allclose(lr[5:12], 0.1 * 0.5 ** np.arange(7))
    np.testing.assert_allclose(lr[12:], lr_of("cosine", 8, lr=0.1, T_max=8))


def test_nested_specs_round_trip():
    s = schedules.create("sequential", schedulers=[
        {"name": "linear", "params": {"start_factor": 0.1, "total_iters": 5}},
        {"name": "cosine_restarts", "params": {"T_0": 7, "T_mult": 2}},
    ], milestones=[5])
    again = schedules.from_spec(s.spec)
    np.testing.assert_array_equal(s(np.arange(40)), again(np.arange(40)))


@pytest.mark.parametrize("name", EPOCH_SCHEDULES)
def test_output_is_float64_of_the_input_shape(name):
    s = schedules.create(name)
    for epochs in (np.array(3), np.arange(12).reshape(3, 4), np.array([], dtype=np.int64),
                   np.arange(5, dtype=np.int32)):
        out = s(epochs)
        assert out.dtype == np.float64 and out.shape == epochs.shape


@pytest.mark.parametrize("name", EPOCH_SCHEDULES)
def test_lengths_1_and_100k(name):
    s = schedules.create(name, **({"total_steps": 100_000} if name == "onecycle" else {}))
    assert s(np.arange(1)).shape == (1,)
    lr = s(np.arange(100_000))
    assert np.isfinite(lr).all() and (lr >= 0).all()


def test_ten_million_epochs():
    """The upper end of the API: 10^7 epochs in one call (no Python loop over epochs)."""
    lr = schedules.create("cosine_restarts", T_0=100, T_mult=2, warmup=1000)(np.arange(10_000_000))
    assert lr.shape == (10_000_000,) and np.isfinite(lr).all()
    assert lr[1000] == pytest.approx(0.1)


def test_epochs_must_be_non_negative_integers():
    s = schedules.create("cosine")
    with pytest.raises(ConfigError, match="epochs"):
        s(np.array([0.5, 1.0]))
    with pytest.raises(ConfigError, match="epochs"):
        s(np.array([-1, 0]))


def test_onecycle_is_defined_for_total_steps_epochs():
    s = schedules.create("onecycle", total_steps=50)
    assert s(np.arange(50)).shape == (50,)
    with pytest.raises(ConfigError,
                       match=r"total_steps=50 is shorter than the run of 51 epochs: allowed total_steps >= 51"):
        s(np.arange(51))


def test_plateau_has_no_epoch_curve():
    with pytest.raises(ConfigError, match="plateau"):
        schedules.create("plateau")(np.arange(3))


def test_registry_lists_every_schedule_the_product_promises():
    promised = {
        "constant", "step", "multistep", "exponential", "linear", "polynomial", "cosine", "cosine_restarts",
        "cyclic", "onecycle", "inverse_time", "warmup_constant", "warmup_linear", "warmup_cosine",
        "warmup_cosine_restarts", "warmup_polynomial", "warmup_cosine_min_lr", "inverse_sqrt", "wsd",
        "sequential", "chained", "plateau",
    }
    assert set(schedules.names()) == promised


@pytest.mark.parametrize("name", schedules.names())
def test_every_schedule_documents_its_formula_and_equivalent(name):
    d = schedules.get(name)
    formula = r"new = max\(lr \* factor, min_lr\)" if name == "plateau" else r"\b(lr|lam)\(t\) +="
    assert re.search(formula, d.doc), "the docstring gives the formula"
    assert ("torch" in d.doc) or ("transformers" in d.doc) or ("Keras" in d.doc)
    for p in d.all_params:
        assert p.help and p.allowed()
        coerce(p, p.default)  # every default passes its own declaration


def test_linear_decay_to_zero_ends_at_exactly_zero():
    """Found by the property test: (e - s) * T / T is not exactly -s for every s."""
    lr = lr_of("linear", 44, lr=1.0, start_factor=0.12225129201125443, end_factor=0.0, total_iters=43)
    assert lr[43] == 0.0 and (lr >= 0).all()


def test_wsd_stable_steps_alone_set_the_length_and_win_over_a_length_given_too():
    """transformers: num_training_steps = W + S + D when only num_stable_steps is given (lrtui's default
    length of 100 is not the user's); given both, num_stable_steps is used."""
    t = np.arange(120)
    alone = schedules.create("wsd", num_warmup_steps=10, num_decay_steps=20, num_stable_steps=50)
    assert alone.params["num_training_steps"] == 80
    both = schedules.create("wsd", num_warmup_steps=10, num_decay_steps=20, num_stable_steps=50, num_training_steps=100)
    np.testing.assert_array_equal(alone(t), both(t))
    lr = alone(t)
    assert lr[60] == 0.1 and lr[61] < 0.1 and lr[80] == lr[119] == 0.0  # the decay starts at 60 and ends at 80


def test_onecycle_takes_epochs_and_steps_per_epoch_as_torch_does():
    """torch's OneCycleLR: total_steps, or epochs and steps_per_epoch (their product); total_steps wins."""
    t = np.arange(100)
    pair = schedules.create("onecycle", max_lr=0.1, epochs=4, steps_per_epoch=25)
    assert pair.params["total_steps"] == 100
    np.testing.assert_array_equal(pair(t), schedules.create("onecycle", max_lr=0.1, total_steps=100)(t))
    both = schedules.create("onecycle", max_lr=0.1, total_steps=60, epochs=4, steps_per_epoch=25)
    assert both.params["total_steps"] == 60
    with pytest.raises(ConfigError, match=r"^steps_per_epoch=25 needs epochs too"):
        schedules.create("onecycle", steps_per_epoch=25)
    with pytest.raises(ConfigError, match="epochs \\* steps_per_epoch = 100,000,000 is too long"):
        schedules.create("onecycle", epochs=10_000, steps_per_epoch=10_000)


# --- join_schedules: the one join the warmup option, sequential and the transformers schedules are built from -----

def _joined_by_hand(pieces, boundaries, t):
    """pieces[i](t - b_i) for b_i <= t < b_(i+1), one epoch at a time."""
    starts = [0, *boundaries]
    out = []
    for epoch in t:
        i = sum(b <= epoch for b in boundaries)
        piece = pieces[i]
        out.append(piece(np.array([epoch - starts[i]]))[0] if callable(piece) else piece)
    return np.array(out, dtype=np.float64)


@pytest.mark.parametrize("boundaries", [[], [0], [5], [5, 5], [0, 3, 3, 9], [4, 12, 30], [40]])
def test_join_schedules_runs_each_piece_from_its_own_epoch_0(boundaries):
    pieces = [(lambda x, k=k: k + 0.5 * x) if k % 3 else float(k) for k in range(len(boundaries) + 1)]
    joined = join_schedules(pieces, boundaries)
    t = np.arange(40)
    expected = _joined_by_hand(pieces, boundaries, t)
    np.testing.assert_array_equal(joined(t), expected)
    shuffled = np.random.default_rng(len(boundaries)).permutation(t)  # out of order: masks, not slices
    np.testing.assert_array_equal(joined(shuffled), expected[shuffled])
    np.testing.assert_array_equal(joined(t.reshape(5, 8)), expected.reshape(5, 8))
    assert joined(t).dtype == np.float64 and joined(np.arange(0)).shape == (0,)


def test_join_schedules_calls_each_piece_once_on_its_own_epochs_and_never_on_none():
    calls = []

    def piece(k):
        def evaluate(x):
            calls.append((k, x.tolist()))
            return np.full(x.shape, float(k))
        return evaluate

    joined = join_schedules([piece(0), piece(1), piece(2), piece(3)], [2, 2, 5])
    assert joined(np.arange(7)).tolist() == [0, 0, 2, 2, 2, 3, 3]
    assert calls == [(0, [0, 1]), (2, [0, 1, 2]), (3, [0, 1])]  # piece 1 lies between equal boundaries


def test_join_schedules_refuses_pieces_that_do_not_fit_the_boundaries():
    with pytest.raises(ValueError, match="2 pieces need 1 boundaries, got 2"):
        join_schedules([1.0, 2.0], [1, 2])
    with pytest.raises(ValueError, match=r"non-decreasing epochs >= 0, got \[5, 3\]"):
        join_schedules([1.0, 2.0, 3.0], [5, 3])
    with pytest.raises(ValueError, match="non-decreasing"):
        join_schedules([1.0, 2.0], [-1])


def test_the_warmup_option_and_sequential_are_the_same_join():
    """cosine with warmup=5 from 0.2 is sequential([linear 0.2 -> 1 over 5, cosine], [5]), value for value."""
    warmed = schedules.create("cosine", lr=0.3, T_max=20, warmup=5, warmup_start_factor=0.2)
    members = [{"name": "linear", "params": {"start_factor": 0.2, "total_iters": 5}},
               {"name": "cosine", "params": {"T_max": 20}}]
    sequential = schedules.create("sequential", lr=0.3, schedulers=members, milestones=[5])
    np.testing.assert_allclose(warmed(np.arange(60)), sequential(np.arange(60)), rtol=1e-15, atol=0)
