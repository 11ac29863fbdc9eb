"""The presets carry the settings of ../shared/teaching.md: every one runs, and the engine, run on a preset's
own configs, gives the scenario's numbers (teaching) or the recipe's shape (recipes).

tests/test_teaching.py checks the engine on the scenarios; these tests check that the *presets* hold the
right problem, start, optimizer, lr and length, so they read each number off a preset's runs. Stochastic
numbers are seed means over 100-200 seeds; teaching.md's are means over 500-2000 seeds given to two digits,
so the tolerance is five standard errors of the difference (ours and the table's) plus half a unit in the
table's last digit.
"""

import math
import re
from dataclasses import replace
from functools import cache

import numpy as np
import pytest

from lrtui import schedules
from lrtui.analysis.lint import notes, tokens_to_steps
from lrtui.params import ConfigError
from lrtui.presets import MAX_RUNS, PRESETS, Preset, find
from lrtui.analysis.range_test import range_test
from lrtui.sim.engine import simulate, simulate_many
from lrtui.sim.config import RunConfig, prepare
from tests.test_teaching import exact_schedule_free, exact_sgd

ALL = list(PRESETS.values())
SHARED = ("problem", "problem_params", "seed", "steps_per_epoch", "epochs", "plateau_metric")


def runs(preset: Preset) -> tuple[RunConfig, ...]:
    return (preset.config,) + preset.pinned


@cache
def traces(name: str) -> tuple:
    """The traces of a preset's config and pinned runs, simulated once per session."""
    return tuple(simulate_many(runs(PRESETS[name])))


def trace_of(name: str, schedule: dict | None = None, **fields) -> object:
    """The trace of the run of preset ``name`` whose schedule (and other fields) are as given."""
    preset = find(name)
    hits = [t for c, t in zip(runs(preset), traces(preset.name))
            if (schedule is None or c.schedule == schedule) and all(getattr(c, k) == v for k, v in fields.items())]
    assert len(hits) == 1, (name, schedule, fields)
    return hits[0]


def config_trace(name: str) -> object:
    """The trace of preset ``name``'s config (the run the app opens on)."""
    return traces(find(name).name)[0]


def lr_of(name: str, lr: float, **fields) -> object:
    """The trace of the run of preset ``name`` at the constant ``lr``."""
    return trace_of(name, {"name": "constant", "params": {"lr": lr}}, **fields)


def curve(config: RunConfig, epochs: int | None = None) -> np.ndarray:
    return schedules.from_spec(config.schedule)(np.arange(config.epochs if epochs is None else epochs))


def half_unit(text: str) -> float:
    """Half a unit in the last digit of a number as the table prints it ("0.0005" -> 5e-5)."""
    mantissa = text.lower().split("e")[0]
    exponent = int(text.lower().split("e")[1]) if "e" in text.lower() else 0
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 0.5 * 10.0 ** (exponent - decimals)


def seed_stats(config: RunConfig, seeds: int) -> tuple[np.ndarray, np.ndarray]:
    """Per epoch (the final loss appended), the seed mean of the loss and its standard error."""
    losses = np.array([np.r_[t.loss, t.final_loss]
                       for t in simulate_many([replace(config, seed=s, seeds=1) for s in range(seeds)])])
    return losses.mean(axis=0), losses.std(axis=0, ddof=1) / np.sqrt(seeds)


def assert_seed_means(mean, se, table: list[str], seeds: int) -> None:
    """Our seed means against teaching.md's (seed means of at least 500 seeds, printed to 1-2 digits)."""
    want = np.array([float(x) for x in table])
    tol = 5 * se * np.sqrt(1 + seeds / 500) + np.array([half_unit(x) for x in table])
    assert np.all(np.abs(mean - want) <= tol), (mean, want, tol)


# --- every preset -----------------------------------------------------------------------------------------

def test_names_kinds_and_the_full_set():
    assert len({p.name.lower() for p in ALL}) == len(ALL) and len({p.short.lower() for p in ALL}) == len(ALL)
    for p in ALL:
        assert re.fullmatch(r"(T\d+|R\d+[ab]?)-[a-z0-9-]+", p.name) and p.name == PRESETS[p.name].name
        assert p.kind == {"T": "teaching", "R": "recipe"}[p.name[0]]
        assert p.title and "\n" not in p.title and p.note
    assert [p.short for p in ALL if p.kind == "teaching"] == [f"T{i}" for i in range(1, 19)]
    assert [p.short for p in ALL if p.kind == "recipe"] == ["R1", "R2a", "R2b"] + [f"R{i}" for i in range(3, 17)]


@pytest.mark.parametrize("preset", ALL, ids=[p.short for p in ALL])
def test_every_run_prepares_and_simulates_quietly(preset):
    """Config, pinned runs and variants are valid and simulate with no warning (warnings are errors)."""
    for config in runs(preset) + tuple(preset.meta.get("variants", {}).values()):
        prepare(config)
    assert len(traces(preset.name)) == len(runs(preset))
    simulate_many(list(preset.meta.get("variants", {}).values()))


@pytest.mark.parametrize("preset", ALL, ids=[p.short for p in ALL])
def test_pinned_runs_share_the_problem_seed_and_length(preset):
    assert 1 + len(preset.pinned) <= MAX_RUNS == 6
    for pinned in preset.pinned:
        assert all(getattr(pinned, f) == getattr(preset.config, f) for f in SHARED), pinned
        assert pinned != preset.config
    assert len({repr(r) for r in runs(preset)}) == len(runs(preset))  # no run twice


