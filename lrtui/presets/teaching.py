"""The teaching scenarios T1...T15 of ``../shared/teaching.md`` as presets (see :mod:`lrtui.presets`), and
the lessons of 2024-2025 after them: T16 (schedule-free), T17 (WSD cooldown shapes), T18 (the warmup map)."""

from __future__ import annotations

from typing import Any

from lrtui.presets.preset import Preset, S, noam_lr, one_per_schedule, with_changes
from lrtui.sim.config import RunConfig

D2L = "Zhang et al., Dive into Deep Learning (d2l.ai), chapters on gradient descent and optimization"


def _t1() -> Preset:
    base = RunConfig(S("constant", lr=2.1), "quadratic", {"L": 1.0, "x0": 1.0}, epochs=30)
    d2l = RunConfig(S("constant", lr=0.2), "quadratic", {"L": 2.0, "x0": 10.0}, epochs=10)
    return Preset(
        "T1-stability-ladder", "Stability ladder on a 1-D quadratic: divergence when lr > 2/L", "teaching",
        base, one_per_schedule(base, *(S("constant", lr=lr) for lr in (0.5, 1.0, 1.5, 1.9, 2.0))),
        "f = x^2/2 (L = 1) from x0 = 1, 30 steps of plain GD, x_t = (1 - lr)^t. lr 0.5 is monotone (x1..x4 = .5 .25 "
        ".125 .0625, x30 = 9.3e-10); lr 1 = 1/L lands on 0 in one step; 1.5 oscillates but converges (x30 = 9.3e-10); "
        "1.9 oscillates slowly (x30 = 4.2e-2); 2 = 2/L is a period-2 orbit -1, 1, -1, ...; 2.1 grows 1.1x a step "
        "(x30 = 17.4). Stable iff lr < 2/L. lr 2.5 (x30 = 1.9e5 in the table) is called diverged by the engine at "
        "step 18, when the loss passes 1e6 x its start. d2l's f = x^2 from 10, 10 steps: lr 0.2 ends at 0.0605, "
        "0.05 at 3.487 (too slow), 1.1 at 61.9 (diverges) (variants); its non-convex x cos(0.15 pi x) is not a "
        "problem here.",
        {"source": "teaching.md T1; " + D2L, "flag": "[N]", "view": "loss", "variants": {
            "lr 2.5: fast divergence": with_changes(base, S("constant", lr=2.5)),
            "d2l f = x^2, x0 = 10, lr 0.2": d2l,
            "d2l lr 0.05 (too slow)": with_changes(d2l, S("constant", lr=0.05)),
            "d2l lr 1.1 (diverges)": with_changes(d2l, S("constant", lr=1.1)),
        }},
    )


def _t2() -> Preset:
    base = RunConfig(S("constant", lr=0.6), "ravine", {"x0": -5.0, "y0": -2.0}, "momentum", {"momentum": 0.5},
                     epochs=20)
    gd = {"optimizer": "sgd", "optimizer_params": {}}
    return Preset(
        "T2-ravine-momentum", "Ill-conditioned valley: zig-zag, the stability edge, momentum's wider range", "teaching",
        base,
        (with_changes(base, S("constant", lr=0.4), **gd), with_changes(base, S("constant", lr=0.5), **gd),
         with_changes(base, S("constant", lr=0.6), **gd), with_changes(base, optimizer_params={"momentum": 0.25}),
         with_changes(base, S("constant", lr=0.4), optimizer_params={"momentum": 0.9})),
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
        base, one_per_schedule(base, S("constant", lr=0.5), S("constant", lr=0.01)),
        "f = x^2/2 with gradient noise sigma = 1: a constant lr stalls at E[f] = lr sigma^2 / (2 (2 - lr L)), the "
        "line on the loss plot. Theory 0.1667 at lr 0.5, 0.0263 at 0.1, 0.00251 at 0.01; simulated (seed means) "
        "0.1669, 0.0262, 0.00248. A smaller lr lowers the floor but takes longer to get there: only a decaying lr "
        "gets under it (T4). The lesson gives no start; x0 = 1 here.",
        {"source": "teaching.md T3", "flag": "[N]", "view": "loss"},
    )


