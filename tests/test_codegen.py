"""The code writers' text, held still: every recorded spec exports, for every framework, exactly the text (or the
refusal) tests/fixtures/exported_code.json recorded (tests/fixtures/make_code_fixtures.py made it)."""

import json

import pytest

from lrtui import schedules
from lrtui.codegen import EMITTERS, FRAMEWORKS, code_for, missing_entries
from lrtui.params import ConfigError
from tests.conftest import FIXTURES

RECORDED = json.loads((FIXTURES / "exported_code.json").read_text())["cases"]


def _exported(spec: dict, framework: str) -> str | dict:
    try:
        return code_for(spec, framework)
    except ConfigError as err:
        return {"error": str(err)}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_recorded_spec_exports_the_recorded_text(framework):
    assert len(RECORDED) > 800 and {c["spec"]["name"] for c in RECORDED} >= {"plateau", "chained", "wsd"}
    changed = [(case["spec"], case[framework], got) for case in RECORDED
               if (got := _exported(case["spec"], framework)) != case[framework]]
    assert not changed, (f"{len(changed)} of {len(RECORDED)} specs export other text; the first:\n"
                         f"{json.dumps(changed[0][0])}\n--- recorded\n{changed[0][1]}\n--- now\n{changed[0][2]}")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_each_frameworks_table_has_an_entry_for_every_schedule_and_no_other(framework):
    """A schedule added to the registry without an entry in each framework's table is named here."""
    missing = missing_entries(framework)
    assert not missing, (f"lrtui/codegen/{framework}.py's EMITTERS has no entry for {', '.join(missing)}: add its "
                         f"{framework} code, or what {framework} says instead where it has no such schedule")
    assert [name for name in EMITTERS[framework] if name not in schedules.names()] == []


OPTIMIZER_CASES = json.loads((FIXTURES / "exported_code.json").read_text())["optimizer_cases"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_recorded_optimizer_case_exports_the_recorded_text(framework):
    """Each optimizer, at its defaults and with every parameter changed, under a few schedules (and refusals)."""
    from lrtui.sim.optimizers import OPTIMIZERS

    assert {c["optimizer"] for c in OPTIMIZER_CASES} >= set(OPTIMIZERS)
    changed = [(c, got) for c in OPTIMIZER_CASES if (got := _exported_with(c, framework)) != c[framework]]
    assert not changed, (f"{len(changed)} of {len(OPTIMIZER_CASES)} export other text; the first:\n"
                         f"{json.dumps(changed[0][0]['spec'])} {changed[0][0]['optimizer']}\n--- now\n{changed[0][1]}")


def _exported_with(case: dict, framework: str) -> str | dict:
    try:
        return code_for(case["spec"], framework, case["optimizer"], case["optimizer_params"])
    except ConfigError as err:
        return {"error": str(err)}


def test_each_optimizer_table_has_an_entry_for_every_optimizer_and_no_other():
    from lrtui.codegen.optimizers import OPTAX, TORCH
    from lrtui.sim.optimizers import OPTIMIZERS

    assert list(TORCH) == list(OPTAX) == list(OPTIMIZERS), "lrtui/codegen/optimizers.py lacks an optimizer"


def test_the_transformers_training_script_calls_the_fragments_schedule_function():
    """Issue 28: the training script took the fragment's text apart with a regex; both are now written from one
    Call (function and keyword arguments), and for every recorded spec they call the same function with the
    same arguments over an optimizer with the same lr."""
    from lrtui.codegen import training_code
    from lrtui.codegen.transformers import Call, schedule_call
    from lrtui.sim.config import RunConfig, prepare

    called = 0
    for case in RECORDED:
        if isinstance(case["transformers"], dict) or "scheduler = " not in case["transformers"]:
            continue  # (refused, or no such function: the comment)
        call = schedule_call(case["spec"])
        assert isinstance(call, Call)
        fragment = case["transformers"].splitlines()
        script = training_code(prepare(RunConfig(schedule=case["spec"], epochs=10)), "transformers").splitlines()
        line = f"scheduler = {call.source}"
        assert line in fragment and line in script, (case["spec"], line)
        assert [x for x in fragment if x.startswith("scheduler = ")] == [x for x in script if x.startswith("scheduler")]
        optimizer = next(x for x in fragment if x.startswith("optimizer = "))
        assert optimizer.replace("[param]", "model.parameters()") in script
        called += 1
    assert called > 100