@pytest.mark.parametrize("preset", ALL, ids=[p.short for p in ALL])
def test_no_unintended_pitfalls(preset):
    """lint finds nothing in a config; in a pinned run only where the preset shows the pitfall (R7)."""
    assert notes(preset.config) == []
    for pinned in preset.pinned:
        assert notes(pinned) == [] or (preset.short == "R7" and "overshooting the horizon" in notes(pinned)[0])


@pytest.mark.parametrize("preset", ALL, ids=[p.short for p in ALL])
def test_metadata(preset):
    meta = preset.meta
    assert meta["source"] and re.fullmatch(r"(\[[NVR][^\]]*\][ /]*)+.*", meta["flag"])
    assert meta["view"] in ("loss", "sharpness", "landscape", "range", "map")
    if preset.kind == "recipe":
        assert meta["unit"] in ("steps", "epochs", "tokens")
        assert {"length", "per_epoch", "peak_lr", "floor", "warmup", "phases", "optimizer"} <= set(meta)
        if meta["length"] is not None and meta["per_epoch"] is not None:  # the scaled run spans the real length
            assert preset.config.epochs * meta["per_epoch"] == pytest.approx(meta["length"])
    from lrtui.ui.widgets.board import COLUMNS

    assert set(meta.get("columns", ())) <= {header for header, _ in COLUMNS}  # a typo would keep nothing


# --- find -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, name", [
    ("t1", "T1-stability-ladder"), ("T1", "T1-stability-ladder"), ("T10", "T10-wsd-river-valley"),
    ("r4", "R4-noam"), ("R4-NOAM", "R4-noam"), (" r4-no ", "R4-noam"), ("t1-stab", "T1-stability-ladder"),
    ("r2b", "R2b-resnet-cifar"), ("R16", "R16-wsd-river-valley"),
])
def test_find_by_name_id_or_prefix_in_any_case(typed, name):
    assert find(typed).name == name


@pytest.mark.parametrize("typed, fragment", [
    ("r2", "preset r2 is ambiguous: allowed R2a-resnet-imagenet, R2b-resnet-cifar"),
    ("t99", "preset t99 is unknown"),
    ("T1-stability-ladr", "(did you mean T1-stability-ladder?)"),
    ("", "preset  is unknown"),
])
def test_find_rejects_unknown_and_ambiguous_names_in_one_line(typed, fragment):
    with pytest.raises(ConfigError) as info:
        find(typed)
    message = str(info.value)
    assert fragment in message and "\n" not in message and "allowed" in message
    if "unknown" in fragment:
        assert message.endswith(", ".join(PRESETS))


# --- teaching scenarios: the numbers of teaching.md ------------------------------------------------------

@pytest.mark.parametrize("lr, x1_4, x30", [
    (0.5, [0.5, 0.25, 0.125, 0.0625], 9.3e-10), (1.0, [0, 0, 0, 0], 0.0),
    (1.5, [-0.5, 0.25, -0.125, 0.0625], 9.3e-10), (1.9, [-0.9, 0.81, -0.729, 0.656], 4.2e-2),
    (2.0, [-1, 1, -1, 1], 1.0), (2.1, [-1.1, 1.21, -1.331, 1.4641], 17.4),
])
def test_t1_ladder(lr, x1_4, x30):
    t = lr_of("T1", lr)
    np.testing.assert_allclose(t.params[1:5, 0], x1_4, rtol=1e-3, atol=1e-15)
    assert abs(t.final_params[0]) == pytest.approx(x30, rel=1e-2, abs=1e-15)  # x30: after the 30 steps


def test_t1_variants():
    variants = find("T1").meta["variants"]
    for label, x10 in [("d2l f = x^2, x0 = 10, lr 0.2", 0.0605), ("d2l lr 0.05 (too slow)", 3.487),
                       ("d2l lr 1.1 (diverges)", 61.9)]:
        assert abs(simulate(variants[label]).final_params[0]) == pytest.approx(x10, rel=2e-3)
    assert simulate(variants["lr 2.5: fast divergence"]).diverged_at == 18  # the engine's 1e6 x start rule


@pytest.mark.parametrize("lr, optimizer, momentum, x20, f20", [
    (0.4, "sgd", None, (-0.94, -1e-4), 0.089), (0.5, "sgd", None, (None, -2.0), 8.04),
    (0.6, "sgd", None, (None, -1673), 5.6e6), (0.6, "momentum", 0.5, (0.007, 0.003), 1.8e-5),
    (0.6, "momentum", 0.25, (-0.13, -0.19), 0.071), (0.4, "momentum", 0.9, (-1.45, 0.72), 1.24),
])
def test_t2_ravine(lr, optimizer, momentum, x20, f20):
    t = lr_of("T2", lr, optimizer=optimizer, optimizer_params={} if momentum is None else {"momentum": momentum})
    assert t.final_loss == pytest.approx(f20, rel=0.02)
    for got, want in zip(t.final_params, x20):
        if want is not None:
            assert got == pytest.approx(want, rel=0.05, abs=6e-4)


@pytest.mark.parametrize("lr, theory, simulated", [(0.5, "0.1667", "0.1669"), (0.1, "0.0263", "0.0262"),
                                                   (0.01, "0.00251", "0.00248")])
