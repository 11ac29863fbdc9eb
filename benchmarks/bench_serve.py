"""lrtui serve's costs: sessions forked from the zygote (the default) against sessions started as commands
(``--no-preload``, the way before issue 26), with 1, 10 and 30 sessions at once, in the same run; and, in
Chromium, both against a bare Textual app (one Label) served as a command (the least a textual-serve session
can cost):

    python benchmarks/bench_serve.py        # needs the test extra (playwright) and Debian's chromium

* first screen: from opening a session's websocket (a plain aiohttp client) to the first frame that holds the
  status line (t=0/); one session is opened five times, one after the other (the median, and the range), and
  10 or 30 at once (the median, and the slowest). In Chromium, from opening the page to the status line (the
  bare app: its label) in xterm's rows, with 1 and 5 pages at once. Each server has had one session before
  (a lab that runs: the zygote has imported the app);
* memory of each session's process, from /proc/PID/smaps_rollup: PSS (its share of each page it maps: pages
  shared with the zygote and n other sessions count 1/(n+1)), private (the pages it alone maps: what one more
  session adds) and RSS; the server's and the zygote's PSS; and all of the lab's PSS (server, zygote, sessions);
* bytes per epoch step: what the websocket carries to the browser for one Right key (the cursor moves one
  epoch), over 20 steps; the CPU an idle session uses (Chromium's rows).

Measured on this project's 2-core machine (Linux 6.18, Python 3.11), 2026-12-06, while other work ran on it
(load average 2-7); seconds, MiB:

    websocket clients, sessions opened at once (one: five times, one after the other); seconds, MiB
    sessions  way          first screen  PSS/session  largest  private    RSS  server  zygote  lab PSS
           1  forked   0.16 (0.14-0.18)         33.6     33.6     21.5   51.8    47.8    30.4      112
           1  command  0.76 (0.66-0.85)         45.2     45.2     39.2   60.6    48.3     0.0       93
          10  forked         0.73, 0.92         24.0     24.0     21.5   51.9    46.6    21.4      308
          10  command        4.61, 4.98         40.8     40.8     39.2   60.6    45.9     0.0      454
          30  forked         1.96, 3.18         22.5     22.5     21.5   51.9    46.9    19.8      741
          30  command      15.57, 16.50         39.8     40.0     39.2   60.5    46.2     0.0     1241
     1 session(s), forked / command: first screen 0.21x, PSS a session 0.74x, private 0.55x, the lab's PSS 1.20x
    10 session(s), forked / command: first screen 0.16x, PSS a session 0.59x, private 0.55x, the lab's PSS 0.68x
    30 session(s), forked / command: first screen 0.13x, PSS a session 0.56x, private 0.55x, the lab's PSS 0.60x

    Chromium, pages opened at once; seconds, MiB
    pages  app       first screen slowest PSS/session    RSS  server  B/step idle CPU
        1  bare app          0.75    0.75        24.1   32.8    47.9     nan    0.2%
        1  forked            0.80    0.80        33.6   51.9    47.6    1063    0.2%
        1  command           1.15    1.15        45.4   60.9    47.9    1063    0.0%
        5  bare app          4.88    5.37        23.3   32.8    47.6     nan    0.0%
        5  forked            6.43    6.73        25.8   51.9    47.0    1063    0.0%
        5  command           6.10    6.73        41.9   60.9    46.9    1063    0.2%

A forked session holds 21.5 MiB of its own, however many run; its PSS falls with their number, as it shares
the zygote's pages with more of them (under 25 MiB from about six at once). The zygote costs the lab more than
it saves with one session (112 MiB against 93), less from two on. Times vary with the machine's other work,
memory does not: another run gave one forked session 0.19 s, ten 0.82 s, thirty 1.98 s (as commands 0.90,
7.30 and 21.9 s), and an earlier script of the same websocket measure, at a quieter moment, 0.10 s and 0.76 s
(0.50 and 3.67 s). In Chromium the page itself (its script, its terminal) takes most of a first screen: five
pages at once are drawn in 4-7 s whichever the app.
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
WAYS = {"forked": [], "command": ["--no-preload"]}
"""lrtui serve's two ways of starting a session, and the options that choose them."""
SESSIONS_AT_ONCE = (1, 10, 30)
ONE_BY_ONE = 5
"""How many times one session is opened, one after the other."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _memory_mib(pid: int) -> dict[str, float]:
    """PSS, private and RSS of process ``pid``, in MiB (/proc/PID/smaps_rollup)."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        fields[name] = int(value.split()[0]) / 1024
    return {"pss": fields["Pss"], "private": fields["Private_Clean"] + fields["Private_Dirty"], "rss": fields["Rss"]}


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


