"""A session's memory under use: 2,000 seeded random keys of ordinary editing, in a real pty and in a served
session, the app's RSS sampled as it goes and compared with its own RSS after the first 200 keys (warm-up):

    python benchmarks/bench_soak.py                      # both (the served one needs the serve extra)
    python benchmarks/bench_soak.py --only terminal --keys 1000
    python benchmarks/bench_soak.py --app-root /tmp/old  # another checkout's lrtui (a before/after figure)

The mix (issue 29): nudges (+ - ] [) and resets on whatever field has focus, choice fields included (+ on
the schedule switches it), focus moves (tab, shift+tab, up, down), values typed and entered (some refused),
epoch steps, and from the plots the commands (pin, unpin, clear pins, the board, log scales, the four
views and back), the help and the code screen opened and closed. Each key is sent once the screen has
settled after the previous one. The same seed gives the same keys in both places.

Prints RSS (MiB) every 200 keys, then for each place: RSS after warm-up, at the end and its peak, and the
growth after warm-up (target: at most 10%); for the served session also its own memory (the pages it alone
maps: a session forked from lrtui serve's zygote shares the rest, and copies a page of it when it first
writes there; ``--no-preload``: started as a command); and the peak (an ordinary session's: lrtui serve's
SESSION_MIB rests on the heaviest one, benchmarks/bench_session_peak.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_app import COLS, ROWS, _drain, _read_until, _spawn  # noqa: E402 - the pty helpers, shared
from bench_serve import _free_port, _memory_mib, _rss_mib, _sessions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 200
SAMPLE_EVERY = 50

TAB, SHIFT_TAB, UP, DOWN = "\t", "\x1b[Z", "\x1b[A", "\x1b[B"
LEFT, RIGHT, HOME, END, DELETE, ESCAPE, ENTER = "\x1b[D", "\x1b[C", "\x1b[H", "\x1b[F", "\x1b[3~", "\x1b", "\r"
COMMANDS = ["p", "p", "u", "U", "b", "l", "L", "v", "r", "s", "w"]  # pins twice as often as they go


def key_mix(count: int, seed: int) -> list[str]:
    """``count`` keys, the same for the same seed: each draw is one gesture of one or a few keys."""
    rng = random.Random(seed)
    keys: list[str] = []
    while len(keys) < count:
        pick = rng.random()
        if pick < 0.30:
            gesture = [rng.choice([TAB, SHIFT_TAB, UP, DOWN])]
        elif pick < 0.62:
            gesture = [rng.choice("+-][")] * rng.randint(1, 3)
        elif pick < 0.65:
            gesture = [DELETE]
        elif pick < 0.72:
            gesture = list(rng.choice(["0.05", "3", "cos", "-1", "x"])) + [ENTER]  # some are refused
        elif pick < 0.80:
            gesture = [rng.choice([LEFT, RIGHT, RIGHT, HOME, END])]
        elif pick < 0.94:
            gesture = [ESCAPE, rng.choice(COMMANDS), TAB]
        elif pick < 0.97:
            gesture = [ESCAPE, "?", ESCAPE, TAB]
        else:
            gesture = [ESCAPE, "c", ESCAPE, TAB]
        keys += gesture
    return keys[:count]


class Soak:
    """Sends the keys one at a time, each once the screen has been quiet for a moment, and samples RSS."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self.samples: list[tuple[int, float]] = []  # (keys sent, RSS MiB)
        self.private: list[tuple[int, float]] = []  # (keys sent, MiB the process alone maps), served

    def record(self, sent: int, rss: float, where: str, private: float | None = None) -> None:
        self.samples.append((sent, rss))
        if private is not None:
            self.private.append((sent, private))
        if sent % 200 == 0:
            alone = "" if private is None else f" (its own {private:.1f} MiB)"
            print(f"  {where}: {sent:>5} keys  {rss:6.1f} MiB{alone}", flush=True)

    def summary(self) -> tuple[float, float, float]:
        """RSS after warm-up, at the end, and the peak after warm-up."""
        base = next(rss for sent, rss in self.samples if sent >= WARM_UP)
        after = [rss for sent, rss in self.samples if sent >= WARM_UP]
        return base, self.samples[-1][1], max(after)


