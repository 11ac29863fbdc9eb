"""lrtui serve's limits on what one page may hold or send, and on the server's own work (issue 27, the hostile
review): every message a page sends counts against its allowance, and a page that floods is closed, the
others unaffected; a page that goes mid-flood leaves no traceback; a temporary folder of many files is never
listed on the server's loop; a session ends at its maximum age, warned ahead, whatever its keys; a websocket
that never speaks as a page does is closed, its place freed."""

import asyncio
import fnmatch
import os
import tempfile
import threading
import time

import pytest

from lrtui.serve.lifetimes import Lifetime, duration
from lrtui.serve.limits import MESSAGE_BURST, MESSAGES_PER_SECOND, PageLimits, SizesLater
from tests.conftest import session_without_page
from tests.test_serve import _new_session_once_a_place_is_free, _start
from tests.test_serve_hostile import STUCK, _screen_until, _stop_and_read


# --- a page's allowance -------------------------------------------------------------------------------------

def test_the_limits_and_lifetimes_import_neither_aiohttp_nor_textual():
    """What decides a page's allowance and a session's end is plain Python (the driver, in the session's
    process, reads the lifetimes too)."""
    import subprocess
    import sys

    code = ("import sys, lrtui.serve.limits, lrtui.serve.lifetimes; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'aiohttp', 'textual', 'textual_serve'}))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "[]"


def test_messages_past_a_pages_allowance_are_dropped_and_a_flood_is_closed():
    limits = PageLimits(now=0.0)
    verdicts = [limits.message(20, now=0.0) for _ in range(2 * MESSAGE_BURST)]
    assert verdicts[:MESSAGE_BURST] == ["take"] * MESSAGE_BURST  # a burst is taken
    assert set(verdicts[MESSAGE_BURST:-1]) == {"drop"} and verdicts[-1] == "close"  # as many again: closed
    assert limits.dropped == MESSAGE_BURST

    paced = PageLimits(now=0.0)  # a page that keeps to the rate never loses one
    assert {paced.message(20, now=i / MESSAGES_PER_SECOND) for i in range(10 * MESSAGES_PER_SECOND)} == {"take"}

    uploads = PageLimits(now=0.0)  # the largest upload (1 MB) fits in the burst; a second at once does not
    assert [uploads.message(1 << 20, now=0.0) for _ in range(2)] == ["take", "drop"]
    assert uploads.message(1 << 20, now=3.0) == "take"  # a few seconds later it does


async def test_a_pages_new_sizes_reach_its_app_a_few_a_second_the_last_one_always():
    sent = []

    class App:
        async def set_terminal_size(self, width, height):
            sent.append((width, height))

    sizes = SizesLater(App())
    for width in range(80, 130):  # a window dragged: fifty sizes at once
        sizes.send((width, 30))
    await asyncio.sleep(0.5)
    assert sent == [(129, 30)]
    sizes.send((100, 40))  # later on: it goes too
    await asyncio.sleep(0.5)
    assert sent == [(129, 30), (100, 40)]
    sizes.cancel()


# --- a real server, a page that floods ------------------------------------------------------------------------

async def _closed(ws) -> tuple:
    """Read what a page is sent until its websocket closes: (the code and reason of the server's close, or
    the socket's state when it closed without one)."""
    import aiohttp

    while True:
        message = await ws.receive()
        if message.type == aiohttp.WSMsgType.CLOSE:  # (the close frame's, whatever the connection did after)
            return message.data, message.extra
        if message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.ERROR):
            return ws.close_code, message.extra


