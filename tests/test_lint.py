"""Known pitfalls, one line each, in the CLI and the app."""

import pytest

from lrtui.cli import main
from lrtui.analysis.lint import notes, tokens_to_steps
from lrtui.sim.config import RunConfig


def S(name, **params):
    return {"name": name, "params": params}


CASES = [
    (RunConfig(schedule=S("cosine", T_max=50)),
     "T_max=50 is shorter than the 100 epochs it runs: the cosine climbs again"),
    (RunConfig(schedule=S("cosine", T_max=80, warmup=5)), "T_max=80 is shorter than the 95 epochs it runs"),
    (RunConfig(schedule=S("cosine", T_max=3000), steps_per_epoch=30), "counts the run's steps (100 epochs x 30 steps)"),
    (RunConfig(schedule=S("onecycle", total_steps=300)), "total_steps=300 is longer than the 100 epochs it runs"),
    (RunConfig(schedule=S("warmup_cosine", num_training_steps=400)), "num_training_steps=400 is longer than the 100"),
    (RunConfig(schedule=S("warmup_linear", num_training_steps=60)), "the schedule's decay ends after 60"),
    (RunConfig(schedule=S("warmup_cosine", num_training_steps=60)), "the cosine climbs again after 60"),
    (RunConfig(schedule=S("constant", factor=0.5, total_iters=10, warmup=5)), "the warmup ends in a drop"),
    (RunConfig(schedule=S("cosine", eta_min=0.2)), "eta_min=0.2 is not below lr=0.1"),
    (RunConfig(schedule=S("cosine", warmup=100)), "warmup=100 is not shorter than the run"),
    (RunConfig(schedule=S("multistep", milestones=[0, 50, 150])), "milestones 150 are beyond the run"),
    (RunConfig(schedule=S("multistep", milestones=[0, 50])), "milestone 0 applies at once"),
    (RunConfig(schedule=S("plateau", patience=100)), "patience=100 is not shorter than the run"),
    (RunConfig(schedule=S("warmup_constant", num_warmup_steps=100)),
     "num_warmup_steps=100 is not shorter than the run"),
    (RunConfig(schedule=S("sequential", milestones=[150])), "milestone 150 is beyond the run"),
    (RunConfig(schedule=S("sequential", schedulers=[{"name": "constant"}, {"name": "cosine", "params": {"T_max": 30}}],
                          milestones=[50])), "schedulers[1].T_max=30 is shorter than the 50 epochs it runs"),
    (RunConfig(schedule=S("sequential", lr=1.0, schedulers=[{"name": "constant"},
                                                            {"name": "exponential", "params": {"gamma": 0.1}}],
                          milestones=[50])), None),
    (RunConfig(schedule=S("chained", schedulers=[S("linear", start_factor=0.1, total_iters=5),
                                                 S("cosine", T_max=100)])),
     "linear x cosine in a chain is not a warmup then a cosine: the factors multiply, and over the cosine's "
     "first 100 epochs the lr peaks at 0.0"),
    (RunConfig(schedule=S("chained", schedulers=[S("exponential"), S("cyclic")])),
     "from epoch 1 on, schedulers[0] (exponential) has no effect: schedulers[1] (cyclic) writes its own lr"),
    (RunConfig(schedule=S("chained", schedulers=[S("step"), S("cosine", T_max=40)])),
     "schedulers[1].T_max=40 is shorter than the 100 epochs it runs"),
    (RunConfig(schedule=S("constant"), problem="mlp", problem_params={"batch_size": 1000, "n": 100}, epochs=5),
     "problem.batch_size=1000 is larger than problem.n=100: every step uses the whole dataset"),
]


@pytest.mark.parametrize("config, fragment", CASES)
def test_pitfalls(config, fragment):
    found = notes(config)
    if fragment is None:
        assert found == []
    else:
        assert any(fragment in n for n in found), found
        assert all("\n" not in n for n in found)