def soak_terminal(keys: list[str], env: dict[str, str], *_: str) -> Soak:
    """The app in a pty at 120x40, as a terminal runs it."""
    soak = Soak(keys)
    os.environ.update(env)
    os.chdir(env["PYTHONPATH"])  # python -m puts the working folder first on the path, before PYTHONPATH
    pid, fd = _spawn([sys.executable, "-m", "lrtui"])
    try:
        _, first = _read_until(fd, b"t=0/", 60)
        assert first is not None, "the app did not draw its first screen"
        _drain(fd, 0.5)
        for sent, key in enumerate(keys, 1):
            os.write(fd, key.encode())
            _drain(fd, 0.15 if key == ESCAPE else 0.06)  # a lone escape: past the escape-sequence delay
            if sent % SAMPLE_EVERY == 0:
                soak.record(sent, _rss_mib(pid), "terminal")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    return soak


async def _soak_served(url: str, server_pid: int, keys: list[str]) -> Soak:
    import aiohttp

    soak = Soak(keys)
    async with aiohttp.ClientSession() as client:
        async with client.ws_connect(url.replace("http", "ws") + f"ws?width={COLS}&height={ROWS}",
                                     max_msg_size=0) as ws:
            async def drain(quiet: float) -> None:
                while True:
                    try:
                        message = await ws.receive(timeout=quiet)
                    except asyncio.TimeoutError:
                        return
                    if message.type not in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
                        raise RuntimeError(f"the session ended: {message}")

            await drain(3.0)
            pids = _sessions(server_pid)
            assert len(pids) == 1, f"expected one session process, found {pids}"
            for sent, key in enumerate(keys, 1):
                await ws.send_json(["stdin", key])
                await drain(0.15 if key == ESCAPE else 0.06)
                if sent % SAMPLE_EVERY == 0:  # (a forked session's RSS counts the zygote's pages it has touched)
                    memory = _memory_mib(pids[0])
                    soak.record(sent, memory["rss"], "served", memory["private"])
    return soak


def soak_served(keys: list[str], env: dict[str, str], *options: str) -> Soak:
    """One session of lrtui serve (given ``options``) at 120x40, its keys sent over the page's websocket."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen([sys.executable, "-m", "lrtui", "serve", "--port", str(port), *options],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=folder,
                                  env={**os.environ, **env})
        try:
            assert b"students open" in server.stdout.readline()
            return asyncio.run(_soak_served(f"http://localhost:{port}/", server.pid, keys))
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=29)
    parser.add_argument("--only", choices=["terminal", "served"])
    parser.add_argument("--no-preload", action="store_true", help="the served session started as a command")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout whose lrtui runs")
    args = parser.parse_args()
    keys = key_mix(args.keys, args.seed)
    env = {"PYTHONPATH": str(args.app_root.resolve()), "LANG": "C.UTF-8"}
    print(f"{len(keys)} keys (seed {args.seed}), lrtui from {args.app_root}, RSS every {SAMPLE_EVERY} keys")
    results = {}
    for where, soak in (("terminal", soak_terminal), ("served", soak_served)):
        if args.only in (None, where):
            start = time.perf_counter()
            options = ["--no-preload"] if where == "served" and args.no_preload else []
            results[where] = soak(keys, env, *options), time.perf_counter() - start
    print(f"{'where':<10}{'warm MiB':>9}{'end MiB':>9}{'peak MiB':>9}{'growth':>8}{'seconds':>9}")
    for where, (soak, seconds) in results.items():
        base, end, peak = soak.summary()
        print(f"{where:<10}{base:>9.1f}{end:>9.1f}{peak:>9.1f}{(end - base) / base:>8.1%}{seconds:>9.0f}")
        if soak.private:
            base = next(mib for sent, mib in soak.private if sent >= WARM_UP)
            end = soak.private[-1][1]
            print(f"{'  its own':<10}{base:>9.1f}{end:>9.1f}{'':>9}{(end - base) / base:>8.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