def test_t3_noise_floor(lr, theory, simulated):
    config = find("T3").config if lr == 0.1 else lr_of("T3", lr).config
    assert config.schedule["params"]["lr"] == lr and config.problem_params["noise"] == 1.0
    predicted = prepare(config).problem.noise_floor(prepare(config).problem_params, [lr])[0]  # the plotted line
    assert predicted == pytest.approx(float(theory), abs=half_unit(theory))
    seeds = 200
    runs = simulate_many([replace(config, seed=s, seeds=1) for s in range(seeds)])
    tails = np.array([t.loss[1000:].mean() for t in runs])
    mean, se = tails.mean(), tails.std(ddof=1) / np.sqrt(seeds)
    assert abs(mean - predicted) <= 5 * se
    assert_seed_means(np.array([mean]), np.array([se]), [simulated], seeds)


T4 = {  # schedule name (and a parameter) -> mean loss at steps 100, 500, 1000, 2000
    ("inverse_time", 0.1): ["0.089", "0.0049", "0.0015", "0.0005"],
    ("constant", 0.1): ["0.027", "0.026", "0.027", "0.026"],
    ("constant", 0.01): ["1.68", "0.0029", "0.0024", "0.0025"],
    ("exponential", 0.1): ["0.218", "0.213", "0.213", "0.213"],
    ("multistep", 0.1): ["0.026", "0.026", "0.0026", "0.00058"],
    ("cosine", 0.1): ["0.026", "0.023", "0.012", "0.0012"],
}


@pytest.mark.parametrize("config", runs(find("T4")), ids=[c.schedule["name"] for c in runs(find("T4"))])
def test_t4_robbins_monro(config):
    assert (config.problem_params, config.epochs) == ({"L": 1.0, "x0": 5.0, "noise": 1.0}, 2000)
    mean, se = seed_stats(config, 200)
    at = [100, 500, 1000, 2000]  # index 2000 is the final loss, after the last step
    assert_seed_means(mean[at], se[at], T4[config.schedule["name"], config.schedule["params"]["lr"]], 200)


def test_t4_sums_of_lr():
    sums = {c.schedule["name"]: curve(c).sum() for c in runs(find("T4"))}
    assert sums == pytest.approx({"inverse_time": 5.35, "constant": 20.0, "exponential": 2.0, "multistep": 56.0,
                                  "cosine": 100.0}, rel=0.01)  # constant: the 0.01 run (0.1's 200 is overwritten)


@pytest.mark.parametrize("schedule, f30", [
    ({"name": "linear", "params": {"lr": 1.5, "start_factor": 1 / 50, "total_iters": 49}}, 1.1e-21),
    ({"name": "linear", "params": {"lr": 0.5, "start_factor": 1 / 20, "total_iters": 19}}, 6.7e-13),
    ({"name": "linear", "params": {"lr": 1.0, "start_factor": 1 / 50, "total_iters": 49}}, 9.1e-12),
    ({"name": "linear", "params": {"lr": 1.9, "start_factor": 1 / 100, "total_iters": 99}}, 4.6e-11),
    ({"name": "constant", "params": {"lr": 0.275}}, 7.3e-9),
])
def test_t5_warmup_rescue(schedule, f30):
    t = trace_of("T5", schedule)
    assert t.config.epochs == 30 and t.final_loss == pytest.approx(f30, rel=0.02)
    if schedule["params"]["lr"] == 1.5:
        assert t.loss[10] == pytest.approx(7.3e-3, rel=0.01) and t is config_trace("T5")
        assert t.sharpness[0] == pytest.approx(19.75) and 2 / t.sharpness[0] == pytest.approx(0.10, abs=0.002)


def test_t5_constant_above_0_3_diverges_within_4_steps():
    assert lr_of("T5", 0.3).diverged_at <= 4


@pytest.mark.parametrize("lr, max_loss, final_sharpness", [(0.05, 0.13, 6.54), (0.3, 0.23, 5.61), (0.5, 3.78, 2.45)])
def test_t6_catapult(lr, max_loss, final_sharpness):
    t = lr_of("T6", lr)
    assert np.max(t.loss[1:]) == pytest.approx(max_loss, abs=0.005)
    assert t.sharpness[-1] == pytest.approx(final_sharpness, rel=0.01)
    assert lr_of("T6", 0.7).diverged_at is not None


def test_t6_variants():
    variants = find("T6").meta["variants"]
    t = simulate(variants["init (3.0, 0.05), lr 0.4: catapult"])
    assert np.max(t.loss) == pytest.approx(9.4, rel=0.01) and t.sharpness[-1] == pytest.approx(2.0, rel=0.01)
    assert simulate(variants["init (3.0, 0.05), lr 0.6: diverges"]).diverged_at is not None


def test_t7_large_lr_phases_end_in_the_flat_minimum():
    p = find("T7")
    sharp, flat = 1.999, -1.860
    for config, t in zip(runs(p), traces(p.name)):
        lr = config.schedule["params"]["lr"]
        if config.schedule["name"] == "constant" and lr < 0.02:
            assert (t.final_params[0] == pytest.approx(sharp, abs=2e-3)
                    and t.final_loss == pytest.approx(-0.954, abs=1e-3))
        elif config.schedule["name"] == "constant" and lr == 0.05:
            assert 1.5 < t.final_params[0] < 2.3 and abs(t.final_params[0] - sharp) > 0.05  # still wandering
        else:
            assert (t.final_params[0] == pytest.approx(flat, abs=2e-3)
                    and t.final_loss == pytest.approx(-1.126, abs=1e-3))
    variants = p.meta["variants"]
    assert simulate(variants["constant 0.015 (stays sharp)"]).final_params[0] == pytest.approx(sharp, abs=2e-3)
    assert simulate(variants["warmup 50 + cosine"]).final_params[0] == pytest.approx(flat, abs=2e-3)


