"""Time the simulator against the same job done with torch.optim and torch schedulers.

    python benchmarks/bench_simulate.py            # torch columns appear when torch is installed

(a) 64 runs x 1,000 epochs (cosine schedules, lrs log-spaced) on ravine and on rosenbrock, momentum SGD:
    lrtui's vectorized simulate_many against 64 torch runs (float64 parameter, autograd, torch.optim.SGD,
    CosineAnnealingLR). Target: at least 10x faster than torch.
(b) the mlp problem at its default size (2-16-1, 200 points, batch 40), 200 epochs, Adam + warmup cosine:
    target under 100 ms, so the app can re-simulate on every key press; torch doing the same training
    loop (minibatches, held-out loss each epoch) is timed beside it.
Times are medians of repeats, all measured in this one run.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings

import numpy as np

from lrtui.sim.engine import simulate, simulate_many
from lrtui.sim.config import RunConfig

RUNS, EPOCHS = 64, 1000
LRS = {"ravine": np.geomspace(0.01, 0.5, RUNS), "rosenbrock": np.geomspace(1e-5, 1e-3, RUNS)}
START = {"ravine": [-5.0, -2.0], "rosenbrock": [-1.5, 2.0]}


def _median(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def lrtui_batch(problem):
    configs = [RunConfig(schedule={"name": "cosine", "params": {"lr": float(lr), "T_max": EPOCHS}}, problem=problem,
                         optimizer="momentum", optimizer_params={"momentum": 0.9}, epochs=EPOCHS)
               for lr in LRS[problem]]
    return lambda: simulate_many(configs)


def torch_batch(torch, problem):
    from torch.optim import lr_scheduler as L

    def f(x):
        if problem == "ravine":
            return 0.1 * x[0] ** 2 + 2 * x[1] ** 2
        return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2

    def job():
        for lr in LRS[problem]:
            x = torch.nn.Parameter(torch.tensor(START[problem], dtype=torch.float64))
            opt = torch.optim.SGD([x], lr=float(lr), momentum=0.9)
            sched = L.CosineAnnealingLR(opt, EPOCHS)
            for _ in range(EPOCHS):
                opt.zero_grad()
                loss = f(x)
                loss.backward()
                opt.step()
                sched.step()

    return job


def mlp_config():
    return RunConfig(schedule={"name": "warmup_cosine",
                               "params": {"lr": 0.02, "num_warmup_steps": 10, "num_training_steps": 200}},
                     problem="mlp", optimizer="adam", epochs=200)


def torch_mlp(torch):
    """The same training loop in torch: 2-16-1 tanh, BCE, Adam, minibatches of 40, held-out loss per epoch."""
    from lrtui.sim.datasets import two_moons

    X, y = two_moons(400, 0.2, 0)
    Xt, yt = torch.tensor(X[:200]), torch.tensor(y[:200])
    Xh, yh = torch.tensor(X[200:]), torch.tensor(y[200:])

    def job():
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)).double()
        opt = torch.optim.Adam(model.parameters(), lr=0.02)
        import transformers.optimization as T  # noqa: F401  (only when present)

        sched = T.get_cosine_schedule_with_warmup(opt, 10, 200)
        lossf = torch.nn.functional.binary_cross_entropy_with_logits
        for _ in range(200):
            with torch.no_grad():
                lossf(model(Xt).squeeze(1), yt)
                lossf(model(Xh).squeeze(1), yh)
            for idx in torch.randperm(200).split(40):
                opt.zero_grad()
                lossf(model(Xt[idx]).squeeze(1), yt[idx]).backward()
                opt.step()
            sched.step()

    return job


def main() -> int:
    warnings.simplefilter("ignore")
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        torch = None
    print(f"(a) {RUNS} runs x {EPOCHS} epochs, momentum SGD, cosine schedules")
    print(f"{'problem':<12}{'lrtui ms':>10}{'torch ms':>10}{'ratio':>9}")
    for problem in ("ravine", "rosenbrock"):
        ours = _median(lrtui_batch(problem), 5)
        if torch is not None:
            theirs = _median(torch_batch(torch, problem), 3)
            print(f"{problem:<12}{ours * 1e3:>10.1f}{theirs * 1e3:>10.0f}{theirs / ours:>8.0f}x   (target >= 10x)")
        else:
            print(f"{problem:<12}{ours * 1e3:>10.1f}{'-':>10}{'-':>9}")
    print()
    print("(b) mlp, default size (2-16-1, 200 points, batch 40), 200 epochs, Adam + warmup cosine")
    ours = _median(lambda: simulate(mlp_config()), 7)
    line = f"lrtui {ours * 1e3:.1f} ms (target < 100 ms)"
    if torch is not None:
        try:
            theirs = _median(torch_mlp(torch), 3)
            line += f"; torch {theirs * 1e3:.0f} ms, ratio {theirs / ours:.1f}x"
        except ImportError:
            line += "; torch timing needs transformers for the warmup cosine schedule"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
