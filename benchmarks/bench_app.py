"""The app's speed and size against a bare Textual app with two PlotextPlot widgets of 1,000 points
(the framework's floor), all measured in this one run, reported as ratios.

    python benchmarks/bench_app.py

1. start to first frame, in a pty at 120x40 (xterm-256color), and peak RSS (VmHWM) at that point;
2. a parameter change until both plots are redrawn (headless, 120x40), against plotext drawing the two
   decimated series itself, for 10^2 and 10^5 epochs (the app's longest run);
3. an epoch step (a key press until the screen is updated), against a bare app updating a label;
4. bytes written to the terminal per epoch step at 120x40 (pty), against a full redraw of both plots.
Targets (issue 4): 1 <= 1.3x, 2 <= 1.5x, 3 <= 3x, 4 under 2 KB.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
COLS, ROWS = 120, 40

BARE_APP = r'''
import sys
import numpy as np
from textual.app import App
from textual.widgets import Label
from textual_plotext import PlotextPlot

class Bare(App):
    BINDINGS = [("q", "quit"), ("right", "bump")]
    def compose(self):
        yield PlotextPlot(id="a")
        yield PlotextPlot(id="b")
        yield Label("epoch 0", id="label")
    def on_mount(self):
        x = np.arange(1000)
        for i, w in enumerate(self.query(PlotextPlot)):
            w.plt.plot(x.tolist(), np.cos(x / (50 + i * 20)).tolist())
            w.plt.title(f"bare-plot-{i}")
        self.n = 0
    def action_bump(self):
        self.n += 1
        self.query_one("#label").update(f"epoch {self.n}")

Bare().run()
'''


def _spawn(argv: list[str]) -> tuple[int, int]:
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", LANG="C.UTF-8", COLUMNS=str(COLS), LINES=str(ROWS))
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    return pid, fd


def _read_until(fd: int, marker: bytes, timeout: float) -> tuple[bytes, float | None]:
    start, data = time.perf_counter(), b""
    while time.perf_counter() - start < timeout:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            data += chunk
            if marker in data:
                return data, time.perf_counter() - start
    return data, None


def _drain(fd: int, quiet: float = 0.4) -> bytes:
    data = b""
    while True:
        ready, _, _ = select.select([fd], [], [], quiet)
        if not ready:
            return data
        try:
            data += os.read(fd, 65536)
        except OSError:
            return data


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _finish(pid: int, fd: int) -> None:
    os.write(fd, b"q")
    for _ in range(50):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)


def start_and_bytes(argv: list[str], marker: bytes, step_key: bytes) -> dict[str, float]:
    """Time to the first frame that shows ``marker``, peak RSS then, and bytes for one step key."""
    pid, fd = _spawn(argv)
    _, first = _read_until(fd, marker, 30)
    _drain(fd, 1.0)  # let it settle (the app's first simulation, plots drawn)
    rss = _peak_rss_kb(pid)
    sizes = []
    for _ in range(5):
        os.write(fd, step_key)
        sizes.append(len(_drain(fd, 0.3)))
    _finish(pid, fd)
    return {"first_frame_s": first or float("nan"), "rss_kb": rss, "step_bytes": statistics.median(sizes)}


def startup_table() -> None:
    python = sys.executable
    bare = [python, "-c", BARE_APP]
    app = [python, "-m", "lrtui", "--epochs", "100"]
    runs = {"bare": [], "lrtui": []}
    for _ in range(3):
        runs["bare"].append(start_and_bytes(bare, b"bare-plot-1", b"\x1b[C"))
        runs["lrtui"].append(start_and_bytes(app, b"lr: cosine", b"\x1b[C"))
    med = {k: {m: statistics.median(r[m] for r in v) for m in v[0]} for k, v in runs.items()}
    b, a = med["bare"], med["lrtui"]
    print(f"1. start to first frame: bare {b['first_frame_s'] * 1e3:.0f} ms, lrtui {a['first_frame_s'] * 1e3:.0f} ms, "
          f"ratio {a['first_frame_s'] / b['first_frame_s']:.2f}x (target <= 1.3x)")
    print(f"   peak RSS: bare {b['rss_kb'] / 1024:.1f} MB, lrtui {a['rss_kb'] / 1024:.1f} MB, "
          f"ratio {a['rss_kb'] / b['rss_kb']:.2f}x (target <= 1.3x)")
    print(f"4. bytes per epoch step at {COLS}x{ROWS}: lrtui {a['step_bytes']:.0f} B (target < 2 KB); "
          f"a bare label update {b['step_bytes']:.0f} B")


async def redraw_and_step_table() -> None:
    import plotext

    from lrtui.decimate import decimate
    from lrtui.simulate import RunConfig, simulate
    from lrtui.ui.app import LrtuiApp, Options
    from lrtui.ui.form import FieldRow
    from lrtui.ui.screenshot import settle

    for epochs in (100, 100_000):
        config = RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": epochs}}, epochs=epochs)
        app = LrtuiApp(config, Options())
        async with app.run_test(size=(COLS, ROWS)) as pilot:
            await settle(app, pilot)
            lr_row = next(r for r in app.query(FieldRow) if r.field.key == "schedule.lr")
            plots = [p.plot for p in app.query("PlotPanel") if p.display]
            times = []
            for i in range(7):
                builds = [p.builds for p in plots]
                t0 = time.perf_counter()
                app._on_nudge(FieldRow.Nudge(lr_row, +1 if i % 2 == 0 else -1))
                while app.busy or any(p.builds == b for p, b in zip(plots, builds)):
                    await asyncio.sleep(0.001)
                times.append(time.perf_counter() - t0)
            app_time = statistics.median(times)
            trace = simulate(app.config)
            width = plots[0].size.width
            series = [decimate(trace.epoch, trace.lr, width), decimate(trace.epoch, trace.loss, width)]

            def plotext_alone():
                for x, y in series:
                    fig = plotext._figure._figure_class()
                    fig.plotsize(width, plots[0].size.height)
                    fig.plot(x.tolist(), y.tolist(), marker="braille")
                    fig.build()

            base = statistics.median([_timed(plotext_alone) for _ in range(7)])
            sim = statistics.median([_timed(lambda: simulate(app.config)) for _ in range(3)])
            print(f"2. parameter change, {epochs:>6} epochs: lrtui {app_time * 1e3:.1f} ms (of which simulation "
                  f"{sim * 1e3:.1f} ms), plotext alone {base * 1e3:.1f} ms, ratio {app_time / base:.2f}x (target <= 1.5x)")

    # 3. epoch step against a bare label update, both driven by Pilot key presses
    app = LrtuiApp(RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}, epochs=1000), Options())
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        await settle(app, pilot)
        ours = await _press_time(pilot, 200)
    bare = _bare_label_app()
    async with bare.run_test(size=(COLS, ROWS)) as pilot:
        await pilot.pause()
        theirs = await _press_time(pilot, 200)
    print(f"3. epoch step: lrtui {ours * 1e3:.2f} ms, bare label update {theirs * 1e3:.2f} ms, "
          f"ratio {ours / theirs:.2f}x (target <= 3x)")


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


async def _press_time(pilot, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        await pilot.press("right")
    await pilot.pause()
    return (time.perf_counter() - t0) / n


def _bare_label_app():
    from textual.app import App
    from textual.widgets import Label

    class Bare(App):
        BINDINGS = [("right", "bump")]

        def compose(self):
            yield Label("epoch 0", id="label")

        def action_bump(self):
            self.n = getattr(self, "n", 0) + 1
            self.query_one("#label").update(f"epoch {self.n}")

    return Bare()


def main() -> int:
    startup_table()
    asyncio.run(redraw_and_step_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