def test_t8_range_test_numbers_and_runs():
    p = find("T8")
    r = range_test(p.config, **p.meta["range_test"])
    ramp = np.geomspace(1e-4, 10, 100)
    assert r.stable_limit == pytest.approx(0.2)
    assert r.lr[int(np.argmin(r.loss))] == pytest.approx(0.87, rel=0.01)
    assert r.lr[np.nonzero(np.diff(r.loss) > 0)[0][0] + 1] == pytest.approx(0.98, rel=0.01)
    assert ramp[r.stopped_at] == pytest.approx(1.38, rel=0.01)
    assert r.suggestions["minimum/10"] == pytest.approx(0.087, rel=0.01)
    assert r.suggestions["steepest"] == pytest.approx(0.135, rel=0.01)
    assert lr_of("T8", 0.87).diverged_at is not None  # the min-loss point, ~4x the limit
    assert lr_of("T8", 0.087).diverged_at is None and lr_of("T8", 0.135).diverged_at is None
    edge = lr_of("T8", 0.2)  # the limit: x1 = 1, -1, 1, ... never leaves, so the loss never drops below 10/2
    assert np.all(edge.loss >= 5.0) and edge.final_params[0] == pytest.approx(1.0)
    noisy = p.meta["variants"]["noise 0.3 (the test stops earlier)"]
    stops = [ramp[range_test(replace(noisy, seed=s), **p.meta["range_test"]).stopped_at] for s in range(8)]
    assert 0.3 < np.median(stops) < 0.8  # the table's run: 0.49


T9 = {8: "0.00193", 16: "0.00193", 32: "0.00191", 64: "0.00249", 128: "0.00314", 256: "0.00809"}


def t9_runs() -> dict[int, RunConfig]:
    p = find("T9")
    out = {8: p.config}
    for config in p.meta["variants"].values():
        out[round(config.problem_params["noise"] ** -2)] = config
    return out


def test_t9_settings_follow_the_sample_budget():
    for batch, config in t9_runs().items():
        assert config.schedule["params"]["lr"] == pytest.approx(0.05 * batch / 8)
        assert config.epochs * config.steps_per_epoch == 4000 * 8 // batch  # steps for 32000 samples
        assert config.problem == "nqm" and config.problem_params["x0"] == 1.0
    assert simulate(t9_runs()[512]).diverged_at is not None  # lr 3.2 > 2 / lambda_max


@pytest.mark.parametrize("batch", list(T9))
def test_t9_linear_scaling(batch):
    config = t9_runs()[batch]
    lam = np.array([1.0, 0.1, 0.01])
    lr, steps = config.schedule["params"]["lr"], config.epochs * config.steps_per_epoch
    m, v = np.ones(3), np.zeros(3)
    for _ in range(steps):  # the exact expectation: mean and variance per coordinate
        m, v = (1 - lr * lam) * m, (1 - lr * lam) ** 2 * v + lr**2 * lam / batch
    exact = np.sum(lam * (m**2 + v)) / 2
    assert exact == pytest.approx(float(T9[batch]), rel=0.15)  # the table's seed means (>= 500 seeds)
    mean, se = seed_stats(config, 200)
    assert abs(mean[-1] - exact) <= 5 * se[-1]


T10 = {  # mean loss at steps 1000, 2000, 2700, 2800, 2900, 3000
    ("wsd", 300): [".44", ".47", ".46", ".24", ".09", ".015"],
    ("constant", None): [".47", ".50", ".46", ".47", ".47", ".43"],
    ("wsd", 75): [".50", ".47", ".45", ".41", ".44", ".026"],
    ("wsd", 600): [".47", ".47", ".08", ".05", ".02", ".0074"],
    ("warmup_cosine", None): [".32", ".07", ".011", ".007", ".005", ".005"],
}


@pytest.mark.parametrize("config", runs(find("T10")), ids=[c.schedule["name"] for c in runs(find("T10"))])
def test_t10_river_valley(config):
    assert (config.problem, config.problem_params, config.epochs) == (
        "river_valley", {"x0": 0.0, "y0": 0.0, "noise": 3.0}, 3000)
    prepared = prepare(config)
    assert prepared.problem.noise_floor(prepared.problem_params, [0.1])[0] == pytest.approx(0.45, abs=0.005)
    mean, se = seed_stats(config, 100)
    at = [1000, 2000, 2700, 2800, 2900, 3000]
    assert_seed_means(mean[at], se[at], T10[config.schedule["name"], config.schedule["params"].get("num_decay_steps")],
                      100)


def test_t11_plateau_drops():
    def drops(t):
        return [int(e) * t.steps_per_epoch for e in np.nonzero(np.diff(t.lr) < 0)[0] + 1]

    p = find("T11")
    config, held = traces(p.name)
    assert drops(config)[:4] == [700, 1400, 1700, 2000] and len(drops(config)) > 4  # and it keeps decaying
    assert drops(held) == [700, 1400] and held.lr[-1] == pytest.approx(1e-3)
    every_step = simulate(p.meta["variants"]["every step, patience 10"])
    assert int(np.argmax(every_step.lr <= 1.0001e-6)) == 82  # 0.1 -> 1e-6 by step 82


@pytest.mark.parametrize("schedule, f", [
    ({"name": "constant", "params": {"lr": 1e-3}}, 3e-8), ({"name": "constant", "params": {"lr": 1.5e-3}}, 7.8e-12),
    ({"name": "constant", "params": {"lr": 2e-3}}, 1.3e-3),
    ({"name": "warmup_constant", "params": {"lr": 1.9e-3, "num_warmup_steps": 500}}, 2.4e-14),
])
def test_t12_rosenbrock(schedule, f):
    assert trace_of("T12", schedule).final_loss == pytest.approx(f, rel=0.06)