@pytest.mark.parametrize("kind", ["ping", "resize", "protocol ping"])
def test_a_page_that_floods_is_closed_and_the_other_sessions_go_on(tmp_path, kind):
    """The hostile review: a page sending pings (textual.js's, or the websocket's own), or resizes, as fast as
    it could raised the other pages' round trip to 347 ms, without end. Past its allowance a page's messages
    are dropped, and the page is closed, saying why, in one line of the server's log; another page's session
    still answers."""
    import aiohttp

    from lrtui.serve.server import FLOODING

    url, process, _ = _start(tmp_path)

    async def scenario():
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as client:
            async with client.ws_connect(url.replace("http", "ws") + "/ws") as other:
                await _screen_until(other, "t=0/")
                flooding = await client.ws_connect(url.replace("http", "ws") + "/ws")
                closed = asyncio.ensure_future(_closed(flooding))
                sent = 0
                while not closed.done() and sent < 20 * MESSAGE_BURST:
                    try:
                        if kind == "protocol ping":
                            await flooding.ping()
                        else:
                            await flooding.send_json(["ping", "x"] if kind == "ping" else
                                                     ["resize", {"width": 80 + sent % 2, "height": 24}])
                    except (ConnectionError, aiohttp.ClientError):
                        break
                    sent += 1
                    if sent % 100 == 0:
                        await asyncio.sleep(0)  # (the reader sees the close)
                code, reason = await asyncio.wait_for(closed, 20)
                assert (code, reason) == (aiohttp.WSCloseCode.POLICY_VIOLATION, FLOODING), (code, reason, sent)
                await other.send_json(["stdin", "\x1b[C"])  # Right: the other session moves on
                await _screen_until(other, "t=1/")

    try:
        asyncio.run(scenario())
    finally:
        log = _stop_and_read(process)
    assert log.count("a page closed: it sent more messages than a browser does") == 1, log
    assert "Traceback" not in log, log


def test_a_page_gone_in_the_middle_of_its_messages_leaves_no_traceback(tmp_path):
    """The hostile review: a page that closed mid-flood logged a traceback (its pong written to a socket gone).
    A page's pings sent in one go, within its allowance, and the connection dropped at once: nothing logged."""
    from benchmarks.bench_serve_messages import frames, raw_page

    url, process, _ = _start(tmp_path)
    pings = frames(['["ping", "x"]'], MESSAGE_BURST - 100)

    async def scenario():
        for _ in range(3):
            _, writer = await raw_page(url.replace("http", "ws") + "/ws?width=80&height=24")
            writer.write(pings)
            await writer.drain()
            writer.transport.abort()  # gone, its pings not yet answered
        await asyncio.sleep(2.0)

    try:
        asyncio.run(scenario())
        assert process.poll() is None
    finally:
        log = _stop_and_read(process)
    assert "Traceback" not in log and "Cannot write" not in log, log


# --- the temporary folder, however large, is listed in a thread, and seldom --------------------------------

QUITS = ("exec sh -c 'd=\"$TMPDIR/lrtui-session-$$-quits___\"; mkdir \"$d\" && echo __GANGLION__ && "
         "head -c 1 >/dev/null; rm -r \"$d\"'")
"""A session's app that quits when asked (the first byte of the quit), removing its own folder, as lrtui's does."""


