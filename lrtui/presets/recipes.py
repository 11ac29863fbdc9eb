"""The published recipes R1...R16 of ``../shared/teaching.md`` as presets (see :mod:`lrtui.presets`)."""

from __future__ import annotations

import math
from typing import Any

from lrtui.presets.preset import Preset, S, noam_lr, with_changes
from lrtui.sim.config import RunConfig


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
    config = with_changes(config, plateau_metric="heldout")
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
        (with_changes(config, warm),),
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
        (with_changes(config, _goyal(0.1, 0.1)),),
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
    config = _valley(S("inverse_sqrt", lr=noam_lr(512, warmup), num_warmup_steps=warmup), "adam",
                     beta1=0.9, beta2=0.98, eps=1e-9)
    return _recipe(
        "R4-noam", "Transformer (Noam): linear warmup, then inverse square root", config, (),
        "Adam, betas (0.9, 0.98), eps 1e-9; lr = d_model^-0.5 min(step^-0.5, step warmup^-1.5) with d_model = 512 "
        "and warmup 4000: peak 6.99e-4 at step 4000, base model 100k steps. Scaled to 300 epochs the warmup is 4%, "
        f"12 epochs, and the same formula gives lr = 512^-0.5 x 12^-0.5 = {noam_lr(512, warmup):.4g} at its peak.",
        unit="steps", length=100_000, per_epoch=100_000 / LM_EPOCHS, peak_lr=noam_lr(512, 4000), floor=None,
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
        (with_changes(config, nanogpt),),
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
        (with_changes(config, S("cosine", lr=LM_PEAK, T_max=375, eta_min=0.1 * LM_PEAK)),
         with_changes(config, S("cosine", lr=LM_PEAK, T_max=2 * LM_EPOCHS, eta_min=0.1 * LM_PEAK))),
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
        (with_changes(config, S("cosine_restarts", lr=0.05, T_0=1, T_mult=2, eta_min=0.0)),
         with_changes(config, S("cosine", lr=0.05, T_max=150))),
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
        (with_changes(config, fastai), with_changes(config, S("constant", lr=0.35))),
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
        (with_changes(config, S("cyclic", base_lr=0.1, max_lr=1.0, step_size_up=5, mode="triangular2")),
         with_changes(config, S("cyclic", base_lr=0.1, max_lr=1.0, step_size_up=5, mode="exp_range", gamma=0.99))),
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
        (with_changes(config, _minicpm(8)), with_changes(config, S("constant", lr=0.1))),
        "Warmup, stable at the peak, then decay: decaying over about 10% of the tokens suffices, 2.5% is not "
        "enough. The anneal is exponential, f(s - S) = 0.5^((s - S)/T) (half-life T); with T = D/6 here the lr "
        "ends near 1.6% of the peak [R: the half-life constant]. Pinned: the same decay over 2.5% (8 of 300 epochs), "
        "and the stable branch left undecayed; any stable checkpoint can be branched. On T10's valley at T10's "
        "peak 0.1 with plain SGD (the recipe names no optimizer); MiniCPM's short warmup is left out.",
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
        (with_changes(config, cooldown("linear")),
         with_changes(config, S("warmup_cosine", lr=0.1, num_warmup_steps=10, num_training_steps=LM_EPOCHS))),
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
        (with_changes(config, cosine),),
        "2000 warmup steps, then the max lr until 80% of the tokens, 31.6% of it until 90%, 10% to the end; final "
        "quality matches cosine (pinned, to 10%). 7B: lr 4.2e-4, batch 2304; 67B: lr 3.2e-4, batch 4608; 2T tokens "
        "(~212k steps for 7B at 4096-token sequences, so the warmup is ~1%, 3 of 300 epochs). Each drop is "
        f"x sqrt(0.1). Toy peak {LM_PEAK}; the recipe gives no betas, so AdamW's defaults.",
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
        (with_changes(config, warm),),
        "110 epochs, lr divided by 10 at epochs 35, 70 and 95; when the base lr is above 0.1 the ImageNet-in-1-hour "
        "warmup is used (pinned: base 0.4, warmup from 0.1 over 5 epochs). Momentum 0.9 and weight decay 1e-4 are "
        "the usual ImageNet settings, not the recipe's.",
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
        (with_changes(config, S("wsd", lr=0.1, num_warmup_steps=0, num_decay_steps=LM_EPOCHS // 10,
                         num_training_steps=LM_EPOCHS, decay_type="linear")),
         with_changes(config, S("constant", lr=0.1))),
        "The loss landscape is a river valley: the high stable lr makes progress along the river while bouncing "
        "across it (high loss); the decay settles to the river's floor at once (the sharp drop). WSD-S resumes "
        "at the peak from each decayed checkpoint, so every cycle's end is a usable model: three cycles of 100 "
        "epochs, each decaying over its last 10%. Pinned: one WSD with a 10% decay (T10), and the constant lr.",
        unit="steps", length=None, per_epoch=None, peak_lr=None, floor=0.0, warmup=None,
        phases="WSD-S: stable and decay phases repeated, each resuming from the decayed checkpoint", optimizer={},
        source="Wen et al. 2024, Understanding Warmup-Stable-Decay Learning Rates: A River Valley Loss Landscape "
        "Perspective", flag="[V] abstract",
    )


RECIPES = tuple(f() for f in (_r1, _r2a, _r2b, _r3, _r4, _r5, _r6, _r7, _r8, _r9, _r10, _r11, _r12, _r13, _r14, _r15,
                              _r16))
