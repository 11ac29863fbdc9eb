"""Presets: the teaching scenarios T1...T15 and the published recipes R1...R16 of ``../shared/teaching.md`` as runs.

A :class:`Preset` is a run to open (``config``) and the runs to overlay on it (``pinned``, at most five), which
share its problem, problem parameters, seed, steps per epoch and length, so only the schedule and the optimizer
differ. ``note`` says what to notice, with the numbers teaching.md gives; ``meta`` carries what a run cannot:

- every preset: ``source`` (citation), ``flag`` ("[N]" reproduced numerically, "[V]" checked against the
  source, "[R]" recalled), ``view`` (the lower plot the scenario is about: loss, sharpness, landscape or range);
- teaching scenarios: ``variants``, settings of the scenario that cannot be overlaid because they change the
  problem, the seed or the epoch unit (label -> :class:`RunConfig`); T8's ``range_test`` (its ramp);
- recipes: the real time axis (``unit``, ``length``, ``per_epoch``: how much of it one epoch of ``config`` stands
  for), ``peak_lr``, ``floor``, ``warmup``, ``phases`` and ``optimizer`` hints as published. A recipe's config
  keeps the published *shape* on a short horizon and a toy problem: SGD recipes train the 2-16-1 tanh network
  (``mlp``), language-model recipes the noisy river valley of T10 (300 epochs of 10 steps).

>>> find("t1").name
'T1-stability-ladder'
>>> find("R4-noam").meta["unit"]
'steps'
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, replace
from typing import Any

from lrtui.params import ConfigError, format_value
from lrtui.sim.config import RunConfig, prepare

MAX_RUNS = 6
"""A preset opens at most this many runs: its config and five pinned."""


@dataclass(frozen=True)
class Preset:
    """A named run with the runs it is compared with; see the module docstring for ``meta``."""

    name: str
    title: str
    kind: str  # "teaching" or "recipe"
    config: RunConfig
    pinned: tuple[RunConfig, ...] = ()
    note: str = ""
    meta: dict = field(default_factory=dict)

    def scaled(self, epochs: int) -> "Preset":
        """The same preset over ``epochs`` epochs: every length in its schedules (T_max, warmups,
        milestones, num_training_steps...) scaled by the same factor and rounded, so the shape stays the
        recipe's. ConfigError when the scaled runs are not valid (a phase rounds to nothing).

        >>> find("R6").scaled(600).config.schedule["params"]["milestones"]
        [520]
        """
        factor = epochs / self.config.epochs
        runs = tuple(replace(c, schedule=_scaled_spec(c.schedule, factor), epochs=epochs)
                     for c in (self.config, *self.pinned))
        for run in runs:
            prepare(run)
        return replace(self, config=runs[0], pinned=runs[1:])

    @property
    def short(self) -> str:
        """The id before the first dash ("T1", "R2a"): what a user types."""
        return self.name.split("-", 1)[0]


def _scaled_spec(spec: dict[str, Any], factor: float) -> dict[str, Any]:
    """A schedule spec with its lengths (lrtui.sim.units.EPOCH_COUNTS) multiplied by ``factor``, nested
    members too; a length of at least 1 stays at least 1."""
    from lrtui.sim.units import EPOCH_COUNTS

    def one(value: Any) -> Any:
        return max(round(value * factor), 1 if value >= 1 else 0)

    params = {}
    for key, value in spec.get("params", {}).items():
        if key == "schedulers":
            value = [_scaled_spec(member, factor) for member in value]
        elif key in EPOCH_COUNTS and isinstance(value, (list, tuple)):
            value = [one(v) for v in value]
        elif key in EPOCH_COUNTS and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = one(value)
        params[key] = value
    return {"name": spec["name"], "params": params}


def S(name: str, **params: Any) -> dict[str, Any]:
    """A schedule spec."""
    return {"name": name, "params": params}


def _with(config: RunConfig, schedule: dict[str, Any] | None = None, **changes: Any) -> RunConfig:
    """``config`` with another schedule (and other fields)."""
    if schedule is not None:
        changes["schedule"] = schedule
    return replace(config, **changes)


def _schedules(config: RunConfig, *schedules: dict[str, Any]) -> tuple[RunConfig, ...]:
    """``config`` once per schedule."""
    return tuple(_with(config, s) for s in schedules)


# --- teaching scenarios ---------------------------------------------------------------------------------

D2L = "Zhang et al., Dive into Deep Learning (d2l.ai), chapters on gradient descent and optimization"


def _t1() -> Preset:
    base = RunConfig(S("constant", lr=2.1), "quadratic", {"L": 1.0, "x0": 1.0}, epochs=30)
    d2l = RunConfig(S("constant", lr=0.2), "quadratic", {"L": 2.0, "x0": 10.0}, epochs=10)
    return Preset(
        "T1-stability-ladder", "Stability ladder on a 1-D quadratic: divergence when lr > 2/L", "teaching",
        base, _schedules(base, *(S("constant", lr=lr) for lr in (0.5, 1.0, 1.5, 1.9, 2.0))),
        "f = x^2/2 (L = 1) from x0 = 1, 30 steps of plain GD, x_t = (1 - lr)^t. lr 0.5 is monotone (x1..x4 = .5 .25 "
        ".125 .0625, x30 = 9.3e-10); lr 1 = 1/L lands on 0 in one step; 1.5 oscillates but converges (x30 = 9.3e-10); "
        "1.9 oscillates slowly (x30 = 4.2e-2); 2 = 2/L is a period-2 orbit -1, 1, -1, ...; 2.1 grows 1.1x a step "
        "(x30 = 17.4). Stable iff lr < 2/L. lr 2.5 (x30 = 1.9e5 in the table) is called diverged by the engine at "
        "step 18, when the loss passes 1e6 x its start. d2l's f = x^2 from 10, 10 steps: lr 0.2 ends at 0.0605, "
        "0.05 at 3.487 (too slow), 1.1 at 61.9 (diverges) (variants); its non-convex x cos(0.15 pi x) is not a "
        "problem here.",
        {"source": "teaching.md T1; " + D2L, "flag": "[N]", "view": "loss", "variants": {
            "lr 2.5: fast divergence": _with(base, S("constant", lr=2.5)),
            "d2l f = x^2, x0 = 10, lr 0.2": d2l,
            "d2l lr 0.05 (too slow)": _with(d2l, S("constant", lr=0.05)),
            "d2l lr 1.1 (diverges)": _with(d2l, S("constant", lr=1.1)),
        }},
    )


def _t2() -> Preset:
    base = RunConfig(S("constant", lr=0.6), "ravine", {"x0": -5.0, "y0": -2.0}, "momentum", {"momentum": 0.5}, epochs=20)
    gd = {"optimizer": "sgd", "optimizer_params": {}}
    return Preset(
        "T2-ravine-momentum", "Ill-conditioned valley: zig-zag, the stability edge, momentum's wider range", "teaching",
        base,
        (_with(base, S("constant", lr=0.4), **gd), _with(base, S("constant", lr=0.5), **gd),
         _with(base, S("constant", lr=0.6), **gd), _with(base, optimizer_params={"momentum": 0.25}),
         _with(base, S("constant", lr=0.4), optimizer_params={"momentum": 0.9})),
        "f = 0.1 x1^2 + 2 x2^2 (curvatures 0.2 and 4, condition 20) from (-5, -2), 20 steps. GD is stable iff "
        "lr < 2/4 = 0.5, heavy ball iff lr lambda < 2 (1 + momentum). After 20 steps: GD 0.4 zig-zags x2 to 0 while "
        "x1 crawls, (-0.94, -1e-4), f = 0.089; GD 0.5 keeps x2 = -2 forever, f = 8.04; GD 0.6 diverges, x2 = -1673, "
        "f = 5.6e6; momentum 0.5 at lr 0.6 reaches (0.007, 0.003), f = 1.8e-5; momentum 0.25 at 0.6 (-0.13, -0.19), "
        "f = 0.071; momentum 0.9 at 0.4 rings, (-1.45, 0.72), f = 1.24.",
        {"source": "teaching.md T2; " + D2L, "flag": "[V][N]", "view": "landscape"},
    )


def _t3() -> Preset:
    base = RunConfig(S("constant", lr=0.1), "quadratic", {"L": 1.0, "x0": 1.0, "noise": 1.0}, epochs=2000)
    return Preset(
        "T3-noise-floor", "SGD noise floor: why a constant lr stalls", "teaching",
        base, _schedules(base, S("constant", lr=0.5), S("constant", lr=0.01)),
        "f = x^2/2 with gradient noise sigma = 1: a constant lr stalls at E[f] = lr sigma^2 / (2 (2 - lr L)), the "
        "line on the loss plot. Theory 0.1667 at lr 0.5, 0.0263 at 0.1, 0.00251 at 0.01; simulated (seed means) "
        "0.1669, 0.0262, 0.00248. A smaller lr lowers the floor but takes longer to get there: only a decaying lr "
        "gets under it (T4). teaching.md gives no start; x0 = 1 here.",
        {"source": "teaching.md T3", "flag": "[N]", "view": "loss"},
    )


def _t4() -> Preset:
    base = RunConfig(S("inverse_time", lr=0.1, decay_rate=1.0, decay_steps=10), "quadratic",
                     {"L": 1.0, "x0": 5.0, "noise": 1.0}, epochs=2000)
    return Preset(
        "T4-robbins-monro", "Robbins-Monro: decay, but not too fast", "teaching",
        base,
        _schedules(base, S("constant", lr=0.1), S("constant", lr=0.01), S("exponential", lr=0.1, gamma=0.95),
             S("multistep", lr=0.1, milestones=[500, 1000]), S("cosine", lr=0.1, T_max=2000)),
        "f = x^2/2, noise 1, x0 = 5, 2000 steps; mean loss at steps 100/500/1000/2000 (sum of lr in brackets), "
        "expected values over many seeds: one run's scatter around them (the scoreboard's final is its last 10% "
        "mean, +- its spread). "
        "1/(10 + t) [5.35; sum lr = inf, sum lr^2 < inf]: .089/.0049/.0015/.0005, still falling. Constant 0.1 [200]: "
        ".027/.026/.027/.026, stuck at the floor. Constant 0.01 [20]: 1.68/.0029/.0024/.0025, slow start. "
        "0.1 x 0.95^t [2.0]: .218 then frozen at .213, it decays too fast. Step 0.1 /10 at 500 and 1000 [56]: "
        ".026/.026/.0026/.00058, a staircase. Cosine 0.1 -> 0 [100]: .026/.023/.012/.0012. The scoreboard's "
        "sums of lr and lr^2 are the Robbins-Monro counters. d2l's variant (f = x1^2 + 2 x2^2) is not a problem here.",
        {"source": "teaching.md T4 (Robbins and Monro 1951); " + D2L, "flag": "[N]", "view": "loss", "variants": {
            "0.1 x 0.99^t (freezes later, .0013)": _with(base, S("exponential", lr=0.1, gamma=0.99)),
        }},
    )


def _warmup_from_zero(peak: float, steps: int) -> dict[str, Any]:
    """teaching.md's warmup "0 -> peak over W steps": lr_t = peak (t + 1) / W, torch LinearLR(1/W, 1, W - 1)."""
    return S("linear", lr=peak, start_factor=1 / steps, total_iters=steps - 1)


