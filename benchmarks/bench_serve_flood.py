"""A connect/close loop against lrtui serve from one address (issue 24: 19,000 in 30 s grew the server from
55 to 236 MB, and fresh pages were turned away): the server's memory before, right after and 10 s after the
flood, as ratios to its memory before (measured in this run), and whether a fresh page is served after.

    python benchmarks/bench_serve_flood.py [--seconds 20]   # run from another checkout: that one measured

Needs the serve extra. The loop opens websockets as fast as one client can; the server lets one address open
60 sessions at once and then one every five seconds (lrtui.serve.server.CONNECTS_BURST, CONNECTS_PER_SECOND).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import subprocess
import sys
import time
from typing import Iterator


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS"))


async def flood(port: int, pid: int, seconds: float) -> None:
    import aiohttp

    url = f"ws://127.0.0.1:{port}/ws?width=80&height=24"
    before = rss_mib(pid)
    opened = refused = 0
    start = time.monotonic()
    async with aiohttp.ClientSession() as client:
        while time.monotonic() - start < seconds:
            try:
                websocket = await client.ws_connect(url)
                opened += 1
                await websocket.close()
            except aiohttp.WSServerHandshakeError:
                refused += 1
    after = rss_mib(pid)
    await asyncio.sleep(10)
    later = rss_mib(pid)
    async with aiohttp.ClientSession() as client:
        async with client.get(f"http://127.0.0.1:{port}/") as page:
            status = page.status
    print(f"{opened + refused:,} connects in {seconds:g} s: {opened} sessions opened, {refused:,} refused")
    print(f"server RSS: before {before:.1f} MiB; right after {after:.1f} MiB ({after / before:.2f}x); "
          f"10 s later {later:.1f} MiB ({later / before:.2f}x)")
    print(f"a fresh page after the flood: HTTP {status}")


@contextlib.contextmanager
def served() -> Iterator[tuple[subprocess.Popen, int]]:
    """lrtui serve on 127.0.0.1 (T1, two places) from the checkout this is run in, listening: (its process,
    its port); stopped at the end (its output, after its first line, left to read)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "lrtui", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--preset", "T1", "--max-sessions", "2"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        assert b"students open" in server.stdout.readline()
        yield server, port
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with served() as (server, port):
        asyncio.run(flood(port, server.pid, args.seconds))


if __name__ == "__main__":
    main()