def _t4() -> Preset:
    base = RunConfig(S("inverse_time", lr=0.1, decay_rate=1.0, decay_steps=10), "quadratic",
                     {"L": 1.0, "x0": 5.0, "noise": 1.0}, epochs=2000)
    return Preset(
        "T4-robbins-monro", "Robbins-Monro: decay, but not too fast", "teaching",
        base,
        one_per_schedule(base, S("constant", lr=0.1), S("constant", lr=0.01), S("exponential", lr=0.1, gamma=0.95),
             S("multistep", lr=0.1, milestones=[500, 1000]), S("cosine", lr=0.1, T_max=2000)),
        "f = x^2/2, noise 1, x0 = 5, 2000 steps; mean loss at steps 100/500/1000/2000 (sum of lr in brackets), "
        "expected values (means over 256 seeds; the app shows the mean of 16 with its band). "
        "1/(10 + t) [5.35; sum lr = inf, sum lr^2 < inf]: .089/.0049/.0015/.0005, still falling. Constant 0.1 [200]: "
        ".027/.026/.027/.026, stuck at the floor. Constant 0.01 [20]: 1.68/.0029/.0024/.0025, slow start. "
        "0.1 x 0.95^t [2.0]: .218 then frozen at .213, it decays too fast. Step 0.1 /10 at 500 and 1000 [56]: "
        ".026/.026/.0026/.00058, a staircase. Cosine 0.1 -> 0 [100]: .026/.023/.012/.0012. The scoreboard's "
        "sums of lr and lr^2 are the Robbins-Monro counters. The scoreboard's final is each seed's mean over the "
        "last 10% (steps 1800-2000), averaged over the 16 seeds, +- its standard error; over 256 seeds: 1/(10 + t) "
        ".00050, constant 0.1 .027, constant 0.01 .0025, 0.95^t .21, step .00060, cosine .0012. At 16 seeds "
        "1/(10 + t), step and cosine overlap and share the first rank (the rank column marks a tie): type seeds "
        "256 to tell cosine apart. d2l's variant (f = x1^2 + 2 x2^2) is not a problem here.",
        {"source": "teaching.md T4 (Robbins and Monro 1951); " + D2L, "flag": "[N]", "view": "loss",
         "columns": ("Σlr", "Σlr²", "rank"), "variants": {
            "0.1 x 0.99^t (freezes later, .0013)": with_changes(base, S("exponential", lr=0.1, gamma=0.99)),
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
        one_per_schedule(base, S("constant", lr=0.275), S("constant", lr=0.3), _warmup_from_zero(0.5, 20),
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
    wide = with_changes(base, S("constant", lr=0.4), problem_params={"x0": 3.0, "y0": 0.05})
    return Preset(
        "T6-catapult", "Catapult and edge of stability on L(u, v) = (uv - 1)^2 / 2", "teaching",
        base, one_per_schedule(base, S("constant", lr=0.05), S("constant", lr=0.3), S("constant", lr=0.7)),
        "Sharpness at a minimum is u^2 + v^2; from (2.5, 0.1) lambda0 = 6.26, so the catapult window is "
        "2/lambda0 = 0.32 < lr < 4/lambda0 = 0.64 (Lewkowycz et al. 2020). lr 0.05: max loss 0.13, ends at "
        "sharpness 6.54 (lazy, sharp minimum); 0.3: 0.23, 5.61 (sub-critical); 0.5: the loss spikes to 3.78 and "
        "lands at sharpness 2.45 < 2/lr = 4, a flatter minimum (catapult); 0.7 diverges. From (3.0, 0.05), "
        "lambda0 = 9: lr 0.4 spikes to 9.4 and ends at sharpness 2.0, 0.6 diverges (variants). Sharpness against "
        "2/lr is the edge-of-stability picture (Cohen et al. 2021).",
        {"source": "teaching.md T6; Lewkowycz et al. 2020; Cohen et al. 2021", "flag": "[N]", "view": "sharpness",
         "variants": {"init (3.0, 0.05), lr 0.4: catapult": wide,
                      "init (3.0, 0.05), lr 0.6: diverges": with_changes(wide, S("constant", lr=0.6))}},
    )


def _t7() -> Preset:
    base = RunConfig(S("cosine_restarts", lr=0.5, T_0=100, T_mult=2, eta_min=0.001), "two_basins", {"x0": 2.05},
                     epochs=1500)
    return Preset(
        "T7-flat-minima", "Large-lr phases select flat minima (warm restarts, cosine, step decay)", "teaching",
        base,
        one_per_schedule(base, S("constant", lr=0.005), S("constant", lr=0.05), S("constant", lr=0.5),
             S("cosine", lr=0.5, T_max=1500, eta_min=0.001), S("multistep", lr=0.5, milestones=[750, 1125])),
        "f = 0.02x^2 - exp(-(x-2)^2/0.02) - 1.2 exp(-(x+2)^2/4.5) from x0 = 2.05, 1500 steps. The sharp local "
        "minimum x = 1.999 (f = -0.954, curvature ~100) is stable only for lr < 0.020; the flat global one "
        "x = -1.860 (f = -1.126, curvature 0.57) takes any lr here. Constant 0.005 (or 0.015) stays sharp; 0.05 is "
        "ejected but still wanders at the end (x = 1.79); constant 0.5, cosine 0.5 -> 0.001, SGDR (T_0 = 100, "
        "T_mult = 2, 0.5 -> 0.001), warmup 50 + cosine and step 0.5 /10 at 750/1125 all end in the flat minimum. "
        "Caveat: on the periodic 0.05x^2 + 1 - cos 2x (not a problem here) SGDR's basin depends on the peak lr, so "
        "restarts kick you out of sharp basins, they do not always find the global one.",
        {"source": "teaching.md T7; Loshchilov and Hutter 2017", "flag": "[N]", "view": "sharpness", "variants": {
            "constant 0.015 (stays sharp)": with_changes(base, S("constant", lr=0.015)),
            "warmup 50 + cosine": with_changes(base, S("cosine", lr=0.5, T_max=1450, warmup=50)),
        }},
    )


def _t8() -> Preset:
    base = RunConfig(S("constant", lr=0.87), "spectrum", {"l1": 10.0, "l2": 1.0, "l3": 0.1, "x0": 1.0}, epochs=100)
    return Preset(
        "T8-range-test", "The lr range test and its pitfall", "teaching",
        base, one_per_schedule(base, S("constant", lr=0.087), S("constant", lr=0.135), S("constant", lr=0.2)),
        "f = (10 x1^2 + x2^2 + 0.1 x3^2)/2 from (1, 1, 1); range test: 100 steps, lr log-spaced 1e-4 -> 10. The "
        "true stable limit is 2/lambda_max = 0.2, yet the loss is lowest at lr ~0.87 and first rises at ~0.98; "
        "fastai's stop (smoothed loss > 4x best) fires at ~1.38 (at 0.49 with noise 0.3). The picks min/10 = 0.087 "
        "and steepest = 0.135 are safe; the min-loss point is ~4x too high: the sharp direction converged early "
        "and needs many steps to blow up again. The runs: 0.87 diverges, 0.2 keeps x1 in a period-2 orbit, "
        "0.087 and 0.135 converge.",
        {"source": "teaching.md T8; Smith 2017; fastai lr_find", "flag": "[N]", "view": "range",
         "range_test": {"steps": 100, "lr_min": 1e-4, "lr_max": 10.0},
         "variants": {"noise 0.3 (the test stops earlier)": with_changes(base, problem_params={**base.problem_params,
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


def _river_wsd(decay: int, shape: str) -> dict[str, Any]:
    """WSD at peak 0.1 over T10's 3000 steps, no warmup, decaying over the last ``decay`` steps in ``shape``."""
    return S("wsd", lr=0.1, num_warmup_steps=0, num_decay_steps=decay, num_training_steps=3000, decay_type=shape)


def _t10() -> Preset:
    wsd = _river_wsd
    base = RunConfig(wsd(300, "linear"), "river_valley", {"x0": 0.0, "y0": 0.0, "noise": 3.0}, epochs=3000)
    return Preset(
        "T10-wsd-river-valley", "WSD in a river valley: high loss while stable, a sharp drop in the decay", "teaching",
        base,
        one_per_schedule(base, S("constant", lr=0.1), wsd(75, "linear"), wsd(600, "1-sqrt"),
             S("warmup_cosine", lr=0.1, num_warmup_steps=100, num_training_steps=3000)),
        "f = 10 y^2/2 + 0.02 (x - 10)^2/2, noise 3 across and 0.3 along the river, from (0, 0), 3000 steps, peak "
        "0.1. The floor across is lr sigma^2 / (2 (2 - lr a)) = 0.45. Mean loss at 1000/2000/2700/2800/2900/3000: "
        "constant .47/.50/.46/.47/.47/.43; WSD with linear decay over the last 10% .44/.47/.46/.24/.09/.015; over "
        "the last 2.5% .50/.47/.45/.41/.44/.026 (too short, as MiniCPM found); 1-sqrt over the last 20% "
        ".47/.47/.08/.05/.02/.0074; cosine with 100 warmup steps .32/.07/.011/.007/.005/.005. These are means "
        "over 200 seeds; the app shows the mean of 16 seeds with their 10-90% band (one seed's loss at one step "
        "scatters by as much as the mean while the lr is high: sd .6 at step 1000, .016 at 3000). The "
        "scoreboard's final is the mean over the last 10% (steps 2700-3000: all of the 10% decay), over 256 "
        "seeds: WSD 10% .18, constant .45, WSD 2.5% .38, 1-sqrt 20% .037, cosine .0065. Branch a decay from any "
        "stable step k to see the drop (w; Wen et al. 2024): the branches from 1350, 2025 and 2700 end at "
        ".057/.022/.020 (the last 30 steps, 256 seeds; one seed scatters by .024, the 16 seeds' mean by .006).",
        {"source": "teaching.md T10; Wen et al. 2024 [V abstract]", "flag": "[N]", "view": "loss"},
    )


def _t11() -> Preset:
    base = RunConfig(S("plateau", lr=0.1, factor=0.1, patience=2), "quadratic", {"L": 1.0, "x0": 5.0, "noise": 1.0},
                     epochs=30, seed=3, steps_per_epoch=100, plateau_metric="running")
    return Preset(
        "T11-plateau-noise", "ReduceLROnPlateau on a noisy loss: the noise floor looks like a plateau", "teaching",
        base,
        (with_changes(base, S("plateau", lr=0.1, factor=0.1, patience=2, min_lr=1e-3, cooldown=3)),),
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
        one_per_schedule(base, S("constant", lr=1e-3), S("constant", lr=1.5e-3), S("constant", lr=2.1e-3),
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
        base, (with_changes(base, **gd), with_changes(base, S("constant", lr=1e-3), **gd)),
        "Beale's function from (3, 4) (Tiao's start); the global minimum is (3, 0.5). Gradients are huge at the "
        "start: momentum 0.9 at lr 1e-4 diverges at once (step 3), and so does GD at 1e-3 (step 1); GD at 1e-4 is "
        "slow, f = 0.035 at (2.62, 0.39) after 20000 steps.",
        {"source": "teaching.md T13", "flag": "[N]", "view": "landscape"},
    )




def _t14() -> Preset:
    base = RunConfig(S("inverse_sqrt", lr=noam_lr(512, 4000), num_warmup_steps=4000), "quadratic",
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
        (with_changes(base, optimizer_params={"momentum": 0.9}), with_changes(base, optimizer_params={"momentum": 0.5}),
         with_changes(base, optimizer="sgd", optimizer_params={})),
        "Distill's defaults, step 0.02 and momentum 0.99: heavy ball rings around the minimum with its own "
        "oscillations, decaying only as sqrt(0.99)^t, while GD at 0.02 crawls along the flat direction. The "
        "bound to overlay on the lr-momentum grid is d2l's 0 < lr lambda < 2 + 2 momentum (the stability line: "
        "2 (1 + 0.99)/4 = 0.995 here). It opens on that grid, Distill's map: every (lr, momentum) a run, shaded "
        "by its final loss, the stability line (1 + momentum)/2 and critical damping (1 - sqrt(4 lr))^2 drawn, "
        "the fastest runs along the latter (m closes it; v shows the ringing path). Distill's own 2-D quadratic "
        "is not given with it; the ravine (curvatures 0.2 and 4) stands in for it.",
        {"source": "teaching.md T15; Goh 2017, Why Momentum Really Works (Distill); " + D2L, "flag": "[V]",
         "view": "map"},
    )


def _linear_decay(lr: float, steps: int) -> dict[str, Any]:
    """lr down to 0 in a straight line over ``steps``, then 0: torch's PolynomialLR of power 1 (the scoreboard
    names it by its horizon alone)."""
    return S("polynomial", lr=lr, total_iters=steps)


def _t16() -> Preset:
    base = RunConfig(S("constant", lr=0.1), "nqm", {"x0": 1.0, "noise": 1.0}, "schedulefree_sgd", epochs=2000)
    sgd = {"optimizer": "sgd", "optimizer_params": {}}
    return Preset(
        "T16-schedule-free", "Schedule-free SGD matches a tuned decay without knowing the horizon", "teaching",
        base,
        (with_changes(base, **sgd), with_changes(base, _linear_decay(0.1, 2000), **sgd),
         with_changes(base, _linear_decay(0.1, 1000), **sgd), with_changes(base, _linear_decay(0.1, 4000), **sgd),
         with_changes(base, S("cosine", lr=0.1, T_max=2000), **sgd)),
        "The noisy quadratic model, curvatures (1, 0.1, 0.01), gradient noise variance lambda_i (noise 1, a batch of "
        "one), from (1, 1, 1), 2000 steps, every run at lr 0.1. Schedule-free SGD (momentum 0.9) keeps the lr "
        "constant and shows the loss at the average x of its iterates (eval mode). Expected loss at steps "
        "500/1000/1500/2000 (exact, the same numbers as the mean of many seeds): schedule-free "
        ".0093/.0057/.0038/.0028; constant SGD .031/.030/.029/.029, stuck at its noise floor; linear decay to 0 "
        "at step 2000, which has to know the horizon, .024/.016/.0083/.0029; the same decay planned for 1000 steps "
        ".017/.0049 and then frozen at .0049 (lr 0 from 1000); planned for 4000 (the horizon guessed 2x too long, "
        "stopped halfway) .027/.022/.018/.015; cosine to 0 at 2000 .027/.016/.0057/.0025. Schedule-free needs no "
        "horizon and is at every step near the decay that ends there (at 1000: .0057, the 1000-step decay .0049; at "
        "2000: .0028, the 2000-step decay .0029), where a decay is good only at its own end; it ends far under the "
        "loss plot's noise-floor line, constant SGD's at this lr. The linear decays are polynomial (power 1) "
        "with total_iters the planned horizon. The scoreboard's final "
        "(the mean over steps 1800-2000) expects schedule-free .0030, linear .0035, cosine .0026, constant .029. "
        "Each at its best lr for this horizon: linear .0028 (lr 0.11), schedule-free .0026 (0.15), cosine .0024 "
        "(0.14): schedule-free matches a tuned decay without knowing when training stops; it does not beat "
        "cosine here (Defazio et al. 2024).",
        {"source": "Defazio et al. 2024, The Road Less Scheduled (schedulefree.SGDScheduleFree); Zhang et al. 2019 "
                   "(NQM)", "flag": "[N]", "view": "loss", "log": ("loss",)},
    )


def _t17() -> Preset:
    wsd = _river_wsd
    base = RunConfig(wsd(600, "1-sqrt"), "river_valley", {"x0": 0.0, "y0": 0.0, "noise": 3.0}, epochs=3000)
    return Preset(
        "T17-cooldown-shapes", "WSD's cooldown: 1-sqrt against linear in the river valley", "teaching",
        base, one_per_schedule(base, wsd(600, "linear"), wsd(300, "1-sqrt"), wsd(300, "linear"), wsd(600, "cosine")),
        "T10's river valley (f = 10 y^2/2 + 0.02 (x - 10)^2/2, noise 3 across and 0.3 along, from (0, 0), 3000 "
        "steps, peak 0.1), WSD with cooldowns of the same length in two shapes (Hagele et al. 2024): 1 - sqrt(p) "
        "drops fast, then lingers at a small lr; linear goes down evenly. Expected final loss (exact, the mean over "
        "many seeds): 20% cooldown (600 steps) 1-sqrt .0075, linear .0099; 10% (300) 1-sqrt .0103, linear .0137: "
        "1-sqrt ends about 25% lower at either length, and the longer cooldown is better for both. During the "
        "cooldown the gap is wider: the scoreboard's final (the mean over the last 300 steps) expects 1-sqrt .037 "
        "and linear .071 at 20%, .106 and .178 at 10%. One seed's final loss scatters by about its mean (sd .009 at "
        "20% 1-sqrt), so over the same seeds (the same noise) 1-sqrt ends lower in only 6 of 10, and the means of "
        "16 seeds order the two right about 9 times in 10 (256 seeds measured). Beyond the paper: a cosine-shaped "
        "cooldown of 20% ends lower still here, .0068 at its last step, though the scoreboard's mean over the last 300 "
        "steps reads it higher, .053 (1-sqrt .037): it holds a larger lr longer and falls only at the very end.",
        {"source": "Hagele et al. 2024, Scaling Laws and Compute-Optimal Training Beyond Fixed Training Durations; "
                   "teaching.md T10", "flag": "[N]", "view": "loss", "log": ("loss",)},
    )


def _t18() -> Preset:
    base = RunConfig(S("constant", lr=1.5, warmup=10), "quartic", {"x0": 2.5}, epochs=100)
    return Preset(
        "T18-warmup-map", "The warmup map: a longer warmup allows a larger target lr", "teaching",
        base,
        (with_changes(base, S("constant", lr=1.5, warmup=0)), with_changes(base, S("constant", lr=1.5, warmup=5))),
        "Kalra and Barkeshli (2024) map the final loss over (warmup length, target lr) and find warmup's real gift: "
        "a larger stable lr. On f = x^4/4 + x^2/2 from x0 = 2.5 the curvature 3x^2 + 1 falls from 19.75 at the start "
        "to 1 at the minimum. The same target lr 1.5 diverges without warmup (epoch 2) and with 5 epochs of it "
        "(epoch 4), and converges with 8 or more (10 here: f = 2.6e-66 at epoch 100): the small first steps carry "
        "x to where 2/lambda is above 1.5. It opens on the map over lr (log) and warmup (0 to 40 epochs): the "
        "largest stable target lr grows from about 0.3 without warmup to just under 2 = 2/lambda at the minimum "
        "with 10 or more, where no warmup can take it further (the arrows move over the cells, enter makes one the "
        "run, a takes other axes, m closes).",
        {"source": "Kalra and Barkeshli 2024, Why Warmup the Learning Rate?; teaching.md T5", "flag": "[N]",
         "view": "map", "map": "y=warmup lr=0.01..3 warmup=0..40"},
    )


TEACHING = tuple(f() for f in (_t1, _t2, _t3, _t4, _t5, _t6, _t7, _t8, _t9, _t10, _t11, _t12, _t13, _t14, _t15,
                               _t16, _t17, _t18))