def _t5() -> Preset:
    base = RunConfig(_warmup_from_zero(1.5, 50), "quartic", {"x0": 2.5}, epochs=30)
    return Preset(
        "T5-warmup-rescue", "Warmup rescues a large lr from a high-curvature start", "teaching",
        base,
        _schedules(base, S("constant", lr=0.275), S("constant", lr=0.3), _warmup_from_zero(0.5, 20),
             _warmup_from_zero(1.0, 50), _warmup_from_zero(1.9, 100)),
        "f = x^4/4 + x^2/2 from x0 = 2.5: curvature 3x^2 + 1 is 19.75 at the start and 1 at the minimum, so 2/lambda "
        "rises from 0.10 to 2. Constant lr <= 0.275 converges (0.275: f = 7.3e-9 at step 30); lr >= 0.3 diverges "
        "within 4 steps (0.5 and 1.0 at step 2). A linear warmup 0 -> 1.5 over 50 steps gives f = 7.3e-3 at step 10 "
        "and 1.1e-21 at step 30; 0 -> 0.5 over 20: 6.7e-13; 0 -> 1.0 over 50: 9.1e-12; 0 -> 1.9 over 100: 4.6e-11. "
        "The lr grows as the curvature falls and ends ~5x above any safe constant (sharpness view). The warmup is "
        "lr_t = peak (t + 1) / W, torch LinearLR(1/W, 1, W - 1).",
        {"source": "teaching.md T5; Gilmer et al. 2021 [R]", "flag": "[N]", "view": "sharpness"},
    )


def _t6() -> Preset:
    base = RunConfig(S("constant", lr=0.5), "catapult", {"x0": 2.5, "y0": 0.1}, epochs=500)
    wide = _with(base, S("constant", lr=0.4), problem_params={"x0": 3.0, "y0": 0.05})
    return Preset(
        "T6-catapult", "Catapult and edge of stability on L(u, v) = (uv - 1)^2 / 2", "teaching",
        base, _schedules(base, S("constant", lr=0.05), S("constant", lr=0.3), S("constant", lr=0.7)),
        "Sharpness at a minimum is u^2 + v^2; from (2.5, 0.1) lambda0 = 6.26, so the catapult window is "
        "2/lambda0 = 0.32 < lr < 4/lambda0 = 0.64 (Lewkowycz et al. 2020). lr 0.05: max loss 0.13, ends at "
        "sharpness 6.54 (lazy, sharp minimum); 0.3: 0.23, 5.61 (sub-critical); 0.5: the loss spikes to 3.78 and "
        "lands at sharpness 2.45 < 2/lr = 4, a flatter minimum (catapult); 0.7 diverges. From (3.0, 0.05), "
        "lambda0 = 9: lr 0.4 spikes to 9.4 and ends at sharpness 2.0, 0.6 diverges (variants). Sharpness against "
        "2/lr is the edge-of-stability picture (Cohen et al. 2021).",
        {"source": "teaching.md T6; Lewkowycz et al. 2020; Cohen et al. 2021", "flag": "[N]", "view": "sharpness",
         "variants": {"init (3.0, 0.05), lr 0.4: catapult": wide,
                      "init (3.0, 0.05), lr 0.6: diverges": _with(wide, S("constant", lr=0.6))}},
    )


