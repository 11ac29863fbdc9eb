"""Fuzz: every parameter of every schedule, problem and optimizer, and every run setting, typed as text
through the paths the app and the CLI use (issue 7).

The app's path is ``fields.set_value(prepare(config), field, text)`` over ``fields.fields(prepare(config))``; the
CLI's is ``lrtui simulate --format json`` (and ``lrtui curve``) with ``key=value``, ``problem.key=value``,
``optimizer.key=value`` or ``--run-setting=value``. Whatever is typed, the answer is a valid run or the
one-line error naming the parameter; never another exception, never a numpy warning (pytest turns them
into failures), never NaN printed as a number. Takes about 8 s (400 random texts for each path, and
every special and boundary text into every parameter of the form).
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrtui import schedules
from lrtui.cli import main
from lrtui.analysis.lint import notes
from lrtui.sim.optimizers import OPTIMIZERS
from lrtui.params import ConfigError, Param, coerce
from lrtui.sim.engine import simulate
from lrtui.sim.config import PROBLEMS, RUN_PARAMS, Prepared, RunConfig, prepare
from lrtui.ui import fields as F
from lrtui.analysis.verdict import judge, run_state

EPOCHS = 12  # the base runs are short: the fuzz is about the input, not the optimisation
BUDGET = 5_000  # optimizer steps (or data rows x epochs / 100) a fuzzed run may cost before it is only validated

# What people type by accident or on purpose: Python's float() takes some of these (1_000, arabic digits),
# lrtui must not.
SPECIAL = ["1e999 epochs", "9e15 steps",
    "", " ", "1e999", "-1e999", "1e-400", "5e-324", "1.7976931348623157e308", "nan", "NaN", "-nan", "inf", "-inf",
    "Infinity", "-0", "-0.0", "0", "+1", "-1", ".5", "5.", "1e3", "1E-3", "0x10", "0b11", "1_000", "١٢", "５",
    "9" * 400, "none", "None", "true", "FALSE", "yes", ",", "1,2", "1,,2", "3 6", "[]", "{}", "[1]",
    '[{"name": "cosine"}]', '["step", "plateau"]', '[{"name": "step", "params": {"step_size": "0"}}]',
    "x" * 10_000, "[" * 5_000, "\x00", "1\n0", "\t1\t", "\x1b[31m1", "\u202e1", "🙂", "1e3 epochs", "7 epochs",
    "1k steps", "375M tokens", "50k samples", "nan steps", "0 epochs", "-5 epochs", "1,2 epochs",
]


def _near(x: float) -> list[float]:
    return [x, float(np.nextafter(x, -np.inf)), float(np.nextafter(x, np.inf)), x - 1, x + 1, x * (1 + 1e-9),
            x * (1 - 1e-9)]


def boundary_texts(p: Param) -> list[str]:
    """The parameter's bounds and their neighbours, as a person (or a script) would type them."""
    if p.kind == "choice":
        return [*p.choices, *(c.upper() for c in p.choices), *(f" {c} " for c in p.choices),
                *(c[:-1] for c in p.choices)]
    if p.kind == "bool":
        return ["true", "True", "on", "1", "0", "2", "t"]
    out = []
    for bound in (p.low, p.high):
        if bound is None:
            continue
        for x in _near(float(bound)):
            out += [repr(x), f"{x:.17g}", f"{x:g}", f"{x:e}"]
            if x.is_integer():
                out.append(str(int(x)))
    if p.kind == "int_list":
        out += [f"1,{t}" for t in out[:8]]
    return out


NUMBER_TEXT = st.one_of(
    st.floats().map(repr), st.floats().map(lambda x: f"{x:.3g}"), st.integers().map(str),
    st.integers(-(10**30), 10**30).map(lambda n: f"{n}e{n % 700 - 350}"),
)
ANY_TEXT = st.one_of(st.text(), st.text(alphabet=st.characters(max_codepoint=127)),
                     st.text(alphabet="0123456789.,eE+- kMT"))


def text_for(p: Param):
    """Text to type into ``p``: special strings, its bounds and their neighbours, numbers, anything."""
    bounds = boundary_texts(p)
    return st.one_of(st.sampled_from(SPECIAL), *([st.sampled_from(bounds)] if bounds else []), NUMBER_TEXT, ANY_TEXT)


# -- the parameters, with a valid run each one belongs to ------------------------------------------------

def _base(section: str, owner: str) -> RunConfig:
    if section == "schedule":
        return RunConfig(schedule={"name": owner, "params": {}}, epochs=EPOCHS)
    if section == "problem":
        return RunConfig(problem=owner, epochs=EPOCHS if PROBLEMS[owner].kind == "analytic" else 3)
    if section == "optimizer":
        return RunConfig(optimizer=owner, epochs=EPOCHS)
    return RunConfig(schedule={"name": "plateau", "params": {}}, epochs=EPOCHS)  # every run setting shows


