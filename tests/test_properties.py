"""Property tests over every parameter declaration: valid values give finite, non-negative learning rates,
vectorized evaluation equals element-by-element evaluation, and invalid values give the one error."""


import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lrtui import schedules
from lrtui.printable import cut
from lrtui.params import MAX_EPOCHS, ConfigError, Param, format_value

EPOCH_SCHEDULES = [n for n in schedules.names() if schedules.get(n).family in ("torch", "keras", "transformers")]
SMALL = 400  # epoch-like parameters are drawn up to here, so the drawn runs cross their interesting points


def _valid(p: Param):
    """Values the declaration allows (epoch counts kept small so a run reaches their edges)."""
    if p.kind == "bool":
        s = st.booleans()
    elif p.kind == "choice":
        s = st.sampled_from(p.choices)
    elif p.kind == "int_list":
        s = st.lists(st.integers(int(p.low), SMALL), max_size=5)
    elif p.kind == "int":
        hi = int(min(p.high, SMALL if p.high >= MAX_EPOCHS else p.high))
        s = st.integers(int(p.low) + (1 if p.low_open else 0), hi)
    else:
        s = st.floats(p.low, p.high, exclude_min=p.low_open, exclude_max=p.high_open, allow_nan=False)
        if p.log:  # small values too, where log-scale parameters live
            s = st.one_of(s, st.floats(max(p.low, 1e-8), max(min(p.high, 10.0), p.low)))
    return st.one_of(st.none(), s) if p.optional else s


@st.composite
def valid_config(draw):
    """A schedule and parameters that are valid one by one, then made consistent with each other where a
    schedule has cross-parameter rules (so create() must accept every drawn configuration)."""
    name = draw(st.sampled_from(EPOCH_SCHEDULES))
    p = {q.name: draw(_valid(q)) for q in schedules.get(name).all_params}
    if p.get("warmup", 0) > 50:
        p["warmup"] = draw(st.integers(0, 50))
    if name == "constant" and p["total_iters"] == 0:
        p["factor"] = 1.0
    if name == "onecycle":
        total, pct = p["total_steps"], p["pct_start"]
        if pct * total == 1 or pct == 1 or (p["three_phase"] and 2 * pct * total == total + 1):
            p["pct_start"] = 0.3
    if "num_training_steps" in p and name != "wsd":
        p["num_training_steps"] = p["num_warmup_steps"] + draw(st.integers(1, SMALL))
    if name == "warmup_polynomial":
        p["lr"] = max(p["lr"], 1e-6)
        p["lr_end"] = p["lr"] * draw(st.floats(0, 0.99))
    if name == "warmup_cosine_min_lr":
        if p["min_lr"] is not None:
            p["min_lr"] = p["lr"] * draw(st.floats(0, 1))
        elif p["min_lr_rate"] is None:
            p["min_lr_rate"] = 0.1
    if name == "wsd":
        w, d = p["num_warmup_steps"], p["num_decay_steps"]
        if p["num_stable_steps"] is None:
            p["num_training_steps"] = w + d + draw(st.integers(max(0, 1 - w - d), SMALL))
        elif p["num_training_steps"] is not None:  # (at least one step in all: 0 is no schedule)
            p["num_stable_steps"] = max(p["num_stable_steps"], 1 - w - d)
            p["num_training_steps"] = w + d + p["num_stable_steps"]
    return name, p


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_config(), st.integers(1, 3 * SMALL))
def test_valid_parameters_give_finite_non_negative_rates(config, epochs):
    schedule = schedules.create(config[0], **config[1])
    epochs = min(epochs, schedule.horizon or epochs)
    lr = schedule(np.arange(epochs))
    assert np.isfinite(lr).all()
    assert (lr >= 0).all()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_config(), st.lists(st.integers(0, 3 * SMALL), min_size=1, max_size=40))
def test_vectorized_equals_element_by_element(config, epochs):
    schedule = schedules.create(config[0], **config[1])
    if schedule.horizon:
        epochs = [e % schedule.horizon for e in epochs]
    together = schedule(np.array(epochs))
    one_by_one = np.array([schedule(np.array([e]))[0] for e in epochs])
    np.testing.assert_allclose(together, one_by_one, rtol=1e-12, atol=0)


def _invalid(p: Param):
    """Values outside the declaration: past either bound, the wrong type, or garbage text."""
    options = [st.just("garbage"), st.just(float("nan")), st.just({"a": 1})]
    if p.kind in ("int", "float"):
        if p.low is not None:
            options.append(st.floats(-1e9, p.low, exclude_max=not p.low_open, allow_nan=False))
        if p.high is not None:
            options.append(st.floats(p.high, 1e15, exclude_min=not p.high_open, allow_nan=False))
    if p.kind == "int":
        options.append(st.just(1.5))
    if p.kind == "int_list":
        options += [st.just("1,x"), st.just([int(p.low) - 1])]
    if p.kind == "choice":
        options.append(st.text(min_size=1, max_size=8).filter(lambda s: s.strip() not in p.choices))
    return st.one_of(*options)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_invalid_parameters_give_the_one_error_naming_the_parameter(data):
    name = data.draw(st.sampled_from(schedules.names()))
    params = [p for p in schedules.get(name).all_params if p.kind != "specs"]
    p = data.draw(st.sampled_from(params))
    value = data.draw(_invalid(p))
    try:
        schedules.create(name, **{p.name: value})
    except ConfigError as err:
        assert str(err).startswith(f"{p.name}="), str(err)
        assert "\n" not in str(err)
    else:
        raise AssertionError(f"{name} accepted {p.name}={format_value(value)}")


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(schedules.names()), st.text(min_size=1, max_size=12))
def test_unknown_parameter_names_are_errors(name, key):
    assume(key not in {p.name for p in schedules.get(name).all_params})
    try:
        schedules.create(name, **{key: 1})
    except ConfigError as err:
        assert cut(key) in str(err) and "allowed" in str(err)  # as typed, control characters escaped
    else:
        raise AssertionError(f"{name} accepted unknown parameter {key!r}")
