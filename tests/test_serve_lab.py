"""lrtui serve against one client that would hold the lab (issue 24): a join code, a cap per client
address, new sessions limited in rate per address, half-open requests closed, the file limit raised, and
an error repeated in a flood logged once with its count."""

import asyncio
import logging
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lrtui.cli import main
from tests.test_serve import _start, _stop

aiohttp = pytest.importorskip("aiohttp")
server = pytest.importorskip("lrtui.serve.server")


def _ws(url: str) -> str:
    return url.replace("http", "ws") + "/ws?width=80&height=24"


def test_a_lab_with_a_join_code_refuses_pages_and_websockets_without_it(tmp_path):
    url, process, line = _start(tmp_path, "--join-code", "lab-42")
    try:
        assert f"students open {url}/?code=lab-42 " in line

        async def scenario():
            async with aiohttp.ClientSession() as stranger:
                for address in ("/", "/?code=lab-41", "/?code="):
                    async with stranger.get(url + address) as page:
                        assert page.status == 403 and "join code" in await page.text()
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:  # a raw websocket, no page
                    await stranger.ws_connect(_ws(url))
                assert refused.value.status == 403
                for address in ("/static/js/textual.js", "/static/", "/download/anything"):  # the page's files too
                    async with stranger.get(url + address) as answer:
                        assert answer.status == 403 and "join code" in await answer.text(), address
            async with aiohttp.ClientSession() as student:
                async with student.get(url + "/?code=lab-42") as page:
                    assert page.status == 200 and "textual-terminal" in await page.text()
                async with student.get(url + "/static/js/textual.js") as script:  # the cookie carries the code
                    assert script.status == 200
                async with student.get(url + "/static/") as listing:  # no listing of the folder
                    assert listing.status in (403, 404)
                async with student.ws_connect(_ws(url)) as ws:  # the page's cookie carries the code
                    first = await ws.receive(timeout=20)
                    assert first.type == aiohttp.WSMsgType.BINARY  # the app draws

        asyncio.run(scenario())
    finally:
        _stop(process)


def test_a_cap_per_address_turns_away_its_next_session(tmp_path):
    url, process, _ = _start(tmp_path, "--max-per-address", "1", "--max-sessions", "4")
    try:
        async def scenario():
            async with aiohttp.ClientSession() as client:
                async with client.ws_connect(_ws(url)) as ws:
                    assert (await ws.receive(timeout=20)).type == aiohttp.WSMsgType.BINARY
                    async with client.get(url + "/") as page:
                        assert page.status == 503 and "already has 1 sessions" in await page.text()
                    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                        await client.ws_connect(_ws(url))
                    assert refused.value.status == 503

        asyncio.run(scenario())
    finally:
        _stop(process)


