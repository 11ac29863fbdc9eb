"""lrtui serve's costs, with 1 and with 5 sessions at once, against a bare Textual app (one Label) served
the same way in the same run (the least a textual-serve session can cost):

    python benchmarks/bench_serve.py        # needs the test extra (playwright) and Debian's chromium

* first screen: from opening the page in Chromium to the status line drawn (the bare app: its label);
* memory: RSS of each session's app process, and of the server;
* bytes per epoch step: what the websocket carries to the browser for one Right key (the cursor moves
  one epoch), over 20 steps, read by a websocket client of its own.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
BARE_APP = """
from textual.app import App
from textual.widgets import Label

class Bare(App):
    def compose(self):
        yield Label("t=0/ bare app")

Bare().run()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


class Served:
    """A server on a free port: lrtui serve, or the same server class running the bare app."""

    def __init__(self, bare: bool, folder: Path) -> None:
        self.bare = bare
        self.port = _free_port()
        if bare:
            script = folder / "bare.py"
            script.write_text(BARE_APP)
            command = f"exec {sys.executable} {script}"
            code = (f"from lrtui.serve.server import run; run({command!r}, host='localhost', port={self.port}, "
                    "public_url=None, max_sessions=10, idle_seconds=600)")
            argv = [sys.executable, "-c", code]
        else:
            argv = [sys.executable, "-m", "lrtui", "serve", "--port", str(self.port), "--max-sessions", "10"]
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert b"students open" in self.process.stdout.readline()
        self.url = f"http://localhost:{self.port}/"

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=10)


# textual.js keeps its terminals private: the pages get a copy that lists them (as the browser test does)
DRAWN = """() => (window.__terms || []).some(t => { const b = t.terminal.buffer.active;
  for (let i = 0; i < t.terminal.rows; i++) {
    const l = b.getLine(i);
    if (l && l.translateToString().includes("t=0/")) return true;
  }
  return false; })"""


def first_screens(served: Served, pages: int) -> tuple[list[float], float, list[float], float, float]:
    """Open ``pages`` pages at once; return each one's seconds to its first screen (the status line, or the
    bare app's label, in xterm's rows), the server's RSS and the sessions' RSS (MiB) once all are drawn,
    the CPU a session then uses, idle (a fraction of one core), and the bytes of an epoch step (lrtui)."""
    import textual_serve
    from playwright.sync_api import sync_playwright

    script = (Path(textual_serve.__file__).parent / "static" / "js" / "textual.js").read_text()
    created = "const t=new w(e,{ping:r});"
    exposed = script.replace(created, created + "(window.__terms=window.__terms||[]).push(t);")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                    "--disable-background-networking"])
        opened = []
        for _ in range(pages):
            page = browser.new_page(viewport={"width": 1000, "height": 640})
            page.route("**/static/js/textual.js",
                       lambda route: route.fulfill(body=exposed, content_type="application/javascript"))
            opened.append((page, time.perf_counter()))
            page.goto(served.url, wait_until="commit")
        times = []
        for page, start in opened:
            page.wait_for_function(DRAWN, timeout=60000, polling=20)
            times.append(time.perf_counter() - start)
        time.sleep(1.0)
        server = _rss_mib(served.process.pid)
        pids = _children(served.process.pid)
        sessions = [_rss_mib(pid) for pid in pids]
        before = sum(_cpu_seconds(pid) for pid in pids)
        time.sleep(5.0)  # the pages open, nobody typing
        idle = (sum(_cpu_seconds(pid) for pid in pids) - before) / 5.0 / max(len(pids), 1)
        step = float("nan")
        if not served.bare:  # one more session steps while the pages stay open (in a thread: its own loop)
            with ThreadPoolExecutor(1) as pool:
                step = pool.submit(lambda: asyncio.run(_bytes_per_step(served.url))).result()
        browser.close()
    return times, server, sessions, idle, step


async def _bytes_per_step(url: str, steps: int = 20) -> float:
    import aiohttp

    async with aiohttp.ClientSession() as client:
        async with client.ws_connect(url.replace("http", "ws") + "ws?width=100&height=32") as ws:
            async def drain(quiet: float) -> int:
                total = 0
                while True:
                    try:
                        message = await ws.receive(timeout=quiet)
                    except asyncio.TimeoutError:
                        return total
                    if message.type == aiohttp.WSMsgType.BINARY:
                        total += len(message.data)
                    elif message.type != aiohttp.WSMsgType.TEXT:
                        return total

            await asyncio.sleep(1.0)
            await drain(1.0)  # the first screen, then quiet
            await ws.send_json(["stdin", "\x1b"])  # escape: from the form to the plots
            await drain(0.5)
            sizes = []
            for _ in range(steps):
                await ws.send_json(["stdin", "\x1b[C"])  # Right
                sizes.append(await drain(0.3))
            await ws.send_json(["stdin", "q"])
    return statistics.median(sizes)


def main() -> int:
    if not os.path.exists(CHROMIUM):
        print("no Chromium: apt-get install -y chromium")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        rows = []
        for pages in (1, 5):
            for bare in (True, False):
                served = Served(bare, Path(folder))
                try:
                    times, server, sessions, idle, step = first_screens(served, pages)
                finally:
                    served.stop()
                rows.append((pages, "bare app" if bare else "lrtui", statistics.median(times), max(times),
                             statistics.mean(sessions), server, step, idle))
    print(f"{'pages':>5}  {'app':<9}{'first screen s':>15}{'slowest s':>10}{'MiB/session':>12}{'server MiB':>11}"
          f"{'B/step':>8}{'idle CPU':>9}")
    for pages, app, median, slowest, per, server, step, idle in rows:
        print(f"{pages:>5}  {app:<9}{median:>15.2f}{slowest:>10.2f}{per:>12.1f}{server:>11.1f}{step:>8.0f}"
              f"{idle:>8.1%}")
    for pages in (1, 5):
        bare, lrtui = (r for r in rows if r[0] == pages)
        print(f"{pages} page(s): lrtui's first screen {lrtui[2] / bare[2]:.2f}x the bare app's, "
              f"its session {lrtui[4] / bare[4]:.2f}x the bare app's memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