def _t7() -> Preset:
    base = RunConfig(S("cosine_restarts", lr=0.5, T_0=100, T_mult=2, eta_min=0.001), "two_basins", {"x0": 2.05},
                     epochs=1500)
    return Preset(
        "T7-flat-minima", "Large-lr phases select flat minima (warm restarts, cosine, step decay)", "teaching",
        base,
        _schedules(base, S("constant", lr=0.005), S("constant", lr=0.05), S("constant", lr=0.5),
             S("cosine", lr=0.5, T_max=1500, eta_min=0.001), S("multistep", lr=0.5, milestones=[750, 1125])),
        "f = 0.02x^2 - exp(-(x-2)^2/0.02) - 1.2 exp(-(x+2)^2/4.5) from x0 = 2.05, 1500 steps. The sharp local "
        "minimum x = 1.999 (f = -0.954, curvature ~100) is stable only for lr < 0.020; the flat global one "
        "x = -1.860 (f = -1.126, curvature 0.57) takes any lr here. Constant 0.005 (or 0.015) stays sharp; 0.05 is "
        "ejected but still wanders at the end (x = 1.79); constant 0.5, cosine 0.5 -> 0.001, SGDR (T_0 = 100, "
        "T_mult = 2, 0.5 -> 0.001), warmup 50 + cosine and step 0.5 /10 at 750/1125 all end in the flat minimum. "
        "Caveat: on the periodic 0.05x^2 + 1 - cos 2x (not a problem here) SGDR's basin depends on the peak lr, so "
        "restarts kick you out of sharp basins, they do not always find the global one.",
        {"source": "teaching.md T7; Loshchilov and Hutter 2017", "flag": "[N]", "view": "sharpness", "variants": {
            "constant 0.015 (stays sharp)": _with(base, S("constant", lr=0.015)),
            "warmup 50 + cosine": _with(base, S("cosine", lr=0.5, T_max=1450, warmup=50)),
        }},
    )


def _t8() -> Preset:
    base = RunConfig(S("constant", lr=0.87), "spectrum", {"l1": 10.0, "l2": 1.0, "l3": 0.1, "x0": 1.0}, epochs=100)
    return Preset(
        "T8-range-test", "The lr range test and its pitfall", "teaching",
        base, _schedules(base, S("constant", lr=0.087), S("constant", lr=0.135), S("constant", lr=0.2)),
        "f = (10 x1^2 + x2^2 + 0.1 x3^2)/2 from (1, 1, 1); range test: 100 steps, lr log-spaced 1e-4 -> 10. The "
        "true stable limit is 2/lambda_max = 0.2, yet the loss is lowest at lr ~0.87 and first rises at ~0.98; "
        "fastai's stop (smoothed loss > 4x best) fires at ~1.38 (at 0.49 with noise 0.3). The picks min/10 = 0.087 "
        "and steepest = 0.135 are safe; the min-loss point is ~4x too high: the sharp direction converged early "
        "and needs many steps to blow up again. The runs: 0.87 diverges, 0.2 keeps x1 in a period-2 orbit, "
        "0.087 and 0.135 converge.",
        {"source": "teaching.md T8; Smith 2017; fastai lr_find", "flag": "[N]", "view": "range",
         "range_test": {"steps": 100, "lr_min": 1e-4, "lr_max": 10.0},
         "variants": {"noise 0.3 (the test stops earlier)": _with(base, problem_params={**base.problem_params,
                                                                                        "noise": 0.3})}},
    )