TARGETS = (
    [("schedule", name, p) for name in schedules.names() for p in schedules.get(name).all_params]
    + [("problem", name, p) for name, problem in PROBLEMS.items() for p in problem.params]
    + [("optimizer", name, p) for name, o in OPTIMIZERS.items() for p in o.params]
    + [("run", "run", p) for p in RUN_PARAMS]
)
IDS = [f"{section}-{owner}-{p.name}" if section != "run" else f"run-{p.name}" for section, owner, p in TARGETS]


def _field(config: RunConfig, section: str, name: str) -> F.Field:
    (field,) = [f for f in F.fields(prepare(config)) if f.section == section and not f.picker and f.param.name == name]
    return field


def _label(section: str, name: str) -> str:
    """The parameter as messages (and the command line) name it."""
    return f"{section}.{name}" if section in ("problem", "optimizer") else name


LENGTH = re.compile(r"\d\s*[kKMGBT]?\s*[a-z]+\s*$")  # "375M tokens": the app and the CLI turn lengths into epochs


def _refused_alone(param: Param, text: str) -> bool:
    """Whether the text is no value of the parameter on its own (then the error must be about it). A
    length with a unit may become a valid number of epochs first: that is not for this check to say."""
    try:
        coerce(param, text)
    except ConfigError:
        return not LENGTH.search(text)
    return False


def _cost(prepared: Prepared) -> float:
    """Roughly what simulating the run costs, in optimizer steps."""
    if prepared.problem.kind == "analytic":
        return prepared.epochs * prepared.steps_per_epoch
    pp = prepared.problem_params
    return prepared.epochs * (math.ceil(pp["n"] / pp["batch_size"]) + pp["n"] * pp.get("hidden", 1) / 100)


def _names(config: RunConfig) -> set[str]:
    prepared = prepare(config)
    return {f.param.name for f in F.fields(prepared)} | {p.name for p in RUN_PARAMS} | {"schedulers", "milestones"}


def check_one_line(message: str, name: str, refused_alone: bool, names: set[str]) -> None:
    """The error is one line; it names the parameter typed into (``name=...``, ``name[i]...`` or its
    ``--option``) when the text is no value of it, and some parameter of the run when the value clashes
    with another one."""
    assert message and "\n" not in message and "\r" not in message, repr(message)
    if refused_alone:
        option = f"--{name.replace('_', '-')}"
        assert re.search(rf"(?<!\w){re.escape(name)}(=|\[\d+\])", message) or option in message, message
    else:
        spelled = names | {n.replace("_", "-") for n in names}  # plateau_metric, or --plateau-metric
        assert re.search(r"\b(" + "|".join(map(re.escape, spelled)) + r")\b", message), message


def exercise(config: RunConfig) -> None:
    """What the app does with a new configuration: show every field, simulate, judge, lint."""
    prepared = prepare(config)
    for field in F.fields(prepared):
        shown = F.text(prepared, field)
        assert "\n" not in shown and "nan" not in shown.lower().split(), (field.key, shown)
    if _cost(prepared) > BUDGET:
        return
    trace = simulate(config)
    assert len(trace.lr) == len(trace.loss) == prepared.epochs
    verdict = judge(trace, prepared)
    if trace.diverged_at is None:
        assert np.isfinite(trace.loss).all() and np.isfinite(trace.lr).all() and math.isfinite(trace.final_loss)
    else:
        assert verdict.kind == "diverged"
    notes(config, prepared)
    run_state(trace, prepared.epochs - 1)


def app_types(config: RunConfig, field: F.Field, text: str) -> RunConfig | None:
    """Type ``text`` into ``field``: the new valid configuration (exercised), or None after a proper error."""
    try:
        new = F.set_value(prepare(config), field, text).config
    except ConfigError as err:
        check_one_line(str(err), field.param.name, _refused_alone(field.param, text), _names(config))
        return None
    exercise(new)
    return new


# -- the app's path ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("section, owner, param", TARGETS, ids=IDS)
def test_the_form_takes_every_special_and_boundary_text(section, owner, param):
    config = _base(section, owner)
    field = _field(config, section, param.name)
    for text in SPECIAL + boundary_texts(param):
        app_types(config, field, text)
    # a closed bound is a value of its own, typed as Python writes it (unless it clashes with the run)
    for bound, is_open in ((param.low, param.low_open), (param.high, param.high_open)):
        if param.kind in ("int", "float") and bound is not None and not is_open and _fits(config, field, bound):
            assert F.value(F.set_value(prepare(config), field, repr(bound)), field) == bound


