"""One page floods lrtui serve with messages (pings, resizes, or both) while another page pings it as the browser
does: the other page's ping round trip (median and worst) without the flood and during it, what became of the
flooding page, and whether the server logged a traceback when the flooding page went mid-flood.

    python benchmarks/bench_serve_messages.py [--seconds 10] [--kind ping|resize|both]

Needs the serve extra. Run from the checkout to measure (it starts ``python -m lrtui serve`` there).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))  # (the checkout this is run from)


async def round_trips(ws, seconds: float) -> list[float]:
    """Ping round trips (ms) of a page that pings every 50 ms for ``seconds``, reading all it is sent."""
    import aiohttp

    trips = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sent = time.monotonic()
        await ws.send_json(["ping", str(sent)])
        while True:
            message = await ws.receive(timeout=30)
            assert message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY), message
            if message.type == aiohttp.WSMsgType.TEXT and json.loads(message.data)[0] == "pong":
                break
        trips.append(1000 * (time.monotonic() - sent))
        await asyncio.sleep(0.05)
    return trips


def frames(texts: list[str], count: int) -> bytes:
    """``count`` websocket text frames from a client (masked, RFC 6455), cycling through ``texts``."""
    import os

    out = bytearray()
    for i in range(count):
        payload = texts[i % len(texts)].encode()
        mask = os.urandom(4)
        assert len(payload) < 126
        out += bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[j % 4] for j, b in enumerate(payload))
    return bytes(out)


async def raw_page(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A websocket to ``url`` (ws://host:port/ws?...) on a plain socket, its handshake done: what a script would
    open to flood the server faster than a websocket client lets it."""
    import base64
    import os
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                 f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    assert b" 101 " in head.split(b"\r\n")[0], head
    return reader, writer


async def flood(url: str, kind: str, seconds: float) -> tuple[int, str]:
    """Send ``kind`` messages on a page's websocket as fast as a raw socket takes them for ``seconds`` (what is
    sent back is read and thrown away), then drop the connection mid-flood, without a closing handshake: (how
    many were sent, how it ended)."""
    reader, writer = await raw_page(url)
    texts = {"ping": ['["ping", "x"]'], "resize": ['["resize", {"width": 100, "height": 30}]',
                                                   '["resize", {"width": 80, "height": 24}]'],
             "both": ['["ping", "x"]', '["resize", {"width": 100, "height": 30}]']}[kind]
    batch, per_batch = frames(texts, 1000), 1000
    closed = asyncio.Event()

    async def read_all() -> None:
        while await reader.read(1 << 20):
            pass
        closed.set()

    reading = asyncio.ensure_future(read_all())
    sent, began = 0, time.monotonic()
    end = began + seconds
    try:
        while time.monotonic() < end and not closed.is_set():
            writer.write(batch)
            await asyncio.wait_for(writer.drain(), max(0.01, end - time.monotonic()))
            sent += per_batch
    except (ConnectionError, asyncio.TimeoutError) as error:
        if not isinstance(error, asyncio.TimeoutError):
            return sent, (f"the server closed it {time.monotonic() - began:.2f} s after its first message "
                          f"({type(error).__name__} on sending)")
    finally:
        reading.cancel()
    if closed.is_set():
        return sent, f"the server closed it {time.monotonic() - began:.2f} s after its first message"
    writer.transport.abort()  # the page goes mid-flood
    return sent, "still open: dropped mid-flood"


def flood_process(url: str, kind: str, seconds: float, said) -> None:
    """:func:`flood` in a process of its own (in the measuring one it would slow the measure itself)."""
    said.send(asyncio.run(flood(url, kind, seconds)))


async def measure(port: int, seconds: float, kind: str) -> None:
    import aiohttp

    url = f"ws://127.0.0.1:{port}/ws?width=80&height=24"
    async with aiohttp.ClientSession() as client:
        other = await client.ws_connect(url)
        await round_trips(other, 2.0)  # (its first frames)
        quiet = await round_trips(other, seconds / 2)
        spawn = multiprocessing.get_context("spawn")  # (a fork of this process would carry its loop along)
        said, told = spawn.Pipe(duplex=False)
        flooder = spawn.Process(target=flood_process, args=(url, kind, seconds, told))
        flooder.start()
        busy = await round_trips(other, seconds)
        sent, ended = said.recv()
        flooder.join()
        await other.close()
    for name, trips in [("no flood", quiet), (f"a {kind} flood from another page", busy)]:
        print(f"the other page's ping round trip, {name}: median {statistics.median(trips):.1f} ms, "
              f"worst {max(trips):.1f} ms ({len(trips)} pings)")
    print(f"the flooding page sent {sent:,} messages in {seconds:g} s; {ended}")


def main() -> None:
    from benchmarks.bench_serve_flood import served

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--kind", choices=["ping", "resize", "both"], default="ping")
    args = parser.parse_args()
    with served() as (server, port):
        asyncio.run(measure(port, args.seconds, args.kind))
        time.sleep(1.0)
    log = server.stdout.read().decode("utf-8", "replace")
    print(f"the server's log: {len(log.splitlines())} lines, {log.count('Traceback')} tracebacks")
    if log.strip():
        print("  " + "\n  ".join(log.strip().splitlines()[:12]))


if __name__ == "__main__":
    main()
