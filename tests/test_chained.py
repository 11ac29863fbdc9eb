"""chained: torch's ChainedScheduler step by step, against closed forms (real torch values are in
tests/fixtures/reference_lrs.json, checked by test_reference_values.py)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrtui import schedules
from lrtui.params import ConfigError
from lrtui.schedules import stepping


def S(name, **params):
    return {"name": name, "params": params}


def chained(*members, lr=0.1):
    return schedules.create("chained", lr=lr, schedulers=list(members))


def test_linear_times_cosine_is_not_warmup_then_cosine():
    """The spec's example: lr 0.1, LinearLR(0.1, total_iters 5) x CosineAnnealingLR(T_max 10) peaks at about
    0.054 around t = 4, the product of the two factors, then torch's trough step adds at t = T_max + 1."""
    lr = chained(S("linear", start_factor=0.1, total_iters=5), S("cosine", T_max=10))(np.arange(12))
    t = np.arange(11)
    product = 0.1 * (0.1 + 0.9 * np.minimum(t, 5) / 5) * (1 + np.cos(np.pi * t / 10)) / 2
    np.testing.assert_allclose(lr[:11], product, rtol=1e-12, atol=1e-18)
    assert int(np.argmax(lr[:11])) == 4
    assert lr[4] == pytest.approx(0.0536, abs=5e-4)
    assert lr[11] == pytest.approx(lr[10] + 0.1 * (1 - math.cos(math.pi / 10)) / 2, rel=1e-12)


def test_an_overwriting_member_resets_what_came_before_it():
    """ExponentialLR, then CyclicLR, which writes its own value: the exponential's decay is lost each epoch;
    an ExponentialLR after it multiplies the fresh value once. At t = 0 a CyclicLR built second writes the
    optimizer's initial lr (its constructor steps before it sets its own base lr), not its base_lr."""
    cyc = S("cyclic", base_lr=0.01, max_lr=0.05, step_size_up=4)
    alone = schedules.from_spec(cyc)(np.arange(30))
    before = chained(S("exponential", gamma=0.5), cyc)(np.arange(30))
    after = chained(cyc, S("exponential", gamma=0.5))(np.arange(30))
    assert before[0] == 0.1 and alone[0] == 0.01
    np.testing.assert_array_equal(before[1:], alone[1:])
    np.testing.assert_allclose(after, np.where(np.arange(30) == 0, 1.0, 0.5) * alone, rtol=1e-15)


def test_a_onecycle_member_sets_the_base_of_the_members_after_it():
    """OneCycleLR writes initial_lr = max_lr / div_factor: a cosine after it climbs back by that base."""
    one = S("onecycle", max_lr=0.2, total_steps=40, div_factor=10.0)
    lr = chained(one, S("cosine", T_max=5))(np.arange(7))
    alone = schedules.from_spec(one)(np.arange(7))
    # at t = 5 the cosine's ratio is 0; the trough step at t = 6 adds (base - eta_min) * (1 - cos(pi / 5)) / 2,
    # base = 0.2 / 10, to the value OneCycleLR has just written
    ratio_5 = (1 + math.cos(math.pi * 5 / 5)) / (1 + math.cos(math.pi * 4 / 5))
    assert lr[5] == pytest.approx(alone[5] * ratio_5, abs=1e-15)
    assert lr[6] == pytest.approx(alone[6] + 0.02 * (1 - math.cos(math.pi / 5)) / 2, rel=1e-12)


def test_a_chain_is_as_long_as_its_shortest_member():
    s = chained(S("step"), S("onecycle", total_steps=20))
    assert s(np.arange(20)).shape == (20,)
    with pytest.raises(ConfigError, match=r"schedulers\[1\]\.total_steps=20 is shorter than the run of 21 epochs"):
        s(np.arange(21))


def test_any_epochs_in_any_order_give_the_same_values():
    s = chained(S("cosine", T_max=7, eta_min=0.01), S("step", step_size=3, gamma=0.5))
    full = s(np.arange(50))
    np.testing.assert_array_equal(s(np.array([49, 3, 0, 3])), full[[49, 3, 0, 3]])
    fresh = chained(S("cosine", T_max=7, eta_min=0.01), S("step", step_size=3, gamma=0.5))
    np.testing.assert_array_equal(fresh(np.array([5])), full[[5]])
    np.testing.assert_array_equal(fresh(np.arange(50)), full)
    assert s(np.array([], dtype=np.int64)).shape == (0,)


_ALONE = {
    "constant": st.fixed_dictionaries({"factor": st.floats(0.05, 1.0), "total_iters": st.integers(1, 30)}),
    "step": st.fixed_dictionaries({"step_size": st.integers(1, 20), "gamma": st.floats(0.0, 1.0)}),
    "multistep": st.fixed_dictionaries({"milestones": st.lists(st.integers(0, 60), max_size=5),
                                        "gamma": st.floats(0.0, 1.0)}),
    "exponential": st.fixed_dictionaries({"gamma": st.floats(0.0, 1.0)}),
    "linear": st.fixed_dictionaries({"start_factor": st.floats(0.01, 1.0), "end_factor": st.floats(0.0, 1.0),
                                     "total_iters": st.integers(1, 40)}),
    "polynomial": st.fixed_dictionaries({"total_iters": st.integers(1, 40), "power": st.floats(0.0, 4.0)}),
    "cosine": st.fixed_dictionaries({"T_max": st.integers(1, 30), "eta_min": st.floats(0.0, 0.05)}),
}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(_ALONE)).flatmap(lambda n: st.tuples(st.just(n), _ALONE[n])))
def test_each_chainable_form_alone_steps_to_its_closed_form(case):
    """torch's recursive get_lr of a scheduler alone reproduces its closed form: stepping one member through
    the recurrence gives the closed form (both written from the spec, independently)."""
    name, params = case
    member = schedules.create(name, lr=0.1, **params)
    stepped = stepping.chained_lrs(0.1, (member,), 80)
    np.testing.assert_allclose(stepped, member(np.arange(80)), rtol=1e-9, atol=1e-15)