def _fits(config: RunConfig, field: F.Field, x: float) -> bool:
    """Whether the value x leaves the run valid (a bound may clash with the run's other settings)."""
    try:
        F.set_value(prepare(config), field, x)
    except ConfigError:
        return False
    return True


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_form_takes_any_text(data):
    section, owner, param = data.draw(st.sampled_from(TARGETS), label="target")
    text = data.draw(text_for(param), label="text")
    config = _base(section, owner)
    app_types(config, _field(config, section, param.name), text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["schedule", "problem", "optimizer"]), st.one_of(st.sampled_from(SPECIAL), ANY_TEXT,
       st.sampled_from([*schedules.names(), *PROBLEMS, *OPTIMIZERS])))
def test_the_pickers_take_any_text(section, text):
    config = _base("run", "run")
    (field,) = [f for f in F.fields(prepare(config)) if f.picker and f.section == section]
    try:
        new = F.set_value(prepare(config), field, text).config
    except ConfigError as err:
        check_one_line(str(err), section, True, _names(config))
    else:
        exercise(new)


# -- the command line's path -----------------------------------------------------------------------------

def _no_nan(constant: str):
    raise AssertionError(f"{constant} printed as a number")


def cli_runs(capsys, argv: list[str]) -> tuple[int, str, str]:
    """Run the CLI: exit 0 with JSON (no NaN) and notes, or exit 2 with one line; never a traceback."""
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code in (0, 2), (code, err)
    if code == 2:
        assert out == "" and err.count("\n") == 1 and re.match(r"lrtui( [a-z-]+)?: ", err), err
    else:
        json.loads(out, parse_constant=_no_nan)
        assert all(line.startswith("lrtui: ") for line in err.splitlines()), err
    return code, out, err


def _cli_argv(section: str, owner: str, param: Param, text: str, curve: bool) -> list[str]:
    if section == "run":
        return ["simulate", "--format", "json", "--schedule", "plateau", "--epochs", str(EPOCHS),
                f"--{param.name.replace('_', '-')}={text}"]
    token = f"{_label(section, param.name)}={text}"
    if curve:
        return ["curve", owner, token, "--epochs", str(EPOCHS), "--format", "json"]
    run = {"schedule": ["--schedule", owner], "problem": ["--problem", owner], "optimizer": ["--optimizer", owner]}
    epochs = 3 if section == "problem" and PROBLEMS[owner].kind == "data" else EPOCHS
    return ["simulate", "--format", "json", *run[section], "--epochs", str(epochs), token]


class TooCostly(Exception):
    """A run the text asked for that would take too long to simulate here (10^7 epochs is test_edges')."""


@pytest.fixture
def cheap_runs(monkeypatch):
    """The CLI simulates only runs within BUDGET; a costlier one raises TooCostly (after all its checks)."""
    real = simulate

    def guarded(config: RunConfig, progress=None):
        if _cost(prepare(config)) > BUDGET:
            raise TooCostly
        return real(config, progress)

    monkeypatch.setattr("lrtui.sim.engine.simulate", guarded)


def cli_takes(capsys, section: str, owner: str, param: Param, text: str, curve: bool = False) -> None:
    """Type ``text`` into ``param`` on the command line; an error must name it as the form's does."""
    try:
        code, out, err = cli_runs(capsys, _cli_argv(section, owner, param, text, curve))
    except TooCostly:
        capsys.readouterr()
        return
    if code == 2:
        check_one_line(err.strip().removeprefix("lrtui: "), param.name, _refused_alone(param, text),
                       _names(_base(section, owner)))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                           HealthCheck.function_scoped_fixture])
@given(st.data())
def test_the_command_line_takes_any_text(capsys, cheap_runs, data):
    section, owner, param = data.draw(st.sampled_from(TARGETS), label="target")
    text = data.draw(text_for(param), label="text")
    has_curve = section == "schedule" and schedules.get(owner).family != "metric"  # plateau follows the loss
    cli_takes(capsys, section, owner, param, text, has_curve and data.draw(st.booleans(), label="curve"))


def test_the_command_line_takes_the_special_texts(capsys, cheap_runs):
    """Each special text once, into a parameter of each kind (the full sweep is the form's test)."""
    targets = {}
    for section, owner, param in TARGETS:
        targets.setdefault((section, param.kind), (section, owner, param))
    for section, owner, param in targets.values():
        for text in SPECIAL:
            cli_takes(capsys, section, owner, param, text)


def test_a_value_python_would_take_is_refused_with_its_name(capsys):
    """The checks above can fail: a text float() takes but lrtui must refuse gives exit 2 naming it."""
    code, out, err = cli_runs(capsys, ["simulate", "--format", "json", "lr=1_000"])
    assert code == 2 and err == "lrtui: lr=1_000 is not allowed: a number in [0, 1000000]\n"
    code, out, err = cli_runs(capsys, ["simulate", "--format", "json", "--epochs=١٢"])
    assert code == 2 and err.startswith("lrtui: epochs=١٢ is not allowed")