def test_t12_edge_and_divergence():
    hover = config_trace("T12")
    assert hover.config.schedule["params"]["lr"] == 2e-3
    assert np.all(np.diff(np.sign(hover.params[-100:, 0] - 1)) != 0)  # a period-2 orbit around x = 1
    assert hover.sharpness[0] == pytest.approx(2092, rel=1e-3)
    assert lr_of("T12", 2.1e-3).diverged_at == 7
    assert lr_of("T12", 1e-3).sharpness[-1] == pytest.approx(1001.6, rel=1e-3)


def test_t13_beale():
    assert trace_of("T13", optimizer="momentum").diverged_at <= 3
    assert lr_of("T13", 1e-3, optimizer="sgd").diverged_at <= 1
    slow = lr_of("T13", 1e-4, optimizer="sgd")
    assert slow.final_loss == pytest.approx(0.035, rel=0.02)
    np.testing.assert_allclose(slow.final_params, [2.62, 0.39], atol=0.005)


def test_t14_noam_arithmetic():
    config = find("T14").config
    lr = schedules.from_spec(config.schedule)(np.array([100, 4000, 100_000]))
    np.testing.assert_allclose(lr, [1.75e-5, 6.99e-4, 1.40e-4], rtol=3e-3)
    full = curve(config)
    assert int(np.argmax(full)) == 4000
    assert (config.optimizer, config.optimizer_params) == ("adam", {"beta1": 0.9, "beta2": 0.98, "eps": 1e-9})


def test_t15_momentum_rings_within_the_d2l_bound():
    p = find("T15")
    ringing, gd = trace_of("T15", optimizer_params={"momentum": 0.99}), trace_of("T15", optimizer="sgd")
    assert p.config.schedule["params"]["lr"] == 0.02
    assert ringing.stability_bound[0] == pytest.approx((2 + 2 * 0.99) / 4)  # lr lambda_max < 2 + 2 momentum
    crossings = np.sum(np.diff(np.sign(ringing.params[:, 0])) != 0)
    assert crossings >= 10 and np.any(np.diff(ringing.loss) > 0)  # momentum's own oscillations
    assert np.all(np.diff(np.abs(gd.params[:, 0])) < 0)  # GD crawls along the flat direction, never crossing


async def test_t15_opens_on_distills_map_with_its_stability_line_and_critical_damping():
    """Issue 27: the momentum map on the ravine (lambda_max 4), its edge where 2(1+beta)/4 puts it."""
    from lrtui.plotting.map_text import damping_rows, edge_columns
    from lrtui.plotting.terminal import Options
    from lrtui.ui.app import make_app
    from lrtui.ui.screenshot import settle
    from lrtui.ui.start import Start
    from tests.conftest import started

    p = find("T15")
    app = make_app(Start(p.config, Options(), pinned=p.pinned, preset=p))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await settle(app, pilot)
        assert app.view == "map"
        found = app.run_display.views["map"].result(app._run())
        assert found.y.field == "optimizer.momentum" and found.lambda_max == pytest.approx(4.0)
        edges = found.x.edges()
        for row, column in enumerate(edge_columns(found)):
            assert edges[column] <= (2 + 2 * found.y.values[row]) / 4 < edges[column + 1]
        assert sum(r is not None for r in damping_rows(found)) > len(found.x.values) // 3


# T16, T17: exact expected losses (tests/test_teaching.py's recursions: SGD's per-coordinate mean and variance,
# schedule-free's (x, z) means and covariance).

NQM = ((1.0, 0.1, 0.01), (1.0, 1.0, 1.0), (1.0, np.sqrt(0.1), 0.1))  # curvatures, start, noise 1 x sqrt(lambda)


def t16_exact(config: RunConfig, lr_scale: float = 1.0) -> np.ndarray:
    lrs = lr_scale * curve(config)
    return exact_schedule_free(lrs, *NQM) if config.optimizer == "schedulefree_sgd" else exact_sgd(lrs, *NQM)


T16 = {  # (optimizer, schedule, planned steps): expected loss at steps 500, 1000, 1500, 2000 as the note gives it
    ("schedulefree_sgd", "constant", None): [".0093", ".0057", ".0038", ".0028"],
    ("sgd", "constant", None): [".031", ".030", ".029", ".029"],
    ("sgd", "polynomial", 2000): [".024", ".016", ".0083", ".0029"],
    ("sgd", "polynomial", 1000): [".017", ".0049", ".0049", ".0049"],
    ("sgd", "polynomial", 4000): [".027", ".022", ".018", ".015"],
    ("sgd", "cosine", None): [".027", ".016", ".0057", ".0025"],
}


def _t16_key(config: RunConfig) -> tuple:
    return config.optimizer, config.schedule["name"], config.schedule["params"].get("total_iters")


@pytest.mark.parametrize("config", runs(find("T16")), ids=lambda c: "-".join(map(str, _t16_key(c))))
def test_t16_every_run_gives_the_notes_expected_loss(config):
    """The note's numbers are the exact expectation (to its digits), and 200 seeds' means agree with it."""
    assert (config.problem, config.problem_params, config.epochs) == ("nqm", {"x0": 1.0, "noise": 1.0}, 2000)
    assert config.schedule["params"]["lr"] == 0.1
    at = [500, 1000, 1500, 2000]
    exact = t16_exact(config)
    table = T16[_t16_key(config)]
    assert np.all(np.abs(exact[at] - [float(x) for x in table]) <= [half_unit(x) for x in table]), exact[at]
    mean, se = seed_stats(config, 200)
    assert np.all(np.abs(mean[at] - exact[at]) <= 5 * se[at]), (mean[at], exact[at])