def _zygotes(server: int) -> list[int]:
    """The server's zygote (lrtui.serve.zygote), if it has one."""
    zygotes = []
    for pid in _children(server):
        try:
            if b"lrtui.serve.zygote" in Path(f"/proc/{pid}/cmdline").read_bytes():
                zygotes.append(pid)
        except OSError:
            continue
    return zygotes


def _sessions(server: int) -> list[int]:
    """The server's sessions' processes: the zygote's children, and its own children (started as commands)
    but the zygote."""
    zygotes = _zygotes(server)
    return [p for p in _children(server) if p not in zygotes] + [p for z in zygotes for p in _children(z)]


class Served:
    """A server on a free port: lrtui serve (``way``: forked or command), or the same server class running the
    bare app as a command (``way`` None)."""

    def __init__(self, way: str | None, folder: Path) -> None:
        self.way = way
        self.port = _free_port()
        if way is None:
            script = folder / "bare.py"
            script.write_text(BARE_APP)
            command = f"exec {sys.executable} {script}"
            code = (f"from lrtui.serve.server import run; run({command!r}, host='localhost', port={self.port}, "
                    "public_url=None, max_sessions=40, idle_seconds=600)")
            argv = [sys.executable, "-c", code]
        else:
            argv = [sys.executable, "-m", "lrtui", "serve", "--port", str(self.port), "--max-sessions", "40",
                    *WAYS[way]]
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert b"students open" in self.process.stdout.readline()
        self.url = f"http://localhost:{self.port}/"
        asyncio.run(_first_screens(self.url, 1))  # (a lab that runs: the zygote has imported the app)
        self.wait_for_sessions(0)

    def wait_for_sessions(self, count: int) -> None:
        end = time.monotonic() + 30
        while len(_sessions(self.process.pid)) != count:
            assert time.monotonic() < end, f"the server kept {len(_sessions(self.process.pid))} sessions, not {count}"
            time.sleep(0.05)

    def memory(self) -> dict[str, float]:
        """Each session's mean PSS (and its largest), private memory and RSS; the server's and the zygote's PSS;
        and all of it (MiB)."""
        sessions = [_memory_mib(pid) for pid in _sessions(self.process.pid)]
        server = _memory_mib(self.process.pid)["pss"]
        zygote = sum(_memory_mib(pid)["pss"] for pid in _zygotes(self.process.pid))
        return {"pss": statistics.mean(s["pss"] for s in sessions), "pss_max": max(s["pss"] for s in sessions),
                "private": statistics.mean(s["private"] for s in sessions),
                "rss": statistics.mean(s["rss"] for s in sessions), "server": server, "zygote": zygote,
                "lab": server + zygote + sum(s["pss"] for s in sessions)}

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=10)


async def _first_screens(url: str, count: int, then=None) -> list[float]:
    """Open ``count`` sessions' websockets at once; each one's seconds to its first frame holding the status
    line. ``then()`` runs while they are all open."""
    import aiohttp

    async def first_screen(client) -> tuple[object, float]:
        started = time.perf_counter()
        ws = await client.ws_connect(url.replace("http", "ws") + "ws?width=80&height=24")
        drawn = ""
        while "t=0/" not in drawn:
            message = await ws.receive(timeout=120)
            if message.type == aiohttp.WSMsgType.BINARY:
                drawn += message.data.decode("utf-8", "replace")
            elif message.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"the session ended: {message}")
        return ws, time.perf_counter() - started

    async with aiohttp.ClientSession() as client:
        opened = await asyncio.gather(*(first_screen(client) for _ in range(count)))
        if then is not None:
            await asyncio.sleep(1.5)  # (the first screen's work done)
            then()
        for ws, _ in opened:
            await ws.close()
    return [seconds for _, seconds in opened]


