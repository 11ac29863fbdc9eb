"""What seeds cost (issue 23): a run over many seeds against the same run over one, measured in this run.

    python benchmarks/bench_seeds.py [a] [b] [c]

(a) simulate: 16 seeds of an analytic problem against one seed (target: at most 2x), 8 seeds of a data
    problem against one (target: at most 4x); the seeds run together, vectorized (lrtui.sim.engine).
(b) a parameter change in the app, in a pty at 120x40: lr + on a noisy quadratic of 1,000 epochs over its 16
    seeds (auto), from the key to both plots redrawn, against a bare Textual app redrawing two PlotextPlot
    widgets of 1,000 points on a key (target: no slower), and against the same app on one seed.
(c) memory: the peak RSS of a process simulating a 100,000-epoch noisy run (the app's longest) over 16 and 256
    seeds, against the same process over one seed (target: at most 1.3x; the engine keeps its first seed's
    series and the statistics over the seeds, never a series per seed).
Times are medians of repeats.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_app import FLOOR_APP, _drain, _finish, _latency, _read_until, _spawn  # noqa: E402 - shared
from bench_simulate import _median  # noqa: E402

from lrtui.sim.config import RunConfig  # noqa: E402
from lrtui.sim.engine import simulate  # noqa: E402

CASES = [  # (problem, its parameters, optimizer, epochs, seeds, target ratio)
    ("quadratic", {"noise": 0.5}, "sgd", 1000, 16, 2.0),
    ("quadratic", {"noise": 0.5}, "sgd", 10_000, 16, 2.0),
    ("river_valley", {"noise": 3.0}, "sgd", 3000, 16, 2.0),
    ("rosenbrock", {"noise": 0.1}, "adam", 1000, 16, 2.0),
    ("nqm", {}, "momentum", 1000, 16, 2.0),
    ("mlp", {}, "adam", 200, 8, 4.0),
    ("logistic", {}, "sgd", 200, 8, 4.0),
]


def simulate_table() -> None:
    print("(a) simulate: many seeds against one")
    for problem, params, optimizer, epochs, seeds, target in CASES:
        base = RunConfig(schedule={"name": "cosine", "params": {"lr": 0.01, "T_max": epochs}}, problem=problem,
                         problem_params=params, optimizer=optimizer, epochs=epochs)
        simulate(base)  # warm
        one = _median(lambda: simulate(replace(base, seeds=1)), 7)
        many = _median(lambda: simulate(replace(base, seeds=seeds)), 7)
        print(f"  {problem:<12} {optimizer:<8} {epochs:>6} epochs: 1 seed {one * 1e3:7.1f} ms, {seeds:>2} seeds "
              f"{many * 1e3:7.1f} ms, {many / one:.2f}x (target <= {target:g}x)")


def keypress_table() -> None:
    python = sys.executable
    pid, fd = _spawn([python, "-c", FLOOR_APP, "1000"])
    _read_until(fd, b"floor-plot-1", 30)
    _drain(fd, 1.5)
    floor = statistics.median(_latency(fd, b"+" if i % 2 == 0 else b"-")[0] for i in range(12))
    _finish(pid, fd)
    times = {}
    for seeds in ("auto", "1"):
        pid, fd = _spawn([python, "-m", "lrtui", "--problem", "quadratic", "problem.noise=0.5", "--schedule",
                          "cosine", "lr=0.05", "--epochs", "1000", "--seeds", seeds])
        _read_until(fd, b"lr: cosine", 30)
        _drain(fd, 2.0)
        os.write(fd, b"\t")  # focus lr
        _drain(fd, 0.5)
        times[seeds] = statistics.median(_latency(fd, b"+" if i % 2 == 0 else b"-", 0.2)[0] for i in range(12))
        _finish(pid, fd)
    print("(b) a parameter change, key to both plots redrawn, 1,000 epochs of a noisy quadratic at 120x40:")
    print(f"  16 seeds (auto) {times['auto'] * 1e3:.0f} ms, one seed {times['1'] * 1e3:.0f} ms "
          f"({times['auto'] / times['1']:.2f}x); a bare app redrawing two 1,000-point plots {floor * 1e3:.0f} ms: "
          f"{times['auto'] / floor:.2f}x (target <= 1x)")


PEAK = r'''
import resource, sys
from lrtui.sim.config import RunConfig
from lrtui.sim.engine import simulate
problem, optimizer, seeds = sys.argv[1], sys.argv[2], int(sys.argv[3])
simulate(RunConfig(schedule={"name": "cosine", "params": {"lr": 0.01, "T_max": 100_000}}, problem=problem,
                   problem_params={"noise": 0.5}, optimizer=optimizer, epochs=100_000, seeds=seeds))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
'''


def memory_table() -> None:
    print("(c) peak RSS simulating 100,000 epochs over many seeds, against one seed (each its own process):")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    for problem, optimizer in (("quadratic", "sgd"), ("ravine", "momentum")):
        peak = {seeds: float(subprocess.run([sys.executable, "-c", PEAK, problem, optimizer, str(seeds)], env=env,
                                            capture_output=True, text=True, check=True).stdout)
                for seeds in (1, 16, 256)}
        print(f"  {problem:<10} {optimizer:<8}: 1 seed {peak[1]:.0f} MiB, 16 seeds {peak[16]:.0f} MiB "
              f"({peak[16] / peak[1]:.2f}x), 256 seeds {peak[256]:.0f} MiB ({peak[256] / peak[1]:.2f}x) "
              "(target <= 1.3x)")


if __name__ == "__main__":
    which = sys.argv[1:] or ["a", "b", "c"]
    if "a" in which:
        simulate_table()
    if "b" in which:
        keypress_table()
    if "c" in which:
        memory_table()