def test_t16_schedule_free_is_near_the_decay_that_ends_where_it_is_stopped():
    """Without a horizon, schedule-free is within 20% of the decay that ends at step 1000 and of the one that ends
    at 2000, each at its own end; 10x under constant SGD at the same lr; a decay planned 2x too long is 5x worse."""
    p = find("T16")
    free = t16_exact(p.config)
    by = {_t16_key(c): t16_exact(c) for c in p.pinned}
    assert abs(free[2000] / by["sgd", "polynomial", 2000][2000] - 1) < 0.05
    assert abs(free[1000] / by["sgd", "polynomial", 1000][1000] - 1) < 0.2
    assert by["sgd", "constant", None][2000] > 10 * free[2000]
    assert by["sgd", "polynomial", 4000][2000] > 5 * free[2000]
    assert free[500] < 0.6 * min(e[500] for e in by.values())  # anytime: well ahead of every decay early
    window = slice(1800, 2001)  # the scoreboard's final: the last 10%
    assert [round(free[window].mean(), 4), round(by["sgd", "polynomial", 2000][window].mean(), 4),
            round(by["sgd", "cosine", None][window].mean(), 4)] == [0.003, 0.0035, 0.0026]


@pytest.mark.parametrize("key, lr, final", [(("sgd", "polynomial", 2000), 0.11, 0.0028),
                                             (("schedulefree_sgd", "constant", None), 0.15, 0.0026),
                                             (("sgd", "cosine", None), 0.14, 0.0024)])
def test_t16_each_at_its_best_lr(key, lr, final):
    """The note's tuned numbers: each run's final expected loss at its best lr, a minimum (0.8x and 1.25x worse)."""
    config = next(c for c in runs(find("T16")) if _t16_key(c) == key)
    at = {scale: t16_exact(config, scale * lr / 0.1)[-1] for scale in (0.8, 1.0, 1.25)}
    assert at[1.0] == pytest.approx(final, abs=5e-5) and at[1.0] < min(at[0.8], at[1.25])


RIVER = ((0.02, 10.0), (-10.0, 0.0), (0.3, 3.0))  # curvatures, start (x - 10, y), noise


def test_t17_cooldown_shapes():
    """Expected final loss and last-10% mean (exact) as the note gives them; 200 seeds' means agree with them;
    over the same seeds 1-sqrt ends lower than linear in 50-70% of them, and the 16-seed means mostly."""
    p = find("T17")
    table = {(600, "1-sqrt"): (".0075", ".037"), (600, "linear"): (".0099", ".071"), (300, "1-sqrt"): (".0103", ".106"),
             (300, "linear"): (".0137", ".178"), (600, "cosine"): (".0068", ".053")}
    finals = {}
    for config in runs(p):
        params = config.schedule["params"]
        key = (params["num_decay_steps"], params["decay_type"])
        assert (config.problem, config.epochs, params["lr"]) == ("river_valley", 3000, 0.1)
        assert params["num_warmup_steps"] == 0 and config.problem_params == {"x0": 0.0, "y0": 0.0, "noise": 3.0}
        exact = exact_sgd(curve(config), *RIVER)
        final, window = table[key]
        assert abs(exact[-1] - float(final)) <= half_unit(final)
        if window:
            assert abs(exact[2701:].mean() - float(window)) <= half_unit(window)
        traces = simulate_many([replace(config, seed=s, seeds=1) for s in range(200)])
        finals[key] = np.array([t.final_loss for t in traces])
        assert abs(finals[key].mean() - exact[-1]) <= 5 * finals[key].std(ddof=1) / np.sqrt(200)
    for length in (600, 300):
        lower = finals[length, "1-sqrt"] < finals[length, "linear"]
        assert 0.5 < lower.mean() < 0.7
        groups = (finals[length, "1-sqrt"][:192].reshape(12, 16).mean(1) < finals[length, "linear"][:192]
                  .reshape(12, 16).mean(1))
        assert groups.mean() >= 0.75


def test_t18_the_same_target_lr_diverges_without_warmup_and_converges_with_ten_epochs_of_it():
    runs = traces(find("T18").name)  # the run (warmup 10), then warmup 0 and 5
    assert [t.config.schedule["params"]["warmup"] for t in runs] == [10, 0, 5]
    assert runs[0].diverged_at is None and runs[0].final_loss < 1e-60
    assert [t.diverged_at for t in runs[1:]] == [2, 4]


