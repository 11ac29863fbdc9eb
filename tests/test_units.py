"""Time units: lengths in steps, samples and tokens become epochs (lrtui.sim.units), in the app and the CLI."""

import pytest

from lrtui.cli import main
from lrtui.params import ConfigError
from lrtui.sim.config import RunConfig, prepare
from lrtui.ui import fields as F
from lrtui.ui.app import make_app
from lrtui.ui.start import Start
from lrtui.plotting.terminal import Options
from lrtui.sim.units import Units
from tests.conftest import row, started


def test_gpt3_warmup_of_375m_tokens_is_715_steps():
    # Brown et al. 2020: warmup over 375M tokens; build-nanogpt at 2^19 tokens a step: 375e6 / 524288 = 715.3
    assert Units(tokens_per_step=2**19).to_epochs("num_warmup_steps", "375M tokens") == 715
    assert Units(tokens_per_step=2**19).to_epochs("num_training_steps", "10B tok") == round(10e9 / 2**19) == 19073


@pytest.mark.parametrize("units, text, epochs", [
    (Units(steps_per_epoch=10), "1000 steps", 100),
    (Units(steps_per_epoch=10), "1k steps", 100),
    (Units(steps_per_epoch=391, batch_size=128), "50000 samples", 1),  # CIFAR-10: 391 steps of 128 an epoch
    (Units(steps_per_epoch=391, batch_size=128), "5M samples", 100),  # 5e6 / (128 * 391) = 99.9
    (Units(), "7 epochs", 7),
    (Units(steps_per_epoch=4, tokens_per_step=1000), "2e6 tokens", 500),
])
def test_lengths_in_any_unit_become_whole_epochs(units, text, epochs):
    assert units.to_epochs("T_max", text) == epochs


def test_milestones_convert_one_by_one_and_plain_values_pass_through():
    units = Units(tokens_per_step=1000)
    assert units.to_epochs("milestones", "1M tok, 2M tok") == "1000,2000"
    assert units.to_epochs("T_max", "100") == "100" and units.to_epochs("T_max", 100) == 100
    assert units.to_epochs("lr", "abc") == "abc"  # not a length: the parameter's own parser answers


@pytest.mark.parametrize("units, name, text, message", [
    (Units(), "T_max", "3 tokens", "T_max=3 tokens is not allowed: tokens become epochs only with tokens_per_step set"),
    (Units(), "T_max", "3 samples", "samples become epochs only with batch_size set"),
    (Units(tokens_per_step=8), "T_mult", "2 tokens", "T_mult=2 tokens is not allowed: T_mult is not a length"),
])
def test_lengths_that_cannot_convert_are_one_line_errors(units, name, text, message):
    with pytest.raises(ConfigError, match=message) as info:
        units.to_epochs(name, text)
    assert "\n" not in str(info.value)


def test_the_horizon_in_every_known_unit():
    assert Units().describe(100) == "100 epochs" and not Units().known
    units = Units(steps_per_epoch=10, batch_size=64, tokens_per_step=2**19)
    assert units.describe(300) == "300 epochs = 3k steps = 192k samples = 1.57B tokens" and units.known


def test_the_form_shows_the_horizon_once_units_are_set_and_converts_typed_lengths():
    config = RunConfig(schedule={"name": "warmup_cosine", "params": {"lr": 6e-4, "num_training_steps": 1000}},
                       epochs=1000)
    assert F.HORIZON not in F.fields(prepare(config))
    by_key = {f.key: f for f in F.fields(prepare(config))}
    config = F.set_value(prepare(config), by_key["run.tokens_per_step"], "524288").config
    assert F.HORIZON in F.fields(prepare(config))
    assert F.text(prepare(config), F.HORIZON) == "524M tokens"
    config = F.set_value(prepare(config), by_key["schedule.num_warmup_steps"], "375M tokens").config
    assert config.schedule["params"]["num_warmup_steps"] == 715
    with pytest.raises(ConfigError, match="horizon only shows"):
        F.set_value(prepare(config), F.HORIZON, "5")


async def test_typing_a_length_with_a_unit_in_the_app():
    config = RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}, problem="quadratic",
                       steps_per_epoch=10, epochs=100)
    app = make_app(Start(config, Options()))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        horizon = row(app, "run.horizon")
        assert horizon.value == "1k steps" and not horizon.can_focus
        t_max = row(app, "schedule.T_max")
        t_max.focus()
        await pilot.press("enter", *"500 steps", "enter")
        assert app.config.schedule["params"]["T_max"] == 50
        await pilot.press("enter", *"5 tokens", "enter")
        assert app.config.schedule["params"]["T_max"] == 50 and "tokens_per_step" in t_max.message


def test_cli_takes_lengths_in_tokens(capsys):
    code = main(["curve", "warmup_cosine", "lr=6e-4", "num_warmup_steps=375M tokens", "num_training_steps=10B tokens",
                 "--tokens-per-step", "524288", "--epochs", "19073", "--format", "csv"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0 and out[716].split(",") == ["715", "0.0006"]  # the peak, at the end of the warmup
    code = main(["simulate", "--schedule", "cosine", "T_max=1k steps", "--steps-per-epoch", "10", "--epochs",
                 "2k steps", "--format", "json"])
    import json

    data = json.loads(capsys.readouterr().out)
    assert code == 0 and len(data["epoch"]) == 200
    assert main(["curve", "cosine", "T_max=3 tokens"]) == 2
    assert "--tokens-per-step on the command line" in capsys.readouterr().err


def test_a_data_problems_epoch_is_its_number_of_minibatches():
    # mlp: n = 200 samples in minibatches of 40: 5 steps an epoch; its batch size is the problem's own
    assert Units.of(prepare(RunConfig(problem="mlp"))) == Units(5, 40, None)
    with pytest.raises(ConfigError, match="batch_size=3 does not apply to mlp: its minibatch is problem.batch_size"):
        prepare(RunConfig(problem="mlp", batch_size=3))
    assert "run.batch_size" not in {f.key for f in F.fields(prepare(RunConfig(problem="mlp")))}


def test_lengths_too_long_to_count_are_refused():
    with pytest.raises(ConfigError, match="T_max=1e999 epochs is not allowed: a length of at most 10000000 epochs"):
        Units().to_epochs("T_max", "1e999 epochs")
    config = RunConfig(problem="quadratic")
    x0 = next(f for f in F.fields(prepare(config)) if f.key == "problem.x0")
    with pytest.raises(ConfigError, match=r"^problem\.x0=3 epochs is not allowed: x0 is not a length"):
        F.set_value(prepare(config), x0, "3 epochs")