def websocket_rows(folder: Path) -> list[tuple]:
    """(sessions, way, first screens, memory) for each count of sessions and each way."""
    rows = []
    for count in SESSIONS_AT_ONCE:
        for way in WAYS:
            served = Served(way, folder)
            try:
                memory: dict[str, float] = {}
                times = []
                for _ in range(ONE_BY_ONE if count == 1 else 1):
                    times += asyncio.run(_first_screens(served.url, count, lambda: memory.update(served.memory())))
                    served.wait_for_sessions(0)
            finally:
                served.stop()
            rows.append((count, way, times, memory))
    return rows


# textual.js keeps its terminals private: the pages get a copy that lists them (as the browser test does)
DRAWN = """() => (window.__terms || []).some(t => { const b = t.terminal.buffer.active;
  for (let i = 0; i < t.terminal.rows; i++) {
    const l = b.getLine(i);
    if (l && l.translateToString().includes("t=0/")) return true;
  }
  return false; })"""


def chromium_pages(served: Served, pages: int) -> tuple[list[float], dict[str, float], float, float]:
    """Open ``pages`` pages at once in Chromium; return each one's seconds to its first screen (the status
    line, or the bare app's label, in xterm's rows), the memory once all are drawn, the CPU a session then
    uses, idle (a fraction of one core), and the bytes of an epoch step (lrtui)."""
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
        memory = served.memory()
        pids = _sessions(served.process.pid)
        before = sum(_cpu_seconds(pid) for pid in pids)
        time.sleep(5.0)  # the pages open, nobody typing
        idle = (sum(_cpu_seconds(pid) for pid in pids) - before) / 5.0 / max(len(pids), 1)
        step = float("nan")
        if served.way is not None:  # one more session steps while the pages stay open (in a thread: its own loop)
            with ThreadPoolExecutor(1) as pool:
                step = pool.submit(lambda: asyncio.run(_bytes_per_step(served.url))).result()
        browser.close()
    return times, memory, idle, step


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


def _ratio(rows: list[tuple], count: int, pick) -> float:
    forked, command = (pick(row) for row in rows if row[0] == count)
    return forked / command


def main() -> int:
    if not os.path.exists(CHROMIUM):
        print("no Chromium: apt-get install -y chromium")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        sockets = websocket_rows(Path(folder))
        pages = []
        for count in (1, 5):
            for way in (None, *WAYS):
                served = Served(way, Path(folder))
                try:
                    pages.append((count, way or "bare app", *chromium_pages(served, count)))
                finally:
                    served.stop()

    print("websocket clients, sessions opened at once (one: five times, one after the other); seconds, MiB")
    print(f"{'sessions':>8}  {'way':<8}{'first screen':>17}{'PSS/session':>13}{'largest':>9}{'private':>9}{'RSS':>7}"
          f"{'server':>8}{'zygote':>8}{'lab PSS':>9}")
    for count, way, times, m in sockets:
        first = (f"{statistics.median(times):.2f} ({min(times):.2f}-{max(times):.2f})" if count == 1
                 else f"{statistics.median(times):.2f}, {max(times):.2f}")
        print(f"{count:>8}  {way:<8}{first:>17}{m['pss']:>13.1f}{m['pss_max']:>9.1f}{m['private']:>9.1f}"
              f"{m['rss']:>7.1f}{m['server']:>8.1f}{m['zygote']:>8.1f}{m['lab']:>9.0f}")
    for count in SESSIONS_AT_ONCE:
        first, pss, private, lab = (_ratio(sockets, count, pick) for pick in (
            lambda r: statistics.median(r[2]), lambda r: r[3]["pss"], lambda r: r[3]["private"],
            lambda r: r[3]["lab"]))
        print(f"{count:>2} session(s), forked / command: first screen {first:.2f}x, PSS a session {pss:.2f}x, "
              f"private {private:.2f}x, the lab's PSS {lab:.2f}x")
    print("\nChromium, pages opened at once; seconds, MiB")
    print(f"{'pages':>5}  {'app':<9}{'first screen':>13}{'slowest':>8}{'PSS/session':>12}{'RSS':>7}{'server':>8}"
          f"{'B/step':>8}{'idle CPU':>9}")
    for count, app, times, m, idle, step in pages:
        print(f"{count:>5}  {app:<9}{statistics.median(times):>13.2f}{max(times):>8.2f}{m['pss']:>12.1f}"
              f"{m['rss']:>7.1f}{m['server']:>8.1f}{step:>8.0f}{idle:>8.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