async def test_t18_opens_on_the_warmup_map_where_the_stable_lr_grows_with_warmup_up_to_2_over_lambda_min():
    """Issue 27 (Kalra and Barkeshli 2024): over (lr, warmup) the largest converging lr of a row grows with the
    warmup, from below 0.3 without it (constant lr >= 0.3 diverges from x0 = 2.5: T5) to just under 2/lambda
    at the minimum, 2 (f'' = 1 there: no warmup takes a run past it)."""
    from lrtui.plotting.terminal import Options
    from lrtui.ui.app import make_app
    from lrtui.ui.screenshot import settle
    from lrtui.ui.start import Start
    from tests.conftest import started

    p = find("T18")
    app = make_app(Start(p.config, Options(), pinned=p.pinned, preset=p))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await settle(app, pilot)
        found = app.run_display.views["map"].result(app._run())
        assert app.view == "map" and found.y.field == "schedule.warmup"
        assert found.y.values[[0, -1]].tolist() == [0, 40] and found.x.values[-1] == pytest.approx(3)
        largest = [found.x.values[row == 0].max() for row in found.kind]  # (0: converges)
        assert largest == sorted(largest)  # a longer warmup never allows less
        assert largest[0] < 0.3 and 1.7 < largest[-1] < 2.0
        # the newcomer's try: opened on its map, it was drawn for a guessed panel (42x5 cells in the corner of
        # a 120x40 terminal) until m was pressed twice; it fills the panel laid out, and follows a resize
        assert (len(found.x.values), len(found.y.values)) == app.run_display.text_cells() == (80, 24)
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        await settle(app, pilot)
        resized = app.run_display.views["map"].result(app._run())
        assert (len(resized.x.values), len(resized.y.values)) == app.run_display.text_cells() != (80, 24)


# --- recipes: the published shapes -----------------------------------------------------------------------

def test_r1_alexnet_drops_three_times():
    t = traces(find("R1").name)[0]
    assert t.config.schedule["name"] == "plateau" and t.config.plateau_metric == "heldout"
    levels = sorted(set(np.round(t.lr, 12)), reverse=True)
    np.testing.assert_allclose(levels, [0.01, 1e-3, 1e-4, 1e-5])
    assert t.config.optimizer_params == {"momentum": 0.9, "weight_decay": 5e-4}


def test_r2_resnet():
    lr = curve(find("R2a").config)
    assert len(lr) == 90 and [lr[29], lr[30], lr[59], lr[60], lr[89]] == pytest.approx([0.1, 0.01, 0.01, 1e-3, 1e-3])
    p = find("R2b")
    lr, warm = curve(p.config), curve(p.pinned[0])
    iters = p.meta["per_epoch"]
    assert [32_000 / iters, 48_000 / iters, p.config.epochs * iters] == [80, 120, 64_000]
    assert [lr[79], lr[80], lr[119], lr[120]] == pytest.approx([0.1, 0.01, 0.01, 1e-3])
    assert warm[0] == pytest.approx(0.01) and np.array_equal(warm[1:], lr[1:])  # ResNet-110: 0.01 for 400 iterations


def test_r3_goyal():
    p = find("R3")
    lr = curve(p.config)
    assert p.meta["peak_lr"] == 0.1 * 8192 / 256
    assert lr[0] == pytest.approx(0.1) and lr[5] == pytest.approx(3.2)
    assert np.all(np.diff(lr[:6]) > 0)  # gradual warmup over 5 epochs
    assert [lr[29], lr[30], lr[60], lr[80]] == pytest.approx([3.2, 0.32, 0.032, 0.0032])


def test_r4_noam_at_the_scaled_warmup():
    p = find("R4")
    warmup = p.config.schedule["params"]["num_warmup_steps"]
    assert warmup / p.config.epochs == 4000 / 100_000
    t = np.arange(1, p.config.epochs)
    np.testing.assert_allclose(curve(p.config)[1:], 512**-0.5 * np.minimum(t**-0.5, t * warmup**-1.5), rtol=1e-12)
    assert curve(p.config).max() == pytest.approx(512**-0.5 * warmup**-0.5)
    assert p.meta["peak_lr"] == pytest.approx(6.99e-4, rel=1e-3)
    assert p.config.optimizer_params == {"beta1": 0.9, "beta2": 0.98, "eps": 1e-9}


def test_r5_bert():
    p = find("R5")
    lr = curve(p.config, p.config.epochs + 1)
    assert int(np.argmax(lr)) / p.config.epochs == 10_000 / 1_000_000
    assert lr[-1] == 0.0 and np.all(np.diff(lr[3:]) < 0)  # linear decay to 0
    assert p.config.optimizer_params["beta2"] == 0.999


def test_r6_gpt3():
    p = find("R6")
    lr, peak = curve(p.config), p.config.schedule["params"]["lr"]
    assert lr[0] == 0 and lr[1] == pytest.approx(peak)  # the 0.375B-token warmup within the first 1B-token epoch
    assert np.all(np.diff(lr[1:261]) < 0) and lr[259] == pytest.approx(0.1 * peak, rel=1e-3)  # cosine to 10% at 260B
    np.testing.assert_allclose(lr[260:], 0.1 * peak)  # then 10% to 300B
    assert tokens_to_steps(375e6, p.meta["tokens_per_step"]) == 715
    nano = curve(p.pinned[0])
    assert int(np.argmax(nano)) / 300 == pytest.approx(715 / 19_073, abs=0.5 / 300)
    assert nano[-1] == pytest.approx(0.1 * peak, rel=1e-3)
    assert p.config.optimizer_params == {"beta1": 0.9, "beta2": 0.95, "eps": 1e-8, "weight_decay": 0.0}


def test_r7_chinchilla():
    p = find("R7")
    lr, peak = curve(p.config, p.config.epochs + 1), p.config.schedule["params"]["lr"]
    assert lr[-1] == pytest.approx(0.1 * peak)  # 10x down, exactly at the end of training
    overshoot = [c.schedule["params"]["T_max"] / p.config.epochs for c in p.pinned]
    assert overshoot == [1.25, 2.0] and all(curve(c)[-1] > 0.1 * peak * 1.05 for c in p.pinned)


