"""What seeds cost (issue 23): a run over many seeds against the same run over one, measured in this run.

    python benchmarks/bench_seeds.py

(a) simulate: 16 seeds of an analytic problem against one seed (target: at most 2x), 8 seeds of a data
    problem against one (target: at most 4x); the seeds run together, vectorized (lrtui.sim.engine).
(b) a parameter change in the app, in a pty at 120x40: lr + on a noisy quadratic of 1,000 epochs over its 16
    seeds (auto), from the key to both plots redrawn, against a bare Textual app redrawing two PlotextPlot
    widgets of 1,000 points on a key (target: no slower), and against the same app on one seed.
Times are medians of repeats.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_app import _drain, _finish, _latency, _read_until, _spawn  # noqa: E402 - the pty helpers, shared

from lrtui.sim.config import RunConfig  # noqa: E402
from lrtui.sim.engine import simulate  # noqa: E402

FLOOR_1000 = r'''
import numpy as np
from textual.app import App
from textual_plotext import PlotextPlot

class Floor(App):
    BINDINGS = [("q", "quit"), ("plus", "change(1)"), ("minus", "change(-1)")]
    def compose(self):
        yield PlotextPlot(id="a")
        yield PlotextPlot(id="b")
    def on_mount(self):
        self.k = 0
        self.draw()
    def draw(self):
        x = np.arange(1000)
        for i, w in enumerate(self.query(PlotextPlot)):
            w.plt.clear_figure()
            w.plt.plot(x.tolist(), np.cos(x / (50 + i * 20 + self.k)).tolist(), marker="braille")
            w.plt.title(f"floor-plot-{i}")
            w.refresh()
    def action_change(self, d):
        self.k += d
        self.draw()

Floor().run()
'''


def _median_time(fn, repeats: int = 7) -> float:
    fn()  # warm
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


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
        one = _median_time(lambda: simulate(replace(base, seeds=1)))
        many = _median_time(lambda: simulate(replace(base, seeds=seeds)))
        print(f"  {problem:<12} {optimizer:<8} {epochs:>6} epochs: 1 seed {one * 1e3:7.1f} ms, {seeds:>2} seeds "
              f"{many * 1e3:7.1f} ms, {many / one:.2f}x (target <= {target:g}x)")


def keypress_table() -> None:
    python = sys.executable
    pid, fd = _spawn([python, "-c", FLOOR_1000])
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
        import os

        os.write(fd, b"\t")  # focus lr
        _drain(fd, 0.5)
        times[seeds] = statistics.median(_latency(fd, b"+" if i % 2 == 0 else b"-", 0.2)[0] for i in range(12))
        _finish(pid, fd)
    print("(b) a parameter change, key to both plots redrawn, 1,000 epochs of a noisy quadratic at 120x40:")
    print(f"  16 seeds (auto) {times['auto'] * 1e3:.0f} ms, one seed {times['1'] * 1e3:.0f} ms "
          f"({times['auto'] / times['1']:.2f}x); a bare app redrawing two 1,000-point plots {floor * 1e3:.0f} ms: "
          f"{times['auto'] / floor:.2f}x (target <= 1x)")


if __name__ == "__main__":
    simulate_table()
    keypress_table()