def _nqm(batch: int) -> RunConfig:
    """T9 at batch size B: lr 0.05 B/8, noise variance lambda_i/B, 32000 samples; an epoch is 256 samples."""
    if batch > 256:  # fewer samples per step than an epoch holds: one step an epoch
        return RunConfig(S("constant", lr=0.05 * batch / 8), "nqm", {"x0": 1.0, "noise": batch**-0.5},
                         epochs=4000 * 8 // batch)
    return RunConfig(S("constant", lr=0.05 * batch / 8), "nqm", {"x0": 1.0, "noise": batch**-0.5}, epochs=125,
                     steps_per_epoch=256 // batch)


def _t9() -> Preset:
    return Preset(
        "T9-linear-scaling", "Linear scaling rule and the critical batch size (noisy quadratic model)", "teaching",
        _nqm(8), (),
        "lambda = (1, 0.1, 0.01), x0 = 1, gradient noise variance lambda_i/B, a fixed budget of 32000 samples "
        "(4000 x 8 / B steps) and lr = 0.05 B/8. Final loss: B = 8 (lr 0.05) 0.00193; 16 (0.1) 0.00193; 32 (0.2) "
        "0.00191; 64 (0.4) 0.00249; 128 (0.8) 0.00314; 256 (1.6) 0.00809; 512 (3.2 > 2/lambda_max) diverges. The "
        "rule holds until the lr approaches the curvature limit. An epoch here is 256 samples (125 epochs of "
        "256/B steps), so runs of every B share the axis; they differ in problem.noise, which pinned runs share, "
        "so the other batch sizes are variants, not pinned.",
        {"source": "teaching.md T9; Goyal et al. 2017; Zhang et al. 2019 (NQM) [R]", "flag": "[N]", "view": "loss",
         "variants": {f"B = {b}, lr {0.05 * b / 8:g}": _nqm(b) for b in (16, 32, 64, 128, 256, 512)}},
    )


def _t10() -> Preset:
    def wsd(decay: int, shape: str) -> dict[str, Any]:
        return S("wsd", lr=0.1, num_warmup_steps=0, num_decay_steps=decay, num_training_steps=3000, decay_type=shape)

    base = RunConfig(wsd(300, "linear"), "river_valley", {"x0": 0.0, "y0": 0.0, "noise": 3.0}, epochs=3000)
    return Preset(
        "T10-wsd-river-valley", "WSD in a river valley: high loss while stable, a sharp drop in the decay", "teaching",
        base,
        _schedules(base, S("constant", lr=0.1), wsd(75, "linear"), wsd(600, "1-sqrt"),
             S("warmup_cosine", lr=0.1, num_warmup_steps=100, num_training_steps=3000)),
        "f = 10 y^2/2 + 0.02 (x - 10)^2/2, noise 3 across and 0.3 along the river, from (0, 0), 3000 steps, peak "
        "0.1. The floor across is lr sigma^2 / (2 (2 - lr a)) = 0.45. Mean loss at 1000/2000/2700/2800/2900/3000: "
        "constant .47/.50/.46/.47/.47/.43; WSD with linear decay over the last 10% .44/.47/.46/.24/.09/.015; over "
        "the last 2.5% .50/.47/.45/.41/.44/.026 (too short, as MiniCPM found); 1-sqrt over the last 20% "
        ".47/.47/.08/.05/.02/.0074; cosine with 100 warmup steps .32/.07/.011/.007/.005/.005. Branch a decay from "
        "any stable step k to see the drop (Wen et al. 2024).",
        {"source": "teaching.md T10; Wen et al. 2024 [V abstract]", "flag": "[N]", "view": "loss"},
    )


def _t11() -> Preset:
    base = RunConfig(S("plateau", lr=0.1, factor=0.1, patience=2), "quadratic", {"L": 1.0, "x0": 5.0, "noise": 1.0},
                     epochs=30, seed=3, steps_per_epoch=100, plateau_metric="running")
    return Preset(
        "T11-plateau-noise", "ReduceLROnPlateau on a noisy loss: the noise floor looks like a plateau", "teaching",
        base,
        (_with(base, S("plateau", lr=0.1, factor=0.1, patience=2, min_lr=1e-3, cooldown=3)),),
        "f = x^2/2, noise 1, x0 = 5, lr 0.1, factor 0.1. Evaluated on 100-step means (epochs of 100 steps, "
        "plateau_metric = running) with patience 2 the lr drops at steps 700, 1400, 1700, 2000 and keeps decaying; "
        "with min_lr = 1e-3 and cooldown = 3 it drops at 700 and 1400, then holds at 1e-3. Evaluated every step "
        "with patience 10 (variant) the lr collapses 0.1 -> 1e-6 by step 82. Seed 3 is the table's run. Points: "
        "evaluation granularity, threshold, cooldown, min_lr.",
        {"source": "teaching.md T11", "flag": "[N]", "view": "loss", "variants": {
            "every step, patience 10": RunConfig(S("plateau", lr=0.1, factor=0.1, patience=10), "quadratic",
                                                 {"L": 1.0, "x0": 5.0, "noise": 1.0}, epochs=300, seed=3),
        }},
    )


def _t12() -> Preset:
    base = RunConfig(S("constant", lr=2e-3), "rosenbrock", {"x0": -1.5, "y0": 2.0}, epochs=20000)
    return Preset(
        "T12-rosenbrock-edge", "Rosenbrock stability edge", "teaching",
        base,
        _schedules(base, S("constant", lr=1e-3), S("constant", lr=1.5e-3), S("constant", lr=2.1e-3),
             S("warmup_constant", lr=1.9e-3, num_warmup_steps=500)),
        "f = (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2), 20000 steps. lambda_max is ~2092 at the start and 1001.6 "
        "at the optimum (1, 1), where 2/lambda = 0.001997. lr 1e-3 ends at f = 3e-8; 1.5e-3 at 7.8e-12; 2e-3 "
        "hovers at f = 1.3e-3 in a period-2 orbit around the minimum (edge of stability); 2.1e-3 diverges at step "
        "7; a warmup over 500 steps to 1.9e-3 reaches 2.4e-14.",
        {"source": "teaching.md T12", "flag": "[N]", "view": "landscape"},
    )


def _t13() -> Preset:
    base = RunConfig(S("constant", lr=1e-4), "beale", {"x0": 3.0, "y0": 4.0}, "momentum", {"momentum": 0.9},
                     epochs=20000)
    gd = {"optimizer": "sgd", "optimizer_params": {}}
    return Preset(
        "T13-beale-momentum", "Beale: too much momentum", "teaching",
        base, (_with(base, **gd), _with(base, S("constant", lr=1e-3), **gd)),
        "Beale's function from (3, 4) (Tiao's start); the global minimum is (3, 0.5). Gradients are huge at the "
        "start: momentum 0.9 at lr 1e-4 diverges at once (step 3), and so does GD at 1e-3 (step 1); GD at 1e-4 is "
        "slow, f = 0.035 at (2.62, 0.39) after 20000 steps.",
        {"source": "teaching.md T13", "flag": "[N]", "view": "landscape"},
    )


def _noam_lr(d_model: int, warmup: int) -> float:
    """The Transformer's peak, d_model^-0.5 warmup^-0.5: inverse_sqrt's lr for lr(t) = d^-0.5 min(t^-0.5, t W^-1.5)."""
    return d_model**-0.5 * warmup**-0.5


def _t14() -> Preset:
    base = RunConfig(S("inverse_sqrt", lr=_noam_lr(512, 4000), num_warmup_steps=4000), "quadratic",
                     {"L": 1.0, "x0": 1.0, "noise": 1.0}, "adam", {"beta1": 0.9, "beta2": 0.98, "eps": 1e-9},
                     epochs=20000)
    return Preset(
        "T14-noam-arithmetic", "Noam / inverse-sqrt arithmetic", "teaching",
        base, (),
        "lr = d_model^-0.5 min(t^-0.5, t warmup^-1.5) with d_model = 512, warmup 4000: 1.75e-5 at step 100, the "
        "peak 6.99e-4 at step 4000, 1.40e-4 at step 100k (past this run's 20000 epochs; the schedule gives it). "
        "It is inverse_sqrt with lr = d_model^-0.5 warmup^-0.5 and num_warmup_steps = warmup. Adam with betas "
        "(0.9, 0.98), eps 1e-9, as in the paper, on a noisy quadratic: Adam's noise floor follows the lr.",
        {"source": "teaching.md T14; Vaswani et al. 2017", "flag": "[N]", "view": "loss"},
    )


def _t15() -> Preset:
    base = RunConfig(S("constant", lr=0.02), "ravine", {"x0": -5.0, "y0": -2.0}, "momentum", {"momentum": 0.99},
                     epochs=1000)
    return Preset(
        "T15-distill-momentum", "Distill's momentum defaults: momentum's own oscillations", "teaching",
        base,
        (_with(base, optimizer_params={"momentum": 0.9}), _with(base, optimizer_params={"momentum": 0.5}),
         _with(base, optimizer="sgd", optimizer_params={})),
        "Distill's defaults, step 0.02 and momentum 0.99: heavy ball rings around the minimum with its own "
        "oscillations, decaying only as sqrt(0.99)^t, while GD at 0.02 crawls along the flat direction. The "
        "bound to overlay on the lr-momentum grid is d2l's 0 < lr lambda < 2 + 2 momentum (the stability line: "
        "2 (1 + 0.99)/4 = 0.995 here). Distill's own 2-D quadratic is not given in teaching.md; the ravine "
        "(curvatures 0.2 and 4) stands in for it.",
        {"source": "teaching.md T15; Goh 2017, Why Momentum Really Works (Distill); " + D2L, "flag": "[V]",
         "view": "landscape"},
    )


# --- recipes ---------------------------------------------------------------------------------------------

def _mlp(schedule: dict[str, Any], epochs: int, weight_decay: float, momentum: float = 0.9) -> RunConfig:
    """An SGD-momentum recipe on the 2-16-1 tanh network (two moons, 5 minibatches an epoch)."""
    return RunConfig(schedule, "mlp", {}, "momentum", {"momentum": momentum, "weight_decay": weight_decay},
                     epochs=epochs)


LM_EPOCHS = 300
LM_STEPS = 10
LM_PEAK = 0.03
"""The toy peak of Adam on the river valley: the published peaks (1e-4 ... 7e-4) barely move it in 3000 steps."""


def _valley(schedule: dict[str, Any], optimizer: str = "sgd", **hints: float) -> RunConfig:
    """A language-model recipe on T10's river valley: 300 epochs of 10 steps."""
    return RunConfig(schedule, "river_valley", {"x0": 0.0, "y0": 0.0, "noise": 3.0}, optimizer, dict(hints),
                     epochs=LM_EPOCHS, steps_per_epoch=LM_STEPS)


def _recipe(name: str, title: str, config: RunConfig, pinned: tuple[RunConfig, ...], note: str, **meta: Any) -> Preset:
    return Preset(name, title, "recipe", config, pinned, note, {"view": "loss", **meta})


def _r1() -> Preset:
    config = _mlp(S("plateau", lr=0.01, factor=0.1, patience=12, threshold=0.02), 90, 5e-4)
    config = _with(config, plateau_metric="heldout")
    return _recipe(
        "R1-alexnet", "AlexNet: SGD 0.01, /10 when the validation error stops improving", config, (),
        "SGD, batch 128, momentum 0.9, weight decay 5e-4, lr 0.01 divided by 10 when the validation error stopped "
        "improving: 3 times in about 90 epochs. The drops were made by hand; here ReduceLROnPlateau x0.1 watches "
        "the held-out loss, with patience 12 and threshold 2% chosen so that it drops 3 times in 90 epochs.",
        unit="epochs", length=90, per_epoch=1, peak_lr=0.01, floor=1e-5, warmup=None,
        phases="lr 0.01, /10 on a validation plateau, 3 times",
        optimizer={"name": "sgd", "momentum": 0.9, "weight_decay": 5e-4, "batch_size": 128},
        source="Krizhevsky, Sutskever, Hinton 2012, ImageNet Classification with Deep Convolutional Neural Networks",
        flag="[V]",
    )


def _r2a() -> Preset:
    return _recipe(
        "R2a-resnet-imagenet", "ResNet on ImageNet: lr 0.1, /10 every 30 epochs, 90 epochs",
        _mlp(S("step", lr=0.1, step_size=30, gamma=0.1), 90, 1e-4), (),
        "SGD, batch 256, momentum 0.9, weight decay 1e-4, lr 0.1 divided by 10 when the error plateaus, up to "
        "60e4 iterations. The standard reproduction (torchvision's reference) is StepLR(30, 0.1) for 90 epochs, "
        "run here at full length.",
        unit="epochs", length=90, per_epoch=1, peak_lr=0.1, floor=1e-4, warmup=None,
        phases="0.1 for epochs 0-29, 0.01 for 30-59, 0.001 for 60-89",
        optimizer={"name": "sgd", "momentum": 0.9, "weight_decay": 1e-4, "batch_size": 256},
        source="He et al. 2015, Deep Residual Learning for Image Recognition; torchvision reference scripts",
        flag="[V] paper / [R] torchvision",
    )


def _r2b() -> Preset:
    config = _mlp(S("multistep", lr=0.1, milestones=[80, 120], gamma=0.1), 160, 1e-4)
    warm = S("chained", lr=0.1, schedulers=[S("constant", factor=0.1, total_iters=1),
                                            S("multistep", milestones=[80, 120], gamma=0.1)])
    return _recipe(
        "R2b-resnet-cifar", "ResNet on CIFAR-10: lr 0.1, /10 at 32k and 48k iterations, stop at 64k", config,
        (_with(config, warm),),
        "SGD, batch 128, momentum 0.9, weight decay 1e-4, lr 0.1 divided by 10 at 32k and 48k iterations, stopping "
        "at 64k. One epoch here stands for 400 iterations, so the drops are at epochs 80 and 120 of 160. Pinned: "
        "ResNet-110's warmup, 0.01 until the training error is below 80% (~400 iterations, one epoch), then 0.1.",
        unit="steps", length=64_000, per_epoch=400, peak_lr=0.1, floor=1e-3, warmup="ResNet-110: 0.01 for ~400 steps",
        phases="0.1 until 32k, 0.01 until 48k, 0.001 until 64k",
        optimizer={"name": "sgd", "momentum": 0.9, "weight_decay": 1e-4, "batch_size": 128},
        source="He et al. 2015, Deep Residual Learning for Image Recognition", flag="[V]",
    )


def _goyal(peak: float, warmup_from: float) -> dict[str, Any]:
    milestones = S("multistep", milestones=[30, 60, 80], gamma=0.1)
    if warmup_from >= peak:
        return {**milestones, "params": {**milestones["params"], "lr": peak}}
    return S("chained", lr=peak, schedulers=[S("linear", start_factor=warmup_from / peak, total_iters=5), milestones])


def _r3() -> Preset:
    config = _mlp(_goyal(3.2, 0.1), 90, 1e-4)
    return _recipe(
        "R3-goyal-imagenet-1h", "Goyal et al.: linear scaling, 5 warmup epochs, /10 at 30, 60, 80", config,
        (_with(config, _goyal(0.1, 0.1)),),
        "lr = 0.1 kn/256 (the linear scaling rule): kn = 8192 gives 3.2. A gradual warmup from 0.1 to 3.2 over "
        "the first 5 epochs, then /10 at epochs 30, 60 and 80 of 90 (torch: ChainedScheduler of LinearLR(1/32, "
        "total_iters=5) and MultiStepLR, so the milestones count from epoch 0). Pinned: the kn = 256 baseline, "
        "lr 0.1 with the same drops. Momentum 0.9, weight decay 1e-4.",
        unit="epochs", length=90, per_epoch=1, peak_lr=3.2, floor=3.2e-3,
        warmup="linear from 0.1 to 0.1 kn/256 over 5 epochs", phases="/10 at epochs 30, 60, 80",
        optimizer={"name": "sgd", "momentum": 0.9, "weight_decay": 1e-4, "batch_size": 8192},
        source="Goyal et al. 2017, Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour",
        flag="[V] rule and warmup / [R] milestones",
    )


def _r4() -> Preset:
    warmup = 12  # 4000 of 100k steps is 4%: 12 of 300 epochs
    config = _valley(S("inverse_sqrt", lr=_noam_lr(512, warmup), num_warmup_steps=warmup), "adam",
                     beta1=0.9, beta2=0.98, eps=1e-9)
    return _recipe(
        "R4-noam", "Transformer (Noam): linear warmup, then inverse square root", config, (),
        "Adam, betas (0.9, 0.98), eps 1e-9; lr = d_model^-0.5 min(step^-0.5, step warmup^-1.5) with d_model = 512 "
        "and warmup 4000: peak 6.99e-4 at step 4000, base model 100k steps. Scaled to 300 epochs the warmup is 4%, "
        f"12 epochs, and the same formula gives lr = 512^-0.5 x 12^-0.5 = {_noam_lr(512, warmup):.4g} at its peak.",
        unit="steps", length=100_000, per_epoch=100_000 / LM_EPOCHS, peak_lr=_noam_lr(512, 4000), floor=None,
        warmup="linear over 4000 steps", phases="inverse square root decay after the warmup",
        optimizer={"name": "adam", "betas": (0.9, 0.98), "eps": 1e-9}, d_model=512,
        source="Vaswani et al. 2017, Attention Is All You Need", flag="[V] formula / [N] numbers",
    )


def _r5() -> Preset:
    config = _valley(S("warmup_linear", lr=LM_PEAK, num_warmup_steps=3, num_training_steps=LM_EPOCHS), "adamw",
                     beta1=0.9, beta2=0.999, weight_decay=0.0)
    return _recipe(
        "R5-bert", "BERT pre-training: 1% warmup, linear decay to 0", config, (),
        "Adam lr 1e-4, betas (0.9, 0.999), weight decay 0.01, warmup 10,000 of 1M steps (batch 256 sequences), "
        "then linear decay to 0: 3 of 300 epochs here. Fine-tuning grid: lr {5e-5, 3e-5, 2e-5}, batch {16, 32}, "
        f"epochs {{2, 3, 4}}. On the toy valley the peak is {LM_PEAK} (the published 1e-4 barely moves it), and "
        "weight decay is off: it would pull x towards 0, where the valley's minimum is not.",
        unit="steps", length=1_000_000, per_epoch=1_000_000 / LM_EPOCHS, peak_lr=1e-4, floor=0.0,
        warmup="linear over 10,000 steps", phases="linear decay to 0 at 1M steps",
        optimizer={"name": "adamw", "betas": (0.9, 0.999), "weight_decay": 0.01, "batch_size": "256 sequences"},
        fine_tuning={"lr": (5e-5, 3e-5, 2e-5), "batch_size": (16, 32), "epochs": (2, 3, 4)},
        source="Devlin et al. 2018, BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        flag="[V]",
    )


def _r6() -> Preset:
    gpt3 = S("sequential", lr=LM_PEAK, milestones=[260], schedulers=[
        S("warmup_cosine_min_lr", num_warmup_steps=1, num_training_steps=260, min_lr_rate=0.1),
        S("constant", factor=0.1, total_iters=LM_EPOCHS - 260),
    ])
    config = _valley(gpt3, "adamw", beta1=0.9, beta2=0.95, eps=1e-8, weight_decay=0.0)
    nanogpt = S("warmup_cosine_min_lr", lr=LM_PEAK, num_warmup_steps=11, num_training_steps=LM_EPOCHS, min_lr_rate=0.1)
    return _recipe(
        "R6-gpt3", "GPT-3: warmup over 375M tokens, cosine to 10% over 260B, then 10% to 300B", config,
        (_with(config, nanogpt),),
        "Adam betas (0.9, 0.95), eps 1e-8, gradient clipping 1.0, weight decay 0.1. Linear warmup over the first "
        "375M tokens, cosine down to 10% over 260B tokens, then constant at 10% to 300B. One epoch here is 1B "
        "tokens, so the 0.375B warmup rounds to 1 epoch. Peak 6.0e-4 (125M, 0.5M-token batch) ... 0.6e-4 (175B, "
        "3.2M-token batch). Pinned: build-nanogpt's scaled version, warmup 715 of 19,073 steps (375e6 / 2^19), "
        f"cosine to 10% at the end. Toy peak {LM_PEAK}; no clipping in the engine and no weight decay on the valley.",
        unit="tokens", length=300e9, per_epoch=1e9, tokens_per_step=2**19, peak_lr={"125M": 6.0e-4, "175B": 0.6e-4},
        floor="10% of peak", warmup="linear over 375M tokens (715 steps at 2^19 tokens)",
        phases="cosine to 10% over 260B tokens, then 10% to 300B; batch ramp from 32k tokens over 4-12B tokens",
        optimizer={"name": "adamw", "betas": (0.9, 0.95), "eps": 1e-8, "weight_decay": 0.1, "clip": 1.0},
        nanogpt={"max_lr": 6e-4, "min_lr": 6e-5, "warmup_steps": 715, "max_steps": 19_073},
        source="Brown et al. 2020, Language Models are Few-Shot Learners (Appendix B)", flag="[V]",
    )


def _r7() -> Preset:
    config = _valley(S("cosine", lr=LM_PEAK, T_max=LM_EPOCHS, eta_min=0.1 * LM_PEAK), "adamw", weight_decay=0.0)
    return _recipe(
        "R7-chinchilla", "Chinchilla: cosine down 10x over exactly the training length", config,
        (_with(config, S("cosine", lr=LM_PEAK, T_max=375, eta_min=0.1 * LM_PEAK)),
         _with(config, S("cosine", lr=LM_PEAK, T_max=2 * LM_EPOCHS, eta_min=0.1 * LM_PEAK))),
        "AdamW, cosine decaying the lr 10x (to 10%), its cycle matched to the training tokens: a cycle more than "
        "25% longer than the run measurably hurts (App. B). Pinned: cycles 25% and 100% longer than the run, whose "
        "lr is still high when it stops. Max lr 1e-4 for Chinchilla 70B [R]; the warmup length is not verified, so "
        f"none here. Toy peak {LM_PEAK}; AdamW's default betas, no weight decay on the valley.",
        unit="tokens", length=1.4e12, per_epoch=1.4e12 / LM_EPOCHS, peak_lr=1e-4, floor="10% of peak",
        warmup="not verified", phases="cosine to 10% over the training tokens",
        optimizer={"name": "adamw"},
        source="Hoffmann et al. 2022, Training Compute-Optimal Large Language Models",
        flag="[V] decay and 25% / [R] lr 1e-4",
    )


def _r8() -> Preset:
    config = _valley(S("warmup_cosine_min_lr", lr=LM_PEAK, num_warmup_steps=2, num_training_steps=LM_EPOCHS,
                       min_lr_rate=0.1), "adamw", beta1=0.9, beta2=0.95, weight_decay=0.0)
    return _recipe(
        "R8-llama", "LLaMA: 2000 warmup steps, cosine to 10% of max", config, (),
        "AdamW betas (0.9, 0.95), weight decay 0.1, gradient clipping 1.0, 2000 warmup steps, cosine to 10% of "
        "the max. lr 3.0e-4 for 6.7B and 13B, 1.5e-4 for 32.5B and 65.2B; batch 4M tokens; 1.0T or 1.4T tokens "
        "(250k or 350k steps). 2000 of 250k steps is 0.8%: 2 of 300 epochs. Llama 2 is similar [R]. Toy peak "
        f"{LM_PEAK}; no clipping in the engine and no weight decay on the valley.",
        unit="tokens", length=1.0e12, per_epoch=1.0e12 / LM_EPOCHS, tokens_per_step=4e6,
        peak_lr={"6.7B": 3.0e-4, "13B": 3.0e-4, "32.5B": 1.5e-4, "65.2B": 1.5e-4}, floor="10% of peak",
        warmup="linear over 2000 steps", phases="cosine to 10% of max over the run (1.0T tokens; 1.4T for 32.5B+)",
        optimizer={"name": "adamw", "betas": (0.9, 0.95), "weight_decay": 0.1, "clip": 1.0},
        source="Touvron et al. 2023, LLaMA: Open and Efficient Foundation Language Models",
        flag="[V] schedule / [R] per-size lr and Llama 2",
    )


def _r9() -> Preset:
    config = _mlp(S("cosine_restarts", lr=0.05, T_0=10, T_mult=2, eta_min=0.0), 150, 5e-4)
    return _recipe(
        "R9-sgdr", "SGDR: cosine with warm restarts, T_0 = 10, T_mult = 2", config,
        (_with(config, S("cosine_restarts", lr=0.05, T_0=1, T_mult=2, eta_min=0.0)),
         _with(config, S("cosine", lr=0.05, T_max=150))),
        "lr = eta_min + (eta_max - eta_min)(1 + cos(pi T_cur / T_i))/2, T_i multiplied by T_mult at each restart. "
        "T_0 = 10, T_mult = 2 restarts at epochs 10, 30, 70 and 150 (the run's end); eta_max 0.05, eta_min 0 "
        "(WRN-28-10 on CIFAR). The point is anytime performance: a snapshot at each cycle's end. Pinned: T_0 = 1, "
        "T_mult = 2, and one cosine over the 150 epochs. Momentum 0.9, weight decay 5e-4 [R].",
        unit="epochs", length=150, per_epoch=1, peak_lr=0.05, floor=0.0, warmup=None,
        phases="cosine cycles of 10, 20, 40, 80 epochs", optimizer={"name": "sgd", "momentum": 0.9,
                                                                   "weight_decay": 5e-4},
        source="Loshchilov and Hutter 2017 (ICLR), SGDR: Stochastic Gradient Descent with Warm Restarts",
        flag="[V] abstract and formula / [R] T_0 and eta_max",
    )


def _r10() -> Preset:
    config = _mlp(S("onecycle", max_lr=3.0, total_steps=100, pct_start=0.3, div_factor=25.0,
                    final_div_factor=1e4), 100, 1e-4)
    fastai = S("onecycle", max_lr=3.0, total_steps=100, pct_start=0.25, div_factor=25.0, final_div_factor=1e5 / 25)
    return _recipe(
        "R10-one-cycle", "1cycle / super-convergence: one cycle up and down, then annihilate", config,
        (_with(config, fastai), _with(config, S("constant", lr=0.35))),
        "Pick the max lr with a range test, go up and down once, then anneal far below the start. ResNet-56 on "
        "CIFAR-10 with CLR 0.1-3.0 reaches 92.4% in 10k iterations, against 91.2% in ~80k for piecewise-constant "
        "at 0.35 (pinned as constant 0.35; its later steps are not given). PyTorch's OneCycleLR: pct_start 0.3, "
        "div 25, final_div 1e4 (this run); fastai: pct_start 0.25, div 25, div_final 1e5 = torch's final_div 4000 "
        "(pinned). Cyclical momentum 0.95 <-> 0.85 is not modelled: momentum stays 0.9.",
        unit="steps", length=10_000, per_epoch=100, peak_lr=3.0, floor=3.0 / 25 / 1e4, warmup="30% of the run up",
        phases="up to max_lr over pct_start, down to max_lr/div over the rest, annihilation to /final_div",
        optimizer={"name": "sgd", "momentum": (0.95, 0.85), "weight_decay": 1e-4},
        fastai={"pct_start": 0.25, "div": 25, "div_final": 1e5, "moms": (0.95, 0.85, 0.95)},
        source="Smith and Topin 2017/2019, Super-Convergence; Smith 2018, A disciplined approach to neural "
        "network hyper-parameters: Part 1", flag="[V]",
    )


def _r11() -> Preset:
    config = _mlp(S("cyclic", base_lr=0.1, max_lr=1.0, step_size_up=5, mode="triangular"), 100, 1e-4)
    return _recipe(
        "R11-clr", "Cyclical learning rates: triangular, triangular2, exp_range", config,
        (_with(config, S("cyclic", base_lr=0.1, max_lr=1.0, step_size_up=5, mode="triangular2")),
         _with(config, S("cyclic", base_lr=0.1, max_lr=1.0, step_size_up=5, mode="exp_range", gamma=0.99))),
        "The lr bounces linearly between base_lr and max_lr, both read off an lr range test; the half cycle "
        "(stepsize) is 2-10x the iterations of an epoch. This run: base 0.1, max 1.0, stepsize 5 epochs, "
        "triangular; pinned: triangular2 (the amplitude halves each cycle) and exp_range (gamma 0.99 a step). "
        "(CyclicLR here has no cyclical momentum.)",
        unit="steps", length=None, per_epoch=None, peak_lr=None, floor=None, warmup=None,
        phases="triangle waves, stepsize 2-10 epochs",
        optimizer={"name": "sgd", "momentum": 0.9},
        source="Smith 2017 (WACV), Cyclical Learning Rates for Training Neural Networks", flag="[R] stepsize rule",
    )


def _minicpm(decay: int) -> dict[str, Any]:
    """MiniCPM's WSD: constant, then exponential annealing 0.5^((s - S)/T) ending ~1.6% of the peak (T = D/6)."""
    start = LM_EPOCHS - decay
    return S("sequential", lr=0.1, milestones=[start], schedulers=[
        S("constant"), S("exponential", gamma=0.5 ** (6 / decay)),
    ])


def _r12() -> Preset:
    config = _valley(_minicpm(30))
    return _recipe(
        "R12-minicpm-wsd", "MiniCPM WSD: stable at the peak, then an exponential decay over ~10%", config,
        (_with(config, _minicpm(8)), _with(config, S("constant", lr=0.1))),
        "Warmup, stable at the peak, then decay: decaying over about 10% of the tokens suffices, 2.5% is not "
        "enough. The anneal is exponential, f(s - S) = 0.5^((s - S)/T) (half-life T); with T = D/6 here the lr "
        "ends near 1.6% of the peak [R: the half-life constant]. Pinned: the same decay over 2.5% (8 of 300 epochs), "
        "and the stable branch left undecayed; any stable checkpoint can be branched. On T10's valley at T10's "
        "peak 0.1 with plain SGD (teaching.md gives no optimizer); MiniCPM's short warmup is left out.",
        unit="tokens", length=None, per_epoch=None, peak_lr=None, floor="~1.6% of peak",
        warmup="short", phases="stable at the peak, exponential decay over the last ~10%", optimizer={},
        source="Hu et al. 2024, MiniCPM: Unveiling the Potential of Small Language Models with Scalable Training "
        "Strategies", flag="[V] / [R] half-life constant",
    )


def _r13() -> Preset:
    def cooldown(shape: str) -> dict[str, Any]:
        return S("wsd", lr=0.1, num_warmup_steps=0, num_decay_steps=60, num_training_steps=LM_EPOCHS, decay_type=shape)

    config = _valley(cooldown("1-sqrt"))
    return _recipe(
        "R13-cooldown", "Constant lr with a (1 - sqrt) cooldown matches cosine", config,
        (_with(config, cooldown("linear")),
         _with(config, S("warmup_cosine", lr=0.1, num_warmup_steps=10, num_training_steps=LM_EPOCHS))),
        "A constant lr with a short cooldown matches cosine, and a (1 - sqrt) cooldown over ~20% beats a linear "
        "one. On T10's valley (peak 0.1, plain SGD; 300 epochs of 10 steps = T10's 3000 steps) T10 measured "
        "final losses of .0074 for 1-sqrt over 20%, and .005 for cosine with a 100-step warmup. Pinned: linear "
        "cooldown over 20%, and that cosine.",
        unit="steps", length=None, per_epoch=None, peak_lr=None, floor=0.0, warmup=None,
        phases="constant, then (1 - sqrt) cooldown over the last 20%", optimizer={},
        source="Hägele et al. 2024, Scaling Laws and Compute-Optimal Training Beyond Fixed Training Durations",
        flag="[V]",
    )


def _r14() -> Preset:
    steps = S("chained", lr=LM_PEAK, schedulers=[
        S("linear", start_factor=0.01, total_iters=3),
        S("multistep", milestones=[240, 270], gamma=math.sqrt(0.1)),
    ])
    config = _valley(steps, "adamw", weight_decay=0.0)
    cosine = S("warmup_cosine_min_lr", lr=LM_PEAK, num_warmup_steps=3, num_training_steps=LM_EPOCHS, min_lr_rate=0.1)
    return _recipe(
        "R14-deepseek-multistep", "DeepSeek LLM: multi-step, 31.6% at 80% of tokens and 10% at 90%", config,
        (_with(config, cosine),),
        "2000 warmup steps, then the max lr until 80% of the tokens, 31.6% of it until 90%, 10% to the end; final "
        "quality matches cosine (pinned, to 10%). 7B: lr 4.2e-4, batch 2304; 67B: lr 3.2e-4, batch 4608; 2T tokens "
        "(~212k steps for 7B at 4096-token sequences, so the warmup is ~1%, 3 of 300 epochs). Each drop is "
        f"x sqrt(0.1). Toy peak {LM_PEAK}; teaching.md gives no betas, so AdamW's defaults.",
        unit="tokens", length=2e12, per_epoch=2e12 / LM_EPOCHS, peak_lr={"7B": 4.2e-4, "67B": 3.2e-4},
        floor="10% of peak", warmup="linear over 2000 steps", phases="100% to 80% of tokens, 31.6% to 90%, 10% after",
        optimizer={"name": "adamw", "batch_size": {"7B": 2304, "67B": 4608}},
        source="DeepSeek-AI 2024, DeepSeek LLM: Scaling Open-Source Language Models with Longtermism", flag="[V]",
    )


def _r15() -> Preset:
    config = _mlp(S("multistep", lr=0.1, milestones=[35, 70, 95], gamma=0.1), 110, 1e-4)
    warm = S("chained", lr=0.4, schedulers=[S("linear", start_factor=0.25, total_iters=5),
                                            S("multistep", milestones=[35, 70, 95], gamma=0.1)])
    return _recipe(
        "R15-feature-denoising", "Feature Denoising (tensorpack ImageNet): 110 epochs, /10 at 35, 70, 95", config,
        (_with(config, warm),),
        "110 epochs, lr divided by 10 at epochs 35, 70 and 95; when the base lr is above 0.1 the ImageNet-in-1-hour "
        "warmup is used (pinned: base 0.4, warmup from 0.1 over 5 epochs). Momentum 0.9 and weight decay 1e-4 are "
        "the usual ImageNet settings, not from teaching.md.",
        unit="epochs", length=110, per_epoch=1, peak_lr=0.1, floor=1e-4, warmup="Goyal's 5 epochs when lr > 0.1",
        phases="/10 at epochs 35, 70, 95", optimizer={"name": "sgd", "momentum": 0.9},
        source="Xie et al. 2019, Feature Denoising for Improving Adversarial Robustness", flag="[V]",
    )


def _r16() -> Preset:
    cycle = LM_EPOCHS // 3
    wsd_s = S("sequential", lr=0.1, milestones=[cycle, 2 * cycle], schedulers=[
        S("wsd", num_warmup_steps=0, num_decay_steps=cycle // 10, num_training_steps=cycle, decay_type="linear"),
    ] * 3)
    config = _valley(wsd_s)
    return _recipe(
        "R16-wsd-river-valley", "WSD in a river valley, and WSD-S (reusing decay checkpoints)", config,
        (_with(config, S("wsd", lr=0.1, num_warmup_steps=0, num_decay_steps=LM_EPOCHS // 10,
                         num_training_steps=LM_EPOCHS, decay_type="linear")),
         _with(config, S("constant", lr=0.1))),
        "The loss landscape is a river valley: the high stable lr makes progress along the river while bouncing "
        "across it (high loss); the decay settles to the river's floor at once (the sharp drop). WSD-S resumes "
        "at the peak from each decayed checkpoint, so every cycle's end is a usable model: three cycles of 100 "
        "epochs, each decaying over its last 10%. Pinned: one WSD with a 10% decay (T10), and the constant lr.",
        unit="steps", length=None, per_epoch=None, peak_lr=None, floor=0.0, warmup=None,
        phases="WSD-S: stable and decay phases repeated, each resuming from the decayed checkpoint", optimizer={},
        source="Wen et al. 2024, Understanding Warmup-Stable-Decay Learning Rates: A River Valley Loss Landscape "
        "Perspective", flag="[V] abstract",
    )


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (f() for f in (_t1, _t2, _t3, _t4, _t5, _t6, _t7, _t8, _t9, _t10, _t11, _t12, _t13, _t14, _t15,
                            _r1, _r2a, _r2b, _r3, _r4, _r5, _r6, _r7, _r8, _r9, _r10, _r11, _r12, _r13, _r14,
                            _r15, _r16))
}


def find(name: str) -> Preset:
    """The preset called ``name``, case-insensitively: its full name, its id ("T1", "r4") or the start of its
    name ("r4-no"); otherwise a :class:`ConfigError` listing the names allowed."""
    key = str(name).strip().lower()
    for preset in PRESETS.values():
        if key in (preset.name.lower(), preset.short.lower()):
            return preset
    starts = [p for p in PRESETS.values() if key and p.name.lower().startswith(key)]
    if len(starts) == 1:
        return starts[0]
    if starts:
        raise ConfigError(f"preset {format_value(name)} is ambiguous: allowed " + ", ".join(p.name for p in starts))
    spellings = {s.lower(): p.name for p in PRESETS.values() for s in (p.name, p.short)}
    close = difflib.get_close_matches(key, spellings, n=1)
    hint = f" (did you mean {spellings[close[0]]}?)" if close else ""
    raise ConfigError(f"preset {format_value(name)} is unknown{hint}: allowed " + ", ".join(PRESETS))
