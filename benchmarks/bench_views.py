"""The longest stall of the app's UI thread while a view simulates (issue 25): the range test on the MLP
and WSD's branches on T10, against the same app stepping epochs (the baseline, measured in this run).

    python benchmarks/bench_views.py [--app-root DIR] [--repeat N]

The app runs headless (``App.run_test``) at 120x40; a probe on its event loop wakes every 5 ms and records
the longest gap between two wakes, from the key that opens the view until the view is drawn and the app is
idle. ``--app-root`` runs another checkout's lrtui (the code before a change, for a before/after).
Target (issue 25): under 50 ms for each view.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path


async def _longest_stall(app, pilot, keys: list[str]) -> tuple[float, float]:
    """(the longest gap between the probe's wakes, in ms; the seconds until the app was idle) while
    ``keys`` are pressed and what they start runs to its end."""
    loop = asyncio.get_running_loop()
    longest, last, running = 0.0, loop.time(), True

    async def probe():
        nonlocal longest, last
        while running:
            await asyncio.sleep(0.005)
            now = loop.time()
            longest, last = max(longest, now - last), now

    task = asyncio.create_task(probe())
    start = time.perf_counter()
    for key in keys:
        await pilot.press(key)
    while app.busy:
        await asyncio.sleep(0.005)
    await pilot.pause()
    took = time.perf_counter() - start
    running = False
    await task
    return 1000 * (longest - 0.005), took


async def measure(case: str) -> tuple[float, float]:
    from lrtui.plotting.terminal import Options
    from lrtui.presets import find
    from lrtui.sim.config import RunConfig
    from lrtui.ui.app import make_app
    from lrtui.ui.start import Start

    if case == "branches":
        preset = find("T10")
        app = make_app(Start(preset.config, Options(), pinned=preset.pinned, preset=preset))
        keys = ["escape", "w"]
    else:
        config = RunConfig(schedule={"name": "constant", "params": {"lr": 0.01}}, problem="mlp", optimizer="adam",
                           epochs=200)
        app = make_app(Start(config, Options()))
        keys = ["escape", "r"] if case == "range" else ["escape"] + ["right"] * 20
    async with app.run_test(size=(120, 40)) as pilot:
        while app.busy or app.trace is None:
            await asyncio.sleep(0.01)
        await pilot.pause()
        return await _longest_stall(app, pilot, keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app-root", type=Path, help="another checkout's lrtui to measure")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.app_root:
        sys.path.insert(0, str(args.app_root.resolve()))
    import lrtui

    print(f"lrtui from {Path(lrtui.__file__).parent}; {args.repeat} runs each, the median")
    results = {}
    for case in ("steps", "range", "branches"):
        runs = [asyncio.run(measure(case)) for _ in range(args.repeat)]
        results[case] = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
    base = max(results["steps"][0], 1.0)
    print(f"{'case':<28} {'longest stall':>14} {'x baseline':>11} {'until idle':>11}")
    for case, what in (("steps", "20 epoch steps (baseline)"), ("range", "range test, MLP (r)"),
                       ("branches", "branches, T10 (w)")):
        stall, took = results[case]
        print(f"{what:<28} {stall:>11.1f} ms {stall / base:>10.2f}x {took:>9.2f} s")


if __name__ == "__main__":
    main()
