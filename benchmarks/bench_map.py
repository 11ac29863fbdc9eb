"""A map's cost (issue 27) against one run's, measured in this one run:

    python benchmarks/bench_map.py

1. a 60x20 map of 1,000-epoch runs on the quadratic (momentum on y, SGD with the noise on y) and a 20x8 map
   of the MLP (100 epochs), the median of three, against one run of the same kind: the target is a quadratic
   map within 0.5 s on two cores;
2. the peak memory (ru_maxrss) of a process that computes the quadratic map, and one that computes the MLP's
   20x8 map, against one that runs one run; and of the app itself (headless, 80x24) with its map shown (m) on
   the quadratic and on the MLP, against the app alone: the target is within 2x the app's.

2026-12-06, two cores, other work running: the momentum map 0.31 and 0.61 s in two runs (84x and 123x one run),
the noisy SGD map 0.36-0.37 s; the MLP map 17 s for 160 cells (201x one run: its rows vectorize no better than
runs one by one; a first coarse picture within 2 s needs the map drawn as it comes); peak memory 63 MiB both,
1.00x (a map keeps a row's traces at a time).
3. a map's time against its estimate (lrtui.analysis.maps.map_seconds), where the y axis changes what a run
   costs: epochs (100 to 10^5), noise (seeds where there is noise), the MLP's hidden units, momentum (none);
   and the peak memory of the 10^5-epoch map.
4. the MLP's map coarse first: when its first picture comes, against the whole map.

2026-12-07, two cores, two runs: actual over estimate 1.17-1.30 (epochs, 21-24 s), 0.82-1.09 (noise), 0.62-0.70
(hidden), 0.68 (momentum; 5.2 before each cell's own cost, 0.3 ms, was counted). Before the rows were priced
at their own y, the epochs map was estimated as 100-epoch rows (0.1 s: accepted whatever its range) and held
750 MB; in batches of at most 2^20 seed-epochs it holds 168-171 MB and takes 24 s instead of 10 s.
4: the MLP's first picture at 0.49 s, its coarse pass (every fourth row and column) whole at 0.97 s, 0.07 of
the whole map's 14.6 s (before: nothing until the end).

2026-12-07, later (load 6-15: other test runs): 2. the MLP map's process 63 MiB against one run's 62 (1.03x);
the app 62 MiB, with the quadratic's map shown 70 MiB (1.13x), with the MLP's 105 MiB (1.71x). Under that load
3.'s ratios were 1.7-6.6: the estimate is in this machine's quiet seconds.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lrtui.analysis.maps import (LR, axis, compute_map, default_range, default_y, map_params, map_seconds,  # noqa: E402
                                 passes, row_plans)
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


ESTIMATED = {  # a run, the y axis (field, low, high) and the cells
    "epochs 100 to 10^5": (RunConfig(problem="quadratic", epochs=100), ("epochs", 100, 100_000), (60, 20)),
    "noise 0 to 2": (RunConfig(problem="quadratic", epochs=1000), ("problem.noise", 0.0, 2.0), (60, 20)),
    "mlp hidden 1 to 64": (RunConfig(problem="mlp", epochs=30), ("problem.hidden", 1, 64), (20, 8)),
    "momentum": (RunConfig(problem="quadratic", optimizer="momentum", epochs=300), ("optimizer.momentum", 0, .99),
                 (60, 20)),
}


def estimated_map(name: str):
    """The map of an ESTIMATED case: its estimate, and the map to run."""
    config, (field, low, high), (columns, rows) = ESTIMATED[name]
    prepared = prepare(config)
    x = axis(LR, *default_range(prepared, LR)[:2], True, columns)
    y = axis(field, low, high, False, rows, integer=map_params(prepared)[field].kind == "int")
    return map_seconds(prepared, x, y), lambda: compute_map(prepared, x, y)


PEAK = """
import asyncio, resource, sys
sys.path.insert(0, {root!r})
from benchmarks.bench_map import CASES, SIZES, app_peak, estimated_map, the_map
from lrtui.sim.engine import simulate
what = sys.argv[1]
config = CASES["mlp, adam, 100 epochs" if what.startswith("mlp") or what == "app mlp map" else "quadratic, momentum"]
if what == "long map":
    estimated_map("epochs 100 to 10^5")[1]()
elif what.startswith("app"):
    asyncio.run(app_peak(config, ["escape", "m"] if what.endswith("map") else []))
elif what.endswith("map"):
    the_map(config, *SIZES.get("mlp, adam, 100 epochs" if what.startswith("mlp") else "", (60, 20)))()
else:
    simulate(config)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


async def app_peak(config: RunConfig, keys: list[str]) -> None:
    """The app opened headless at 80x24 on ``config``, the keys pressed (escape, m: its map), each settled."""
    from lrtui.plotting.terminal import Options
    from lrtui.ui.app import make_app
    from lrtui.ui.screenshot import settle
    from lrtui.ui.start import Start

    app = make_app(Start(config, Options()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, timeout=600)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot, timeout=600)


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
    for kind in ("", "mlp "):
        single, mapped = peak_mib(f"{kind}one"), peak_mib(f"{kind}map")
        print(f"2. peak memory: the {kind or 'quadratic '}map's process {mapped:.0f} MiB, one run's {single:.0f} MiB, "
              f"ratio {mapped / single:.2f}x")
    for kind in ("", "mlp "):
        app, with_map = peak_mib(f"app {kind}".strip()), peak_mib(f"app {kind}map")
        print(f"2. peak memory of the app at 80x24 on the {kind or 'quadratic '}run: {app:.0f} MiB; its map shown "
              f"(m): {with_map:.0f} MiB, ratio {with_map / app:.2f}x (the target: within 2x)")
    for name in ESTIMATED:
        estimate, compute = estimated_map(name)
        start = time.perf_counter()
        compute()
        took = time.perf_counter() - start
        print(f"3. {name}: {took:.2f} s, estimated {estimate:.2f} s, actual over estimate {took / estimate:.2f}")
    print(f"3. peak memory of the 10^5-epoch map: {peak_mib('long map'):.0f} MiB")
    config = CASES["mlp, adam, 100 epochs"]
    prepared = prepare(config)
    y = default_y(prepared)
    x_axis = axis("schedule.lr", *default_range(prepared, "schedule.lr")[:2], True, 20)
    y_axis = axis(y, *default_range(prepared, y), 8)
    coarse = len(passes(row_plans(prepared, y_axis), 20)) - 8  # (the coarse pass's pieces: then one a row)
    times: list[float] = []
    start = time.perf_counter()
    compute_map(prepared, x_axis, y_axis, partial=lambda found: times.append(time.perf_counter() - start))
    whole = time.perf_counter() - start
    print(f"4. the mlp's 20x8 map coarse first: its first picture at {times[0]:.2f} s, the coarse pass whole at "
          f"{times[coarse - 1]:.2f} s ({times[coarse - 1] / whole:.2f} of the whole map's {whole:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
