"""Where the CLI opens the app: lrtui presets, --preset, --load, and lrtui screenshot with them."""

import json
import re
import shutil
import subprocess

import pytest

from lrtui.cli import app_start, build_parser, main
from lrtui.presets import PRESETS, find
from lrtui.io.sessions import Session, save_session
from lrtui.plotting.terminal import Options
from lrtui.sim.config import RunConfig
from lrtui.ui.start import Start


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def start_of(*argv):
    parser, _ = build_parser()
    return app_start(parser.parse_intermixed_args(list(argv)))


def test_presets_lists_one_per_line_name_first(capsys):
    code, out, err = run(capsys, "presets")
    lines = out.splitlines()
    assert code == 0 and not err and len(lines) == len(PRESETS)
    assert [line.split()[0] for line in lines] == list(PRESETS)
    assert lines[0].startswith("T1-stability-ladder") and "R16-wsd-river-valley" in lines[-1]
    code, out, _ = run(capsys, "presets", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and rows[3]["name"] == "T4-robbins-monro" and rows[3]["runs"] == 6 and ".0005" in rows[3]["note"]


def test_preset_opens_its_run_and_pinned_runs():
    start = start_of("--preset", "t5")
    preset = find("T5")
    assert start == Start(preset.config, Options.from_environment(), pinned=preset.pinned, preset=preset)


def test_load_opens_a_saved_session(tmp_path):
    session = Session(RunConfig(schedule={"name": "step", "params": {"lr": 0.3}}, epochs=50),
                      (RunConfig(epochs=50),), 12, 0.01)
    path = save_session(session, tmp_path / "s.json")
    start = start_of("--load", str(path))
    assert (start.config, start.pinned, start.epoch, start.target_loss) == (
        session.config, session.pinned, 12, 0.01)


@pytest.mark.parametrize("argv, message", [
    (["--preset", "T99"], "lrtui: preset T99 is unknown (did you mean T9-linear-scaling?)"),
    (["--preset", "r2"], "lrtui: preset r2 is ambiguous"),
    (["--preset", "T1", "lr=3"], "lrtui: --preset sets the whole run: allowed no param=value pairs with it"),
    (["--preset", "T1", "--seed", "10"], "lrtui: --preset sets the whole run: allowed no --seed with it"),
    (["--preset", "R4", "--epochs", "0"], "lrtui: epochs=0 is not allowed"),
    (["--load", "x.toml", "--problem", "ravine"], "lrtui: --load sets the whole run: allowed no --problem with it"),
    (["--preset", "T1", "--load", "x.toml"], "lrtui: --preset and --load each set the whole run"),
    (["--load", "/nonexistent/x.toml"], "lrtui: session file /nonexistent/x.toml: cannot read it"),
    (["--load", "x.yaml"], "lrtui: session file x.yaml:"),
    (["screenshot", "--preset", "nope", "-o", "x.svg"], "lrtui: preset nope is unknown"),
])
def test_bad_starts_are_one_line_and_status_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and not out and err.startswith(message) and err.count("\n") == 1


def test_a_session_too_long_for_the_app_is_refused_at_the_door(capsys, tmp_path):
    path = save_session(Session(RunConfig(epochs=200_000)), tmp_path / "long.toml")
    code, _, err = run(capsys, "--load", str(path))
    assert code == 2 and "epochs=200000 is more than the app shows" in err


def test_screenshot_of_a_preset_and_of_a_session(capsys, tmp_path):
    out_svg = tmp_path / "t2.svg"
    code, out, err = run(capsys, "screenshot", "--preset", "T2", "-o", str(out_svg), "--size", "100x30")
    svg = out_svg.read_text()
    assert code == 0 and out.strip() == str(out_svg) and "landscape" in svg and "momentum=0.25" in svg
    path = save_session(Session(RunConfig(schedule={"name": "step", "params": {"lr": 0.3, "step_size": 7}}),
                                epoch=42), tmp_path / "s.toml")
    code, _, _ = run(capsys, "screenshot", "--load", str(path), "-o", str(out_svg), "--size", "100x30")
    svg = out_svg.read_text()
    assert code == 0 and "t=42/99" in svg.replace("&#160;", " ") and "lr:&#160;step" in svg


SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def test_a_screenshot_needs_nothing_from_the_internet(capsys, tmp_path):
    """Issue 28: Rich's SVG loaded Fira Code from a CDN; offline (a lab, a plane) it waited, then showed another
    font. The only address left is the SVG namespace; Rich's credit link is in a comment, never fetched."""
    out_svg = tmp_path / "shot.svg"
    code, _, _ = run(capsys, "screenshot", "-o", str(out_svg), "--size", "80x24", "--press", "right")
    svg = out_svg.read_text()
    assert code == 0 and "@font-face" not in svg
    assert re.findall(r"https?://[^\s\"')<>]+", re.sub(r"<!--.*?-->", "", svg, flags=re.S)) == [SVG_NAMESPACE]
    assert all(target.startswith("#") for target in re.findall(r"url\(([^)]*)\)", svg))  # (this file's clips)
    assert re.search(r"-matrix \{\s*font-family: \"Fira Code\", [^;]*monospace;", svg)  # installed, or the system's


@pytest.mark.skipif(not shutil.which("rsvg-convert"), reason="no rsvg-convert (apt-get install librsvg2-bin)")
def test_a_screenshot_renders_without_its_web_font(capsys, tmp_path):
    out_svg, png = tmp_path / "shot.svg", tmp_path / "shot.png"
    code, _, _ = run(capsys, "screenshot", "-o", str(out_svg), "--size", "80x24", "--press", "right")
    rendered = subprocess.run(["rsvg-convert", str(out_svg), "-o", str(png)], capture_output=True, text=True)
    assert code == 0 and rendered.returncode == 0 and rendered.stderr == ""
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 20_000  # (a blank one is ~10 KB)


def test_a_preset_scaled_to_other_epochs_keeps_its_shape():
    # GPT-3 (R6): cosine to 10% over 260 of 300 epochs, then flat: at 600 epochs the switch is at 520
    start = start_of("--preset", "R6", "--epochs", "600")
    config = start.config
    assert config.epochs == 600 and all(p.epochs == 600 for p in start.pinned)
    assert config.schedule["params"]["milestones"] == [520]
    original = find("R6").config
    from lrtui.sim.config import prepare

    lr_600 = prepare(config).schedule(list(range(0, 600, 2)))
    lr_300 = prepare(original).schedule(list(range(300)))
    assert max(abs(a - b) for a, b in zip(lr_600, lr_300)) < 0.02 * max(lr_300)  # the same curve, twice as long


def test_a_preset_scaled_to_a_length_in_its_own_units():
    # R6 runs 10 steps an epoch: 10k steps are 1000 epochs; R1's minibatches are the mlp's own (40 samples)
    assert start_of("--preset", "R6", "--epochs", "10k steps").config.epochs == 1000
    r1 = start_of("--preset", "R1", "--epochs", "36k samples").config
    assert r1.epochs == 36000 // (40 * 5)  # 5 minibatches of 40 an epoch


@pytest.mark.parametrize("argv, params", [
    (["--epochs", "200"], {"lr": 0.1, "T_max": 200}),  # the app's default cosine
    (["--schedule", "warmup_cosine", "--epochs", "200"], {"num_training_steps": 200}),
    (["--schedule", "onecycle", "--epochs", "50"], {"total_steps": 50}),
    (["--schedule", "onecycle", "--epochs", "200"], {"total_steps": 200}),  # longer than its default: was refused
    (["--schedule", "cosine", "--epochs", "2k samples", "--batch-size", "10"], {"T_max": 200}),  # a length with units
    (["--schedule", "cosine", "T_max=50", "--epochs", "200"], {"T_max": "50"}),  # typed: kept as typed
])
def test_the_apps_horizon_follows_the_run_length_unless_typed(argv, params):
    """Issue 13: a 200-epoch warmup_cosine with the default num_training_steps (100) climbed back to the
    peak; in the app a horizon left unset is the run's length, and no note is needed."""
    from lrtui.analysis.lint import notes
    from lrtui.sim.config import prepare

    parser, _ = build_parser()
    config = app_start(parser.parse_intermixed_args(argv)).config
    assert config.schedule["params"] == params
    if "T_max=50" not in argv:
        assert notes(config, prepare(config)) == []


@pytest.mark.parametrize("argv", [["--epochs", "-1"], ["--preset", "T5", "--epochs", "0"], ["--epochs", "200000"]])
def test_the_apps_length_is_refused_with_the_apps_own_range(capsys, argv):
    """Found by a newcomer: the same --epochs was refused with [1, 1000000], [1, 10000000] and [1, 100000]."""
    code, _, err = run(capsys, *argv)
    assert code == 2 and err.endswith("is not allowed: an integer in [1, 100000]\n"), err
