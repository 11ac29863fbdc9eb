"""The memory an export takes (issue 24: 65 MB of CSV and JSON built whole took five times that): the peak
of Python's allocations (tracemalloc) while ``export_runs`` writes seven noisy runs, as a ratio to the bytes
it writes, measured in this run.

    python benchmarks/bench_export.py [--epochs 100000]   # run from another checkout: that one measured
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))  # (the checkout this is run from)

from lrtui.io.run_export import export_runs  # noqa: E402
from lrtui.sim.config import RunConfig  # noqa: E402
from lrtui.sim.engine import simulate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=100_000)
    args = parser.parse_args()
    base = RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1}}, problem="quadratic",
                     problem_params={"noise": 0.5}, epochs=args.epochs, seeds=4)
    traces = [simulate(replace(base, schedule={"name": "cosine", "params": {"lr": lr}}))
              for lr in (0.1, 0.05, 0.02, 0.01, 0.2, 0.3, 0.15)]
    with tempfile.TemporaryDirectory() as folder:
        tracemalloc.start()
        start = time.perf_counter()
        paths = export_runs(traces, [f"#{i}" for i in range(len(traces))], folder)
        took = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = sum(p.stat().st_size for p in paths)
    print(f"lrtui from {Path(sys.modules['lrtui.io.run_export'].__file__).parents[2]}")
    print(f"7 runs of {args.epochs:,} epochs: {size / 1e6:.1f} MB written in {took:.1f} s; peak allocations "
          f"{peak / 1e6:.1f} MB = {peak / size:.2f}x the bytes written")


if __name__ == "__main__":
    main()
