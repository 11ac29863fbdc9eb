"""The work estimate against the work (issue 24): every problem, optimizer and schedule kind simulated here,
its time against what lrtui.sim.config.estimated_seconds said before it ran.

    python benchmarks/bench_estimate.py [--json rows.json]

A run is refused when its estimate is over the work budget, so an estimate that is low lets a run through that
keeps a core busy far longer (beale with adam under plateau ran 11x its estimate). Each combination (and, per
problem, one step an epoch and many seeds; per data problem, its sizes: minibatches of one, the whole set over
32 seeds, an MLP's narrowest and widest layers) is timed as the median of three runs; the target is that no
run takes more than 2x its estimate. The estimate's tables (lrtui.sim.config.STEP_SECONDS,
OPTIMIZER_STEP_SECONDS, EXTRA_SEED_COST, SAMPLE_UNIT_SECONDS) were measured on 2026-12-06 (worst 1.49x then,
quiet; the least 0.31x, an MLP of 256 units); ``--json tests/fixtures/estimate_times.json`` records a new
table, which tests/test_estimate.py holds the model to.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import replace
from pathlib import Path

from lrtui.sim.config import PROBLEMS, RunConfig, estimated_seconds, prepare
from lrtui.sim.engine import simulate
from lrtui.sim.optimizers import OPTIMIZERS

SCHEDULES = {  # a schedule kind: a function of the epoch, or plateau watching each metric
    "schedule": ({"name": "cosine", "params": {"lr": 1e-4, "T_max": 400}}, "end"),
    "plateau end": ({"name": "plateau", "params": {"lr": 1e-4, "patience": 5}}, "end"),
    "plateau running": ({"name": "plateau", "params": {"lr": 1e-4, "patience": 5}}, "running"),
}


def runs() -> list[tuple[str, str, str, RunConfig]]:
    """Every combination, one seed each, sized to take a tenth of a second or so; and for each problem under
    SGD and a schedule, the other shapes a run takes: one step an epoch (the per-epoch costs weigh most), and
    many seeds (16 and 256 of an analytic problem, 8 of a data problem)."""
    out = []
    for problem, definition in PROBLEMS.items():
        analytic = definition.kind == "analytic"
        noise = {"noise": 0.1} if any(p.name == "noise" for p in definition.params) else {}
        kinds = dict(SCHEDULES)
        if not analytic:
            kinds["plateau heldout"] = ({"name": "plateau", "params": {"lr": 1e-4, "patience": 5}}, "heldout")
        for optimizer in OPTIMIZERS:
            for kind, (schedule, metric) in kinds.items():
                config = RunConfig(schedule=schedule, problem=problem, problem_params=noise if analytic else {},
                                   optimizer=optimizer, epochs=400 if analytic else 40, seed=0, seeds=1,
                                   steps_per_epoch=16 if analytic else 1, plateau_metric=metric)
                out.append((problem, optimizer, kind, config))
        base = next(c for p, o, k, c in out if (p, o, k) == (problem, "sgd", "schedule"))
        shapes = {"1 step an epoch": replace(base, epochs=6400, steps_per_epoch=1)} if analytic else {}
        seeds = {"16 seeds": 16, "256 seeds": 256} if analytic else {"8 seeds": 8}
        for kind, n in seeds.items():
            shapes[kind] = replace(base, seeds=n, epochs=base.epochs // (4 if n > 16 else 1))
        if not analytic:
            shapes.update(data_shapes(base, hidden=problem == "mlp"))
        out += [(problem, "sgd", kind, config) for kind, config in shapes.items()]
    return out


def data_shapes(base: RunConfig, hidden: bool) -> dict[str, RunConfig]:
    """A data problem's other sizes: minibatches of one sample, the whole set over 32 seeds, and for an MLP
    the narrowest and widest hidden layers, over one seed and eight (the arithmetic that grows with the width
    and the seeds; the estimate once took 32 seeds of 256 units as 15x cheaper than they are)."""
    def sized(epochs: int, seeds: int = 1, **params) -> RunConfig:
        return replace(base, epochs=epochs, seeds=seeds, problem_params={**base.problem_params, **params})

    shapes = {"batch of 1": sized(10, batch_size=1),
              "full batch, 32 seeds": sized(2 if hidden else 10, 32, n=2000, batch_size=2000,
                                            **({"hidden": 64} if hidden else {}))}
    if hidden:
        shapes |= {"1 unit": sized(400, hidden=1), "256 units": sized(40, hidden=256),
                   "256 units, 8 seeds": sized(10, 8, hidden=256)}
    return shapes


def measure(config: RunConfig) -> tuple[float, int | None]:
    """The median seconds of three runs, and the epoch the run diverged at (a run that blows up stops
    early: its time says nothing of the cost of a step)."""
    simulate(replace(config, epochs=5))  # warm
    times = []
    for _ in range(3):
        start = time.perf_counter()
        trace = simulate(config)
        times.append(time.perf_counter() - start)
    return statistics.median(times), trace.diverged_at


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args()
    rows, worst = [], 0.0
    print(f"{'problem':<13}{'optimizer':<10}{'kind':<17}{'actual s':>9}{'estimate s':>11}{'actual/est':>11}  diverged")
    for problem, optimizer, kind, config in runs():
        seconds, diverged = measure(config)
        estimate = estimated_seconds(prepare(config))
        rows.append({"problem": problem, "optimizer": optimizer, "kind": kind, "seconds": seconds,
                     "estimate": estimate, "diverged_at": diverged})
        worst = max(worst, seconds / estimate) if diverged is None else worst
        print(f"{problem:<13}{optimizer:<10}{kind:<17}{seconds:9.3f}{estimate:11.3f}{seconds / estimate:11.2f}  "
              f"{'' if diverged is None else diverged}", flush=True)
    print(f"worst actual / estimate of the runs that did not diverge: {worst:.2f} (target <= 2)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