def test_r8_llama():
    p = find("R8")
    lr, peak = curve(p.config, p.config.epochs + 1), p.config.schedule["params"]["lr"]
    assert int(np.argmax(lr)) == 2 == round(2000 / 250_000 * p.config.epochs)
    assert lr[-1] == pytest.approx(0.1 * peak)
    assert p.config.optimizer_params["beta2"] == 0.95


def test_r9_sgdr_restarts():
    p = find("R9")
    lr = curve(p.config)
    restarts = [int(t) for t in np.nonzero(np.diff(lr) > 0)[0] + 1]
    assert restarts == [10, 30, 70] and lr[0] == 0.05 and lr[9] < 0.01  # and 150 is the run's end
    np.testing.assert_allclose(curve(p.pinned[0])[[1, 3, 7, 15, 31, 63, 127]], 0.05)  # T_0 = 1: restarts at 2^k - 1


def test_r10_one_cycle():
    p = find("R10")
    torch_lr, fastai_lr = curve(p.config), curve(p.pinned[0])
    assert torch_lr[0] == pytest.approx(3.0 / 25) and torch_lr.max() == pytest.approx(3.0)
    assert int(np.argmax(torch_lr)) == 29 and int(np.argmax(fastai_lr)) == 24  # pct_start 0.3 and 0.25
    assert torch_lr[-1] == pytest.approx(3.0 / 25 / 1e4) and fastai_lr[-1] == pytest.approx(3.0 / 1e5)


def test_r11_clr_stepsize():
    p = find("R11")
    for config in runs(p):
        assert 2 <= config.schedule["params"]["step_size_up"] <= 10  # 2-10 epochs of iterations
    lr = curve(p.config)
    assert lr.min() == pytest.approx(0.1) and lr.max() == pytest.approx(1.0) and lr[10] == pytest.approx(0.1)


def test_r12_minicpm_exponential_decay():
    p = find("R12")
    lr = curve(p.config)
    decay = 30
    assert decay / p.config.epochs == 0.10 and np.all(lr[:270] == 0.1)
    half_life = decay / 6
    np.testing.assert_allclose(lr[270:], 0.1 * 0.5 ** ((np.arange(270, 300) - 270) / half_life))
    short = curve(p.pinned[0])
    assert np.all(short[:292] == 0.1) and (300 - 292) / 300 == pytest.approx(0.025, abs=0.002)


def test_r13_one_minus_sqrt_cooldown():
    p = find("R13")
    lr = curve(p.config, 301)
    assert np.all(lr[:240] == 0.1) and lr[255] == pytest.approx(0.1 * (1 - math.sqrt(0.25))) and lr[300] == 0
    assert curve(p.pinned[0], 301)[270] == pytest.approx(0.05)  # linear, 20%


def test_r14_deepseek_multistep():
    p = find("R14")
    lr, peak = curve(p.config), p.config.schedule["params"]["lr"]
    assert lr[3] == pytest.approx(peak) and lr[239] == pytest.approx(peak)
    assert lr[240] / peak == pytest.approx(0.316, abs=5e-4) and 240 / 300 == 0.8
    assert lr[270] / peak == pytest.approx(0.1) and 270 / 300 == 0.9


def test_r15_feature_denoising():
    p = find("R15")
    lr, warm = curve(p.config), curve(p.pinned[0])
    assert len(lr) == 110 and [int(t) for t in np.nonzero(np.diff(lr) < 0)[0] + 1] == [35, 70, 95]
    assert warm[0] == pytest.approx(0.1) and warm[5] == pytest.approx(0.4)  # Goyal's warmup when lr > 0.1


def test_r16_wsd_s_resumes_at_the_peak():
    p = find("R16")
    lr = curve(p.config)
    assert lr[90] == 0.1 and lr[99] < 0.02 and lr[100] == 0.1 and lr[199] < 0.02 and lr[200] == 0.1
    assert np.all(lr[:90] == 0.1)  # each cycle decays over its last 10%


def test_language_model_recipes_run_on_the_valley_for_3000_steps():
    for p in ALL:
        if p.kind == "recipe" and p.config.problem == "river_valley":
            assert (p.config.epochs, p.config.steps_per_epoch) == (300, 10)


async def test_a_preset_whose_losses_differ_on_a_log_scale_opens_on_one():
    """The newcomer's try: T16 opened on a linear loss plot where every curve lay on 0 (its lesson is .0028
    against .029); meta["log"] opens it on a log scale, at start and from the palette, and another preset
    opened after it sets the scale back."""
    from lrtui.plotting.terminal import Options
    from lrtui.ui.app import make_app
    from lrtui.ui.start import Start
    from tests.conftest import started

    for name in ("T16", "T17"):
        assert find(name).meta["log"] == ("loss",)
    assert all(set(p.meta.get("log", ())) <= {"loss", "lr"} for p in PRESETS.values())
    p = find("T16")
    app = make_app(Start(p.config, Options(), pinned=p.pinned, preset=p))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        assert app.runs.log_scale == {"lr": False, "loss": True}
        assert "(log)" in app.query_one("#loss-panel").plot.title
        app.sessions.load_preset(find("T1"))
        await started(app, pilot)
        assert app.runs.log_scale == {"lr": False, "loss": False}
        app.sessions.load_preset(find("T17"))
        await started(app, pilot)
        assert app.runs.log_scale["loss"]


def test_no_note_sends_a_user_to_a_file_lrtui_does_not_ship():
    """The newcomer's try: the notes of T3, T15, R12, R14 and R15 said what 'teaching.md' gives, a file of the
    project's, not of the package."""
    assert [p.name for p in PRESETS.values() if "teaching.md" in p.note] == []