def test_a_large_temporary_folder_is_never_listed_on_the_servers_loop(tmp_path, monkeypatch):
    """The hostile review: with a million files in /tmp each upload and each session's end stalled the server
    1.4 s, listing /tmp on its one thread. Listings happen in threads; a session's folder is looked for once
    (its first upload), and at its end only if it was killed (an app that quits removes its own)."""
    pytest.importorskip("textual_serve")
    from lrtui.serve.server import LabServer

    for i in range(20_000):  # (a million in the review: this is enough to see where the listing runs)
        (tmp_path / f"f{i}").touch()
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    listed = []  # (thread, folder) of every listing of the temporary folder or a folder in it

    def recorded(real):
        def listing(path="."):
            if isinstance(path, (str, os.PathLike)) and str(path).startswith(str(tmp_path)):
                listed.append((threading.get_ident(), str(path)))
            return real(path)
        return listing

    for name in ("listdir", "scandir"):
        monkeypatch.setattr(os, name, recorded(getattr(os, name)))

    async def folder_of(pattern: str):
        end, mine = time.monotonic() + 10, len(listed)
        while not (found := [tmp_path / n for n in os.listdir(tmp_path) if fnmatch.fnmatch(n, pattern)]):
            assert time.monotonic() < end, "the session made no folder"
            await asyncio.sleep(0.05)
        del listed[mine:]  # (this test's own)
        return found[0]

    async def scenario() -> int:
        server = LabServer(STUCK, host="127.0.0.1", port=1, public_url=None, max_sessions=2, idle_seconds=60)
        service = await session_without_page(server)
        folder = await folder_of("lrtui-session-*-stuck___")
        since = len(listed)
        for name in ("one.toml", "two.toml"):
            await server._upload(service, {"name": name, "text": "x = 1\n"})
        assert (folder / "one.toml").read_text() == (folder / "two.toml").read_text() == "x = 1\n"
        await server._end(service, patience=0.5)  # killed: the server removes its folder
        assert not folder.exists()
        assert [path for _, path in listed[since:] if str(path) == str(tmp_path)] == [str(tmp_path)] * 2  # once each

        quitting = LabServer(QUITS, host="127.0.0.1", port=1, public_url=None, max_sessions=2, idle_seconds=60)
        service = await session_without_page(quitting)
        folder = await folder_of("lrtui-session-*-quits___")
        since = len(listed)
        await quitting._end(service)
        assert service._process.returncode == 0 and not folder.exists()
        assert not [path for _, path in listed[since:] if str(path) == str(tmp_path)]  # it removed its own
        return threading.get_ident()

    loop_thread = asyncio.run(scenario())
    assert listed and not [path for thread, path in listed if thread == loop_thread], listed


# --- a session's lifetime -----------------------------------------------------------------------------------

HOUR = 3600.0
LAB = Lifetime(idle_seconds=30 * 60, max_age_seconds=4 * HOUR)


@pytest.mark.parametrize("age, idle, warned, due", [
    (60, 60, False, None),
    (60, 31 * 60, False, "ends idle"),
    (4 * HOUR - 11 * 60, 0, False, None),
    (4 * HOUR - 10 * 60, 0, False, "warned"),  # ten minutes ahead, time to save
    (4 * HOUR - 10 * 60, 31 * 60, False, "warned"),  # (then idle, at the next look)
    (4 * HOUR - 5 * 60, 0, True, None),
    (4 * HOUR, 0, True, "ends old"),  # a key every minute keeps no session for ever
    (4 * HOUR, 0, False, "ends old"),
])
def test_what_a_session_is_due(age, idle, warned, due):
    assert LAB.due(age, idle, warned) == due


def test_what_a_student_is_told_of_a_sessions_end():
    assert LAB.why("ends old") == "This session reached the lab's limit of 4 hours and ended."
    assert LAB.why("ends idle") == "This session had no key for 30 minutes and ended."
    assert LAB.warning(4 * HOUR - 600).startswith("This session ends in 10 minutes: a lab session lasts 4 hours at")
    assert "ctrl+s saves your work" in LAB.warning(0)
    assert [duration(s) for s in (6, 89, 90, 600, 5400, 9000, 168 * HOUR)] == [
        "6 seconds", "89 seconds", "1.5 minutes", "10 minutes", "1.5 hours", "2.5 hours", "168 hours"]
    # the newcomer's try: --idle-minutes 2.5 and 1.5 both said "2 minutes" (rounded, halves to even)
    assert [duration(s) for s in (150, 60, 3600, 1, 100, 86399)] == [
        "2.5 minutes", "1 minute", "1 hour", "1 second", "about 1.7 minutes", "about 24 hours"]
    longest = Lifetime(idle_seconds=1440 * 60 - 1, max_age_seconds=167.9 * HOUR)  # (a close reason: 123 bytes)
    assert max(len(longest.why(due).encode()) for due in ("ends old", "ends idle")) <= 123
    short = Lifetime(idle_seconds=6, max_age_seconds=8)  # a test's: warned at half its age, looked at each 2 s
    assert (short.warned_before, short.checked_every) == (4, 1.5)


AGE_8_S = ("import lrtui.serve.server as s; run = s.run; "
           "s.run = lambda command, **settings: run(command, **{**settings, 'max_age_seconds': 8.0})")