@pytest.mark.parametrize("argv, fragment", [
    (["--join-code", "a b"], "--join-code=a b is not allowed: 4 to 64 letters"),
    (["--join-code", "abc"], "--join-code=abc is not allowed"),
    (["--max-per-address", "0"], "--max-per-address=0 is not allowed: an integer in [1, 1000]"),
])
def test_bad_lab_options_are_one_line_and_exit_2(capsys, argv, fragment):
    assert main(["serve", *argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1


def test_new_sessions_per_address_are_limited_in_rate_and_forgotten_once_refilled():
    limits = server.ConnectLimits(burst=3, rate=1.0)
    assert [limits.take("a", now=0.0) for _ in range(4)] == [True, True, True, False]
    assert limits.take("b", now=0.0)  # another address has its own
    assert not limits.take("a", now=0.5) and limits.take("a", now=2.0)  # a second a session
    flood = server.ConnectLimits(burst=3, rate=1.0)
    for i in range(20_000):  # a connect loop from ever new addresses: the table stays small
        flood.take(f"10.0.{i // 256}.{i % 256}", now=i * 0.01)
    assert len(flood.buckets) <= 1001


def test_running_out_of_files_anywhere_is_one_line_without_a_traceback():
    """Issue 24's retry: with 256 files, 600 requests at once logged four tracebacks, one per place the error
    struck (accept, a page's template, a session's pipes, textual-serve reading its version): now one line,
    once a minute, saying what to do."""
    repeated = server.RepeatedOnce(every=60.0)
    kept = []
    for name, message, error in [("asyncio", "socket.accept() out of system resource", OSError(24, "Too many")),
                                 ("aiohttp.server", "Error handling request", OSError(24, "Too many: x.html")),
                                 ("textual-serve", "[Errno 23] Too many open files in system", OSError(23, "x"))]:
        record = logging.LogRecord(name, logging.ERROR, __file__, 1, message, (), (OSError, error, None))
        if repeated.filter(record):
            kept.append(record)
    (record,) = kept
    assert record.exc_info is None and record.getMessage().startswith("out of open files (the limit is ")
    assert "raise the limit (LimitNOFILE in the service, ulimit -n)" in record.getMessage()


def test_a_flood_of_one_error_is_logged_once_a_minute_with_its_count(caplog):
    repeated = server.RepeatedOnce(every=60.0)
    logger = logging.getLogger("lrtui-test-flood")  # (as asyncio's logger does for accept() errors)
    logger.setLevel(logging.ERROR)
    logger.propagate = False
    handler = logging.Handler()
    kept = []
    handler.emit = kept.append
    handler.addFilter(repeated)
    logger.addHandler(handler)
    try:
        for _ in range(5000):
            try:
                raise OSError(104, "Connection reset by peer")
            except OSError:
                logger.error("socket.accept() out of system resource", exc_info=True)
        logger.error("another error")
        assert len(kept) == 2 and kept[0].exc_info is not None
        key = next(iter(repeated.seen))
        repeated.seen[key] = (repeated.seen[key][0] - 61, repeated.seen[key][1])  # a minute later
        try:
            raise OSError(104, "Connection reset by peer")
        except OSError:
            logger.error("socket.accept() out of system resource", exc_info=True)
        assert len(kept) == 3 and "(and 4,999 times more in the last 61 s)" in kept[2].getMessage()
        assert kept[2].exc_info is None
    finally:
        logger.removeHandler(handler)


def test_a_file_limit_that_cannot_be_raised_is_said_at_start():
    """The hostile retry: with a hard limit of 1,024 open files, one client's half-open requests keep pages
    from loading; the server cannot fix that, and says so in one line, with the fix."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    low = min(1024, hard)
    code = "from lrtui.serve.server import raise_file_limit; print(raise_file_limit())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (low, low))).stdout
    assert int(out) == low
    warning = server.file_limit_warning(low)
    assert "may open 1024 files" in warning and "LimitNOFILE=65536" in warning and "\n" not in warning
    assert server.file_limit_warning(65536) is None


def test_the_open_file_limit_is_raised_to_the_hard_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    low = min(256, hard)
    code = ("import resource; from lrtui.serve.server import raise_file_limit; raise_file_limit(); "
            "print(*resource.getrlimit(resource.RLIMIT_NOFILE))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (low, hard))).stdout
    got_soft, got_hard = map(int, out.split())
    assert got_hard == hard and got_soft == (hard if hard != resource.RLIM_INFINITY else max(low, 1 << 20))


def test_a_half_open_request_is_closed_and_a_session_is_not(tmp_path):
    """Slowloris: a request whose headers trickle in is closed after HALF_OPEN_SECONDS (1 s here); a page's
    websocket, open much longer, still answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = ("import lrtui.serve.server as s; s.HALF_OPEN_SECONDS = 1.0; from lrtui.cli import main; "
            f"main(['serve', '--host', '127.0.0.1', '--port', '{port}', '--preset', 'T1'])")
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=dict(os.environ, TMPDIR=str(tmp_path)))
    try:
        assert "students open" in process.stdout.readline().decode()
        url = f"http://127.0.0.1:{port}"

        async def scenario():
            async with aiohttp.ClientSession() as client:
                async with client.ws_connect(_ws(url)) as ws:
                    assert (await ws.receive(timeout=20)).type == aiohttp.WSMsgType.BINARY  # the app draws
                    slow = socket.create_connection(("127.0.0.1", port))
                    slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                    started = time.monotonic()
                    closed = None
                    while time.monotonic() - started < 8:
                        await asyncio.sleep(0.25)
                        try:
                            slow.sendall(b"X-Slow: 1\r\n")
                        except OSError:
                            closed = time.monotonic() - started
                            break
                    slow.close()
                    assert closed is not None and closed < 6, closed
                    await asyncio.sleep(1.5)  # the websocket is older than the timeout now
                    while True:  # (what the app drew since)
                        try:
                            await ws.receive(timeout=0.5)
                        except asyncio.TimeoutError:
                            break
                    await ws.send_json(["stdin", "\x1b[C"])  # right: the next epoch, drawn
                    message = await ws.receive(timeout=10)
                    assert message.type == aiohttp.WSMsgType.BINARY, message

        asyncio.run(scenario())
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()


def test_a_served_lab_asks_each_students_name_and_records_their_work(tmp_path):
    """lrtui serve --lab: each session asks the student's name, opens their own variant, and writes the one
    results file beside the lab, which lrtui report reads."""
    import shutil

    from lrtui.lab.results import read_events
    from tests.test_serve_hostile import _screen_until, _stop_and_read

    lab = tmp_path / "lab.toml"
    shutil.copy(Path(__file__).resolve().parent.parent / "lrtui" / "labs" / "first-lab.toml", lab)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "lrtui", "serve", "--port", str(port), "--lab", str(lab)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path,
                               env=dict(os.environ, TMPDIR=str(tmp_path)))
    assert "students open" in process.stdout.readline().decode()
    url = f"http://localhost:{port}"
    from lrtui.lab.spec import load_lab

    bobs_L = load_lab(lab).exercises[0].variant("bob")["problem.L"]

    async def scenario():
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(_ws(url)) as ws:
                await _screen_until(ws, "your name")
                await asyncio.sleep(0.3)
                await ws.send_json(["stdin", "bob\r"])
                await _screen_until(ws, "predict first")  # then the exercise's question, before its run
                await asyncio.sleep(0.3)
                await ws.send_json(["stdin", "0.5\r"])
                await _screen_until(ws, f"[{bobs_L:g}]")  # bob's own L, in the form (locked)
                await asyncio.sleep(0.5)

    try:
        asyncio.run(scenario())
    finally:
        log = _stop_and_read(process)
    assert (tmp_path / "lab.results.sqlite").is_file(), log
    events = read_events([tmp_path / "lab.results.sqlite"])
    assert events and {e["student"] for e in events} == {"bob"} and "predict" in [e["kind"] for e in events], log