@pytest.mark.parametrize("config", [
    RunConfig(schedule=S("cosine", T_max=100)), RunConfig(schedule=S("onecycle", total_steps=100)),
    RunConfig(schedule=S("warmup_cosine", num_warmup_steps=10, num_training_steps=100)),
    RunConfig(schedule=S("multistep", milestones=[30, 60, 90])), RunConfig(schedule=S("cosine", T_max=100, warmup=10)),
    RunConfig(schedule=S("cosine_restarts", T_0=10, T_mult=2)),
    RunConfig(schedule=S("cosine", T_max=95, warmup=5)),  # the README's example
    RunConfig(schedule=S("sequential")),  # the README's spec: linear 5, then cosine T_max 95
    RunConfig(schedule=S("chained")),  # constant x exponential
    RunConfig(schedule=S("chained", schedulers=[S("cyclic", step_size_up=10), S("exponential", gamma=0.99)])),
])
def test_sound_configurations_have_no_notes(config):
    assert notes(config) == []


def test_sequential_drop_at_a_milestone():
    config = RunConfig(schedule=S("sequential", lr=1.0, schedulers=[
        {"name": "constant"}, {"name": "constant", "params": {"factor": 0.1, "total_iters": 100}}], milestones=[50]))
    assert any("the switch at milestone 50 drops the lr from 1 to 0.1" in n for n in notes(config))


def test_gpt3_warmup_in_steps():
    assert tokens_to_steps(375e6, 2**19) == 715


def test_cli_prints_notes_on_stderr(capsys):
    assert main(["curve", "cosine", "T_max=50", "--epochs", "100", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("epoch,lr\n") and err.startswith("lrtui: note: T_max=50 is shorter than the 100 epochs")
    assert main(["simulate", "--schedule", "plateau", "patience=500", "--epochs", "100", "--format", "json"]) == 0
    assert "patience=500 is not shorter than the run" in capsys.readouterr().err


def test_wsd_given_both_lengths_that_disagree_says_which_one_counts():
    """transformers warns when both are given and uses num_stable_steps: the CLI prints it, the app notes it."""
    both = RunConfig(schedule={"name": "wsd", "params": {"num_training_steps": 100, "num_stable_steps": 50}},
                     epochs=100)
    found = [n for n in notes(both) if "num_stable_steps will be used" in n]
    assert found == ["both num_training_steps and num_stable_steps are specified: num_stable_steps will be used "
                     "(transformers warns so): the schedule is 10 + 50 + 20 = 80 steps, not num_training_steps=100"]
    agreeing = RunConfig(schedule={"name": "wsd", "params": {"num_training_steps": 80, "num_stable_steps": 50}},
                         epochs=80)
    alone = RunConfig(schedule={"name": "wsd", "params": {"num_stable_steps": 50}}, epochs=80)
    assert not [n for n in notes(agreeing) + notes(alone) if "num_stable_steps" in n]


def test_onecycle_given_a_total_and_a_pair_that_disagree_says_total_steps_counts():
    both = RunConfig(schedule={"name": "onecycle", "params": {"total_steps": 100, "epochs": 4, "steps_per_epoch": 20}},
                     epochs=100)
    assert ("total_steps=100 and epochs * steps_per_epoch = 80 are both given: total_steps is used, as torch's "
            "OneCycleLR does") in notes(both)
    pair = RunConfig(schedule={"name": "onecycle", "params": {"epochs": 4, "steps_per_epoch": 25}}, epochs=100)
    assert not [n for n in notes(pair) if "steps_per_epoch" in n]


async def test_the_help_gives_every_note_whole():
    """The notes box under the form shows two lines; ? shows each note whole."""
    from lrtui.plotting.terminal import Options
    from lrtui.ui.app import make_app
    from lrtui.ui.start import Start
    from tests.conftest import started

    config = RunConfig(schedule=S("chained", schedulers=[S("linear", start_factor=0.1, total_iters=5),
                                                         S("cosine", T_max=10)]), epochs=30)
    app = make_app(Start(config, Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("question_mark")
        text = " ".join(app.screen.text.split())
        assert "Notes on this run:" in text
        for note in notes(config):
            assert " ".join(note.split()) in text