"""lrtui serve with sessions that last 8 s at most (the shortest --max-session-hours is 6 minutes)."""


def test_a_session_ends_at_its_maximum_age_warned_ahead_whatever_its_keys(tmp_path):
    """The hostile review: a key every 29 minutes held a place for ever (none would end it idle). A session
    ends at its maximum age, however busy: warned ahead in its app (time to save), then ended as q ends it, its
    page told why; its place is free again."""
    import aiohttp

    url, process, _ = _start(tmp_path, "--max-sessions", "1", patch=AGE_8_S)

    async def typing(ws):
        while True:
            await ws.send_json(["stdin", "\x1b[C"])  # Right: a key every half second
            await asyncio.sleep(0.5)

    async def scenario():
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90)) as client:
            opened = time.monotonic()
            async with client.ws_connect(url.replace("http", "ws") + "/ws") as ws:
                await _screen_until(ws, "t=0/")
                keys = asyncio.ensure_future(typing(ws))
                try:
                    await _screen_until(ws, "This session ends in", timeout=30)  # (at 4 s, or a look later)
                    code, reason = await asyncio.wait_for(_closed(ws), 30)
                finally:
                    keys.cancel()
                assert time.monotonic() - opened >= 8
                assert (code, reason) == (aiohttp.WSCloseCode.OK,
                                          "This session reached the lab's limit of 8 seconds and ended.")
            await _new_session_once_a_place_is_free(client, url)

    try:
        asyncio.run(scenario())
    finally:
        log = _stop_and_read(process)
    assert "Traceback" not in log, log


def test_a_websocket_that_never_speaks_as_a_page_is_closed_and_its_place_freed(tmp_path):
    """Without a join code, plain websockets held every place: a page pings as its websocket opens, and a
    websocket that sends no text within FIRST_MESSAGE_SECONDS (2 s here; 30 in a lab) is closed, saying why,
    in one line of the log. A page that spoke goes on."""
    import aiohttp

    from lrtui.serve.server import SILENT

    url, process, _ = _start(tmp_path, "--max-sessions", "2",
                             patch="import lrtui.serve.server as s; s.FIRST_MESSAGE_SECONDS = 2.0")

    async def scenario():
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90)) as client:
            silent = await client.ws_connect(url.replace("http", "ws") + "/ws")  # reads, never sends
            async with client.ws_connect(url.replace("http", "ws") + "/ws") as page:
                await page.send_json(["ping", "1"])  # as textual.js does when its websocket opens
                code, reason = await asyncio.wait_for(_closed(silent), 20)
                assert (code, reason) == (aiohttp.WSCloseCode.POLICY_VIOLATION, SILENT)
                await asyncio.sleep(1.0)
                await page.send_json(["stdin", "\x1b[C"])  # Right: the page that spoke goes on
                await _screen_until(page, "t=1/")
                await _new_session_once_a_place_is_free(client, url)

    try:
        asyncio.run(scenario())
    finally:
        log = _stop_and_read(process)
    assert log.count("a websocket closed: it sent nothing in 2 s") == 1 and "Traceback" not in log, log


@pytest.mark.parametrize("host, only_here", [("localhost", True), ("127.0.0.1", True), ("::1", True),
                                             ("0.0.0.0", False), ("::", False), ("lab.example.edu", False)])
def test_which_hosts_only_this_machine_reaches(host, only_here):
    from lrtui.serve.settings import only_this_machine

    assert only_this_machine(host) == only_here


@pytest.mark.parametrize("join_code", [None, "week-3"])
def test_a_lab_open_to_the_network_without_a_join_code_says_so_at_start(tmp_path, join_code):
    """Held places are for the join code to prevent (a script can speak as a page does): a server that
    listens beyond this machine without one says so, in one line, at start."""
    from lrtui.serve.settings import OPEN_TO_ALL

    args = ["--host", "0.0.0.0"] + (["--join-code", join_code] if join_code else [])
    _, process, _ = _start(tmp_path, *args)
    log = _stop_and_read(process)
    assert (OPEN_TO_ALL + "\n" in log) == (join_code is None), log
