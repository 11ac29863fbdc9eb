"""A map's cost (issue 27) against one run's, measured in this one run:

    python benchmarks/bench_map.py

1. a 60x20 map of 1,000-epoch runs on the quadratic (momentum on y, SGD with the noise on y) and a 20x8 map
   of the MLP (100 epochs), the median of three, against one run of the same kind: the target is a quadratic
   map within 0.5 s on two cores;
2. the peak memory (ru_maxrss) of a process that computes the quadratic map, against one that runs one run.

2026-12-06, two cores, other work running: the momentum map 0.31 and 0.61 s in two runs (84x and 123x one run),
the noisy SGD map 0.36-0.37 s; the MLP map 17 s for 160 cells (201x one run: its rows vectorize no better than
runs one by one; a first coarse picture within 2 s needs the map drawn as it comes); peak memory 63 MiB both,
1.00x (a map keeps a row's traces at a time).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lrtui.analysis.maps import axis, compute_map, default_range, default_y  # noqa: E402
from lrtui.sim.config import RunConfig, prepare  # noqa: E402
from lrtui.sim.engine import simulate  # noqa: E402

CASES = {
    "quadratic, momentum": RunConfig(problem="quadratic", optimizer="momentum", epochs=1000),
    "quadratic, sgd, noise": RunConfig(problem="quadratic", problem_params={"noise": 0.1}, epochs=1000, seeds=1),
    "mlp, adam, 100 epochs": RunConfig(problem="mlp", optimizer="adam", epochs=100),
}
SIZES = {"mlp, adam, 100 epochs": (20, 8)}
"""A map's cells where not 60x20: an MLP's cells cost a run each (the arithmetic is all)."""


def timed(fn) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def the_map(config: RunConfig, columns: int = 60, rows: int = 20):
    prepared = prepare(config)
    y = default_y(prepared)
    x_axis = axis("schedule.lr", *default_range(prepared, "schedule.lr")[:2], True, columns)
    low, high, log = default_range(prepared, y)
    return lambda: compute_map(prepared, x_axis, axis(y, low, high, log, rows))


PEAK = """
import resource, sys
sys.path.insert(0, {root!r})
from benchmarks.bench_map import CASES, the_map
from lrtui.sim.engine import simulate
config = CASES["quadratic, momentum"]
the_map(config)() if sys.argv[1] == "map" else simulate(config)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def peak_mib(what: str) -> float:
    out = subprocess.run([sys.executable, "-c", PEAK.format(root=str(ROOT)), what], capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip())


def main() -> int:
    for name, config in CASES.items():
        columns, rows = SIZES.get(name, (60, 20))
        one = timed(lambda: simulate(config))
        whole = timed(the_map(config, columns, rows))
        print(f"1. {name}: a {columns}x{rows} map {whole:.2f} s, one run {one * 1e3:.1f} ms, ratio "
              f"{whole / one:.0f}x ({columns * rows:,} runs)")
    single, mapped = peak_mib("one"), peak_mib("map")
    print(f"2. peak memory: the quadratic map's process {mapped:.0f} MiB, one run's {single:.0f} MiB, "
          f"ratio {mapped / single:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