def _stepped(a, c, lr):
    out = []
    for a_t, c_t in zip(a, c):
        lr = c_t if a_t == 0 else a_t * lr + c_t
        out.append(lr)
    return np.array(out)


def _recurrences(n):
    """Factors and added terms for n epochs, with a few overwrites (a = 0) and near-underflows (a = 1e-9)."""
    index = st.lists(st.integers(0, n - 1), max_size=3)
    return st.tuples(st.lists(st.floats(0.2, 3.0), min_size=n, max_size=n), index, index,
                     st.lists(st.one_of(st.just(0.0), st.floats(-0.01, 0.01)), min_size=n, max_size=n))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 150).flatmap(_recurrences), st.floats(0.0, 10.0))
def test_the_blocked_recurrence_equals_stepping_one_epoch_at_a_time(case, lr):
    factors, zeros, tiny, added = case
    a, c = np.array(factors), np.array(added)
    a[tiny], a[zeros] = 1e-9, 0.0
    expected = _stepped(a, c, lr)
    got = stepping.run(stepping.Updates(a, c), lr)
    assert np.all(np.abs(got - expected) <= 1e-9 * np.maximum(np.abs(expected), np.max(np.abs(c))))


def test_a_long_chain_stays_on_torchs_recurrence():
    """5000 epochs of LinearLR x CosineAnnealingLR(eta_min), stepped in Python as torch's get_lr writes them
    (schedules.md §1.5, §1.8), member by member: the blocked recurrence does not drift from it."""
    lr, s, e, total, T, eta = 0.1, 0.1, 1.0, 700, 400, 1e-3
    expected, cur = [], lr * s  # the constructors' steps: LinearLR *= s, CosineAnnealingLR leaves it
    for t in range(5000):
        if t > 0:
            if t <= total:
                cur *= 1.0 + (e - s) / (total * s + (t - 1) * (e - s))
            if (t - 1 - T) % (2 * T) == 0:
                cur += (lr - eta) * (1 - math.cos(math.pi / T)) / 2
            else:
                cur = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (cur - eta) + eta
        expected.append(cur)
    got = chained(S("linear", start_factor=s, end_factor=e, total_iters=total), S("cosine", T_max=T, eta_min=eta),
                  lr=lr)(np.arange(5000))
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_long_runs_are_computed_in_chunks_that_join_exactly(monkeypatch):
    """A sequential member's milestone, a cosine trough and an overwrite each fall on a chunk boundary."""
    members = chained(
        S("sequential", schedulers=[S("linear", start_factor=0.2, total_iters=6), S("cosine", T_max=5, eta_min=0.01)],
          milestones=[7]),
        S("step", step_size=4, gamma=0.8),
        S("warmup_cosine", num_warmup_steps=3, num_training_steps=40),
        S("cosine", T_max=6),
    ).members
    whole = stepping.chained_lrs(0.1, members, 60)
    monkeypatch.setattr(stepping, "CHUNK", 7)
    np.testing.assert_array_equal(stepping.chained_lrs(0.1, members, 60), whole)


async def test_a_costly_composition_never_computes_its_curve_on_the_ui_thread_per_key(tmp_path, monkeypatch):
    """Issue 24, a hostile retry: 64 chained members over 10^5 epochs take 0.5 s to evaluate, and each key
    on the form computed the curve twice on the UI thread (the lr preview, then the notes), so a few hundred
    keys kept a served session busy for a minute. The preview waits for the run and the notes read the
    trace's lr: the curve is computed on the worker only."""
    import json
    import threading

    from lrtui.cli import app_start, build_parser
    from lrtui.schedules.registry import Schedule
    from lrtui.ui.app import make_app
    from lrtui.ui.screenshot import settle
    from tests.conftest import row

    path = tmp_path / "e64.json"
    path.write_text(json.dumps({"name": "chained", "params": {"lr": 1e-3, "schedulers": ["exponential"] * 64}}))
    parser, _ = build_parser()
    app = make_app(app_start(parser.parse_intermixed_args(["--spec", str(path), "--epochs", "100000"])))
    ui_thread, on_ui = threading.get_ident(), []
    original = Schedule.__call__

    def watched(self, t, *args, **kwargs):
        if threading.get_ident() == ui_thread and len(t) >= 100_000:
            on_ui.append(self.name)
        return original(self, t, *args, **kwargs)

    monkeypatch.setattr(Schedule, "__call__", watched)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        on_ui.clear()  # (the first run, before any key)
        row(app, "schedule.lr").focus()
        await pilot.press("plus")
        await settle(app, pilot)
        assert app.trace.config.schedule["params"]["lr"] > 1e-3  # the run came, and with it the curve
        assert on_ui == []
