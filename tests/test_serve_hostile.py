"""lrtui serve against a hostile neighbour or page (issue 24): what another local user leaves in the temporary
folder, text from a browser that is not valid Unicode, a download asked for twice at once or under a name
that would break its header, a port or host that cannot be had, and a stop with sessions running."""

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lrtui.io.sandbox import Sandbox, remove_orphans
from tests.conftest import session_pids, session_without_page
from tests.test_serve import _start


def _dead_pid() -> int:
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


# --- what the temporary folder holds when the server starts --------------------------------------------

def test_nothing_a_local_user_leaves_in_the_temporary_folder_stops_the_server(tmp_path):
    """Names that look like a session folder's but are not exactly ours are passed over, links are never
    followed, and nothing found there raises: under systemd a raise at start is a restart loop."""
    target = tmp_path / "victim"  # stands for /root: a folder the link would lead the sweep into
    target.mkdir()
    (target / "keep").write_text("x")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    dead = _dead_pid()
    (tmp / "lrtui-session-\u00b2-x").symlink_to(target)  # "²".isdigit(), and int("²") raises
    (tmp / f"lrtui-session-{dead}-linktodir").symlink_to(target)  # our name, a dead pid: a link, not ours
    (tmp / f"lrtui-session-{dead}-abcdefgh").symlink_to(target)
    for name in ["lrtui-session-99999999999999999999-abcdefgh",  # past any pid: OverflowError in os.kill
                 "lrtui-session-\u0661\u0662-abcdefgh",  # Arabic-Indic digits
                 "lrtui-session-0-abcdefgh",  # pid 0 is this process group
                 "lrtui-session--1-abcdefgh", "lrtui-session-+5-abcdefgh", "lrtui-session- 5-abcdefgh",
                 f"lrtui-session-0{dead}-abcdefgh", f"lrtui-session-{dead}-abc",
                 f"lrtui-session-{dead}-abcdefgh-x", f"lrtui-session-{dead}-ABCDEFGH",
                 f"lrtui-session-{dead}-abcdefg\n", f"xlrtui-session-{dead}-abcdefgh"]:
        (tmp / name).mkdir()
    (tmp / f"lrtui-session-{dead}-afile___").write_text("x")  # our name on a file
    os.mkfifo(tmp / f"lrtui-session-{dead}-afifo___")
    raw = os.fsencode(tmp) + b"/lrtui-session-" + str(dead).encode() + b"-\xff\xfe\xfdabcde"  # not UTF-8
    os.mkdir(raw)
    orphan = tmp / f"lrtui-session-{dead}-orphan_1"
    orphan.mkdir()
    (orphan / "run.toml").write_text("x")
    before = sorted(os.listdir(tmp))

    assert remove_orphans(str(tmp)) == [orphan]
    assert sorted(os.listdir(tmp)) == [n for n in before if n != orphan.name]
    assert (target / "keep").exists()


def test_a_folder_of_another_user_is_never_touched(tmp_path, monkeypatch):
    dead = _dead_pid()
    orphan = tmp_path / f"lrtui-session-{dead}-abcdefgh"
    orphan.mkdir()
    if os.getuid() == 0:
        os.chown(orphan, 65534, 65534)  # nobody's
    else:
        monkeypatch.setattr(os, "getuid", lambda: os.stat(orphan).st_uid + 1)
    assert remove_orphans(str(tmp_path)) == []
    assert orphan.exists()


def test_a_missing_or_unreadable_temporary_folder_raises_nothing(tmp_path):
    assert remove_orphans(str(tmp_path / "nowhere")) == []
    (tmp_path / "file").write_text("x")
    assert remove_orphans(str(tmp_path / "file")) == []


def test_a_sessions_own_folder_has_the_name_the_sweep_knows(tmp_path):
    """The sweep takes only our exact names: the folders sessions make (mkdtemp's) must have them."""
    box = Sandbox.create(lambda p: None, parent=str(tmp_path))
    assert remove_orphans(str(tmp_path)) == []  # this process lives
    orphan = tmp_path / box.folder.name.replace(f"-{os.getpid()}-", f"-{_dead_pid()}-", 1)
    box.folder.rename(orphan)
    assert remove_orphans(str(tmp_path)) == [orphan] and not orphan.exists()


# --- a real server, a raw websocket ----------------------------------------------------------------------

async def _screen_until(ws, text: str, timeout: float = 20) -> str:
    """What the session draws (its terminal output, escape sequences left out) until ``text`` is in it;
    AssertionError if it is not within ``timeout`` s, or the session ends first."""
    import aiohttp

    drawn = ""
    end = time.monotonic() + timeout
    while text not in drawn:
        assert time.monotonic() < end, f"waited {timeout} s for {text!r} on the screen"
        message = await ws.receive(timeout=max(0.1, end - time.monotonic()))
        assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), f"the session ended: {message}"
        if message.type == aiohttp.WSMsgType.BINARY:
            drawn += re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", message.data.decode("utf-8", "replace"))
    return drawn


def _stop_and_read(process) -> str:
    """Stop the server as ctrl+c does; what it wrote after its first line (the address, read by _start)."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log = process.stdout.read().decode("utf-8", "replace")
    process.stdout.close()
    return log


def test_text_that_is_not_unicode_from_a_page_ends_nothing(tmp_path):
    """A lone surrogate (JSON lets a page write one, \\ud800) is dropped at the border, and keys that come
    to nothing are not sent: the session goes on and takes the rest, and the server logs no traceback."""
    import aiohttp

    url, process, _ = _start(tmp_path)

    async def scenario():
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(url.replace("http", "ws") + "/ws") as ws:
                await _screen_until(ws, "t=0/")
                await ws.send_str('["stdin", "\\ud800"]')  # all of it dropped: nothing left to send
                await ws.send_json(["stdin", ""])  # (an empty read is the end of a session's input)
                await ws.send_str('["stdin", "\\udfff\\u001b[C\\ud800"]')  # Right between two: the cursor moves
                await _screen_until(ws, "t=1/")

    try:
        asyncio.run(scenario())
        assert process.poll() is None
    finally:
        log = _stop_and_read(process)
    assert "Traceback" not in log and "UnicodeEncodeError" not in log, log


# --- downloads ---------------------------------------------------------------------------------------------

DISPOSITION = re.compile(r'attachment; filename="(?:[ !#-\[\]-~]|\\[\\"])*"'  # RFC 6266: a quoted-string ...
                         r"(?:; filename\*=UTF-8''(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})+)?")  # ... and an ext-value


def saved_as(header: str) -> str:
    """The name a browser saves a download under, read back by the standard library's MIME parser: the
    ``filename*`` when there is one (RFC 6266 puts it first), else ``filename``."""
    from email.message import Message
    from email.utils import collapse_rfc2231_value

    assert DISPOSITION.fullmatch(header), header
    message = Message()
    message["Content-Disposition"] = header
    names = [value for key, value in message.get_params(header="content-disposition") if key == "filename"]
    extended = [value for value in names if isinstance(value, tuple)]  # filename*=, decoded per RFC 2231
    return collapse_rfc2231_value((extended or names)[0])


@pytest.mark.parametrize("name", ['ok name; "q".toml', "back\\slash.toml", "it's 100%.csv", "a=b,c;d.json",
                                  "ünïcödé 日本.toml", "emoji \U0001f600.csv", "tab\there.csv", "plain.csv"])
def test_a_downloads_name_survives_its_header(name):
    from lrtui.serve.downloads import content_disposition

    header = content_disposition(name)
    assert saved_as(header) == name
    assert header.isascii() and header.isprintable()


def test_a_download_is_served_once_and_whole(tmp_path):
    """Two requests at once for one file: one gets it whole, the other a clean refusal (never a part of it,
    never a traceback); once served it is gone. A name that would break the header (saved by the student)
    comes back whole."""
    import aiohttp

    url, process, _ = _start(tmp_path, "--epochs", "5000")  # a csv of ~290 kB: five chunks of 64 kB

    async def delivered(ws) -> str:
        """The key of the next file the session delivers."""
        while True:
            message = await ws.receive(timeout=20)
            assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
            if message.type == aiohttp.WSMsgType.TEXT and json.loads(message.data)[0] == "deliver_file_start":
                return json.loads(message.data)[1]

    async def get(client, key):
        async with client.get(f"{url}/download/{key}") as response:
            try:
                return response.status, response.headers.get("Content-Disposition"), await response.read()
            except aiohttp.ClientPayloadError as cut:
                return response.status, response.headers.get("Content-Disposition"), cut

    async def scenario():
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as client:
            async with client.ws_connect(url.replace("http", "ws") + "/ws") as ws:
                await _screen_until(ws, "t=0/")
                await ws.send_json(["stdin", "\x1b"])
                await asyncio.sleep(0.3)
                await ws.send_json(["stdin", "e"])  # exports lrtui-runs.csv, then lrtui-runs.json
                csv = await delivered(ws)
                await delivered(ws)
                (folder,) = tmp_path.glob("lrtui-session-*")
                whole = (folder / "lrtui-runs.csv").read_bytes()
                assert len(whole) > 4 * 65536
                answers = sorted(await asyncio.gather(get(client, csv), get(client, csv)), key=lambda a: a[0])
                assert [a[0] for a in answers][0] == 200 and answers[1][0] in (404, 410), answers
                assert answers[0][2] == whole and answers[0][1] == 'attachment; filename="lrtui-runs.csv"'
                assert (await get(client, csv))[0] == 404  # served: gone
                for name in ['ok name; "q".toml', "ünï 日本.toml"]:
                    await ws.send_json(["stdin", "\x13"])  # ctrl+s: the prompt, a name in it
                    await _screen_until(ws, "save the session to")
                    await asyncio.sleep(0.3)  # (its field takes the focus just after it is drawn)
                    for key in "\x7f" * 30:  # typed as a student types, a key at a time
                        await ws.send_json(["stdin", key])
                        await asyncio.sleep(0.02)
                    # (Textual applies a backspace after a letter that comes close behind it: a student sees the
                    # field empty before typing; so does this test, or under load a backspace takes the name's first)
                    await asyncio.sleep(1.0)
                    for key in name + "\r":
                        await ws.send_json(["stdin", key])
                        await asyncio.sleep(0.02)
                    status, header, body = await get(client, await delivered(ws))
                    assert status == 200 and saved_as(header) == name
                    assert body == (folder / name).read_bytes()

    try:
        asyncio.run(scenario())
    finally:
        log = _stop_and_read(process)
    assert "Traceback" not in log and "task_done" not in log, log


class _App:
    """A session's app as the download handler sees it: it answers each chunk request with the next of
    ``chunks`` (an empty one ends the file), and then with nothing (it is busy, or gone)."""

    def __init__(self, manager, chunks):
        self.manager = manager
        self.chunks = list(chunks)
        self.requests = 0

    async def send_meta(self, meta):
        assert meta["type"] == "deliver_chunk_request"
        self.requests += 1
        if self.chunks:
            await self.manager.chunk_received(meta["key"], self.chunks.pop(0))
        return True


async def _downloads(monkeypatch, *chunks, name="a.csv", open_method="download", mime_type="text/csv"):
    """A server with only the download handler, on 127.0.0.1; file "k" (named a.csv) from an app that sends
    ``chunks``: (client, app)."""
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer
    from lrtui.serve.downloads import Downloads, SessionDownloads

    monkeypatch.setattr("lrtui.serve.downloads.CHUNK_WAIT", 0.3)  # (20 s in a lab), shorter
    manager = SessionDownloads()
    app = _App(manager, chunks)
    await manager.create_download(app_service=app, delivery_key="k", file_name=name, open_method=open_method,
                                  mime_type=mime_type)
    server = web.Application()
    server.router.add_get("/download/{key}", Downloads(manager).handle)
    client = TestClient(TestServer(server, host="127.0.0.1"))
    await client.start_server()
    return client, app


async def test_a_download_cut_short_is_never_ended_as_whole(monkeypatch, caplog):
    """The app stops answering in the middle of a file: the connection is dropped (the browser says the
    download failed) rather than the body ended as if it were the whole file."""
    import aiohttp

    client, app = await _downloads(monkeypatch, b"a" * 1000, b"b" * 1000)
    try:
        async with client.get("/download/k") as response:
            assert response.status == 200
            with pytest.raises(aiohttp.ClientPayloadError):
                await response.read()
        assert (await client.get("/download/k")).status == 404  # it is not offered again, cut short
    finally:
        await client.close()
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


async def test_a_download_the_app_never_sends_is_a_clean_503(monkeypatch, caplog):
    client, app = await _downloads(monkeypatch)
    try:
        response = await client.get("/download/k")
        assert response.status == 503 and "save or export it again" in await response.text()
    finally:
        await client.close()
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


async def test_a_head_request_leaves_the_download_for_the_get(monkeypatch):
    client, app = await _downloads(monkeypatch, b"epoch,lr\n", b"")
    try:
        head = await client.head("/download/k")
        assert head.status == 200 and head.headers["Content-Disposition"] == 'attachment; filename="a.csv"'
        assert app.requests == 0
        response = await client.get("/download/k")
        assert response.status == 200 and await response.read() == b"epoch,lr\n"
        assert response.headers["Content-Type"] == "text/csv"
    finally:
        await client.close()


async def test_a_file_a_session_writes_never_opens_in_the_labs_page(monkeypatch):
    """A session's file asked to open in the browser (textual-serve's open_method="browser"), as HTML: it
    would run in the lab's own origin. It is always an attachment, and the browser may not guess its type."""
    client, app = await _downloads(monkeypatch, b"<script>alert(1)</script>", b"", name="x.html",
                                   open_method="browser", mime_type="text/html")
    try:
        response = await client.get("/download/k")
        assert response.status == 200
        assert response.headers["Content-Disposition"] == 'attachment; filename="x.html"'
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        await client.close()


# --- a port or host that cannot be had --------------------------------------------------------------------

@pytest.fixture
def serve_in_process(tmp_path, monkeypatch):
    """``lrtui serve`` run by lrtui.cli.main in this process, its temporary folder ``tmp_path``; stopped by
    SIGINT (as ctrl+c) if it ever got to serve, so a test that fails cannot hang."""
    import tempfile
    import threading

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    pytest.importorskip("textual_serve")
    from lrtui.cli import main

    def serve(*args):
        guard = threading.Timer(20, os.kill, (os.getpid(), signal.SIGINT))
        guard.start()
        try:
            return main(["serve", *args])
        finally:
            guard.cancel()

    return serve


def test_a_port_in_use_is_named_in_one_line(serve_in_process, capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert serve_in_process("--host", "127.0.0.1", "--port", str(port)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"lrtui serve: --port {port} is in use: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "cannot write the output" not in err


def test_an_unknown_host_is_named_in_one_line(serve_in_process, capsys, monkeypatch):
    import socket

    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):  # the name is unknown here, without asking a DNS server
        if host == "nosuchhost.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert serve_in_process("--host", "nosuchhost.invalid", "--port", "8000") == 2
    err = capsys.readouterr().err
    assert err == "lrtui serve: --host nosuchhost.invalid is unknown: Name or service not known\n", err


def test_a_host_that_is_not_this_machines_is_named_in_one_line(serve_in_process, capsys):
    assert serve_in_process("--host", "192.0.2.1", "--port", "8000") == 2  # TEST-NET-1: no machine's address
    err = capsys.readouterr().err
    assert err.startswith("lrtui serve: --host 192.0.2.1 is not an address of this machine: "), err
    assert err.count("\n") == 1


# --- a stop with sessions running -----------------------------------------------------------------------

STUCK = ("exec sh -c 'mkdir \"$TMPDIR/lrtui-session-$$-stuck___\" && echo __GANGLION__ && exec sleep 600'")
"""A session's app that never quits (busy for ever), with its folder: it must be killed, and its folder
removed by the server."""


def _lab(tmp_path, command=None):
    """A lab server on 127.0.0.1 in a subprocess: lrtui serve (T1), or a LabServer running ``command`` for
    each session. (url, process)"""
    import socket

    pytest.importorskip("textual_serve")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    if command is None:
        argv = ["-m", "lrtui", "serve", "--host", "127.0.0.1", "--port", str(port), "--preset", "T1"]
    else:
        argv = ["-c", f"from lrtui.serve.server import run; run({command!r}, host='127.0.0.1', port={port}, "
                      "public_url=None, max_sessions=4, idle_seconds=600)"]
    process = subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=dict(os.environ, TMPDIR=str(tmp_path)))
    line = process.stdout.readline().decode()
    assert "students open" in line, line
    return f"http://127.0.0.1:{port}", process


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _sigterm_with_sessions(tmp_path, process, url, pages: int, busy: bool,
                           stop: int = signal.SIGTERM) -> tuple[float, set[int]]:
    """Open ``pages`` sessions (each flooding its app with exports if ``busy``), then send the server ``stop``:
    the seconds it took to exit, and the sessions' processes."""
    import aiohttp

    async def scenario():
        async with aiohttp.ClientSession() as client:
            sockets = [await client.ws_connect(url.replace("http", "ws") + "/ws") for _ in range(pages)]
            end = time.monotonic() + 20
            while len(list(tmp_path.glob("lrtui-session-*"))) < pages or len(session_pids(process.pid)) < pages:
                assert time.monotonic() < end, "the sessions did not start"
                await asyncio.sleep(0.05)
            sessions = session_pids(process.pid)
            if busy:
                for ws in sockets:
                    await _screen_until(ws, "t=0/")
                    await ws.send_json(["stdin", "\x1b" + "e" * 8000])  # 8,000 exports of the runs
                await asyncio.sleep(0.5)
            process.send_signal(stop)
            started = time.monotonic()
            while process.poll() is None and time.monotonic() - started < 30:
                await asyncio.sleep(0.05)
            took = time.monotonic() - started
            for ws in sockets:
                await ws.close()
            return took, sessions

    try:
        return asyncio.run(scenario())
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()


@pytest.mark.parametrize("pages, busy, stop", [(1, False, signal.SIGTERM), (2, True, signal.SIGTERM),
                                               (1, False, signal.SIGHUP)], ids=["one", "busy", "sighup"])
def test_sigterm_ends_the_server_and_its_sessions_within_5_s(tmp_path, pages, busy, stop):
    """SIGTERM, or SIGHUP (the instructor's terminal closed: the forked sessions, in sessions of their own,
    do not get it), ends every session as q does."""
    url, process = _lab(tmp_path)
    took, sessions = _sigterm_with_sessions(tmp_path, process, url, pages, busy, stop)
    print(f"lrtui serve with {pages} sessions (busy: {busy}) ended {took:.1f} s after {stop.name}")
    assert took < 5 and process.returncode == 0
    assert not list(tmp_path.glob("lrtui-session-*"))
    assert not [pid for pid in sessions if _alive(pid)]


def test_sigterm_kills_a_session_that_does_not_quit_and_removes_its_folder(tmp_path):
    url, process = _lab(tmp_path, STUCK)
    took, sessions = _sigterm_with_sessions(tmp_path, process, url, 1, busy=False)
    print(f"a server with a session that does not quit ended {took:.1f} s after SIGTERM")
    assert took < 5 and process.returncode == 0
    assert not list(tmp_path.glob("lrtui-session-*"))
    assert not [pid for pid in sessions if _alive(pid)]


def test_a_session_killed_while_the_server_runs_has_its_folder_removed(tmp_path, monkeypatch):
    """A page gone, its app busy for ever: the app is killed, and its folder goes with it (before, only the
    next start of the server swept it)."""
    import tempfile

    pytest.importorskip("textual_serve")

    from lrtui.serve.server import LabServer

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    async def scenario():
        server = LabServer(STUCK, host="127.0.0.1", port=1, public_url=None, max_sessions=1, idle_seconds=60)

        service = await session_without_page(server)
        end = time.monotonic() + 10
        while not list(tmp_path.glob("lrtui-session-*")):
            assert time.monotonic() < end
            await asyncio.sleep(0.05)
        await server._end(service, patience=0.5)
        assert service._process.returncode == -signal.SIGKILL and not server.last_input

    asyncio.run(scenario())
    assert not list(tmp_path.glob("lrtui-session-*"))


# --- files a page never fetches ----------------------------------------------------------------------------

def test_a_session_keeps_few_files_its_page_never_fetches_open():
    """forget_unread: beyond OPEN_DELIVERIES files never read from, the oldest are closed and forgotten; one
    being read (its position moved) is never closed."""
    import io

    from lrtui.serve.driver import OPEN_DELIVERIES, forget_unread

    files = {f"k{i}": io.BytesIO(b"data") for i in range(OPEN_DELIVERIES + 3)}
    files["k1"].read(2)  # being fetched
    forgotten = forget_unread(files)
    assert forgotten == ["k0", "k2"] and "k1" in files
    assert sum(1 for f in files.values() if f.tell() == 0) == OPEN_DELIVERIES
    assert all(not f.closed for f in files.values())


async def test_the_server_forgets_the_oldest_files_a_page_never_fetched():
    from lrtui.serve.downloads import SessionDownloads
    from lrtui.serve.driver import OPEN_DELIVERIES

    manager, one, other = SessionDownloads(), object(), object()
    manager.serving.add("one-0")  # on its way to a request: kept
    for i in range(OPEN_DELIVERIES + 3):
        await manager.create_download(app_service=one, delivery_key=f"one-{i}", file_name="a.csv",
                                      open_method="download", mime_type="text/csv")
    await manager.create_download(app_service=other, delivery_key="other", file_name="b.csv",
                                  open_method="download", mime_type="text/csv")
    kept = set(manager._active_downloads)
    assert kept == {"one-0", *(f"one-{i}" for i in range(3, OPEN_DELIVERIES + 3)), "other"}, kept


def test_exports_a_page_never_fetches_leave_few_files_open(tmp_path):
    """The hostile retry: every file a session delivered stayed open until its page fetched it; a page that
    never does (downloads blocked, a script) left each export open (8 here), up to the process's file limit."""
    import aiohttp

    from lrtui.serve.driver import OPEN_DELIVERIES

    url, process, _ = _start(tmp_path)

    async def scenario() -> int:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as client:
            async with client.ws_connect(url.replace("http", "ws") + "/ws") as ws:
                await _screen_until(ws, "t=0/")
                await ws.send_json(["stdin", "\x1b"])
                delivered = 0
                for _ in range(4):  # each export delivers a CSV and a JSON file
                    await asyncio.sleep(0.3)
                    await ws.send_json(["stdin", "e"])
                    goal = delivered + 2
                    while delivered < goal:
                        message = await ws.receive(timeout=20)
                        assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
                        if message.type == aiohttp.WSMsgType.TEXT:
                            delivered += json.loads(message.data)[0] == "deliver_file_start"
                (folder,) = tmp_path.glob("lrtui-session-*")
                pid = int(folder.name.split("-")[2])
                fds = Path(f"/proc/{pid}/fd")
                return sum(1 for fd in fds.iterdir() if os.path.realpath(fd).startswith(str(folder)))

    try:
        open_files = asyncio.run(scenario())
    finally:
        log = _stop_and_read(process)
    assert open_files <= OPEN_DELIVERIES, f"{open_files} files of the session's folder open"
    assert "Traceback" not in log, log


def test_a_page_uploads_a_session_into_its_own_folder_and_ctrl_o_lists_it(tmp_path):
    """Issue 26: a student's session file from last week goes back into their session's folder, sent on the
    page's websocket; a bad name, another kind of file, one too large, or one past the session's count is
    not written, and the session goes on."""
    import aiohttp

    from lrtui.serve.uploads import UPLOADS_PER_SESSION

    url, process, _ = _start(tmp_path)
    session_text = ('lrtui_session = 2\nepoch = 0\nconfig = {schedule = {name = "cosine", params = {lr = 0.2}}, '
                    'problem = "quadratic"}\npinned = []\n')

    async def scenario():
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as client:
            async with client.ws_connect(url.replace("http", "ws") + "/ws") as ws:
                await _screen_until(ws, "t=0/")
                (folder,) = tmp_path.glob("lrtui-session-*")
                for name, text in [("mine.toml", session_text), ("../escape.toml", session_text),
                                   ("notes.txt", "x"), ("big.toml", "x" * 1_010_000), (".hidden.toml", "x")]:
                    await ws.send_json(["upload", {"name": name, "text": text}])
                await ws.send_json(["upload", "not a file"])
                await asyncio.sleep(1.0)
                assert sorted(p.name for p in folder.iterdir()) == ["mine.toml"]
                assert not (tmp_path / "escape.toml").exists()
                await ws.send_json(["stdin", "\x0f"])  # ctrl+o: the prompt names the session's files
                await _screen_until(ws, "mine.toml")
                for i in range(UPLOADS_PER_SESSION + 3):
                    await ws.send_json(["upload", {"name": f"s{i}.toml", "text": session_text}])
                await asyncio.sleep(1.0)
                return len(list(folder.iterdir()))

    try:
        files = asyncio.run(scenario())
    finally:
        log = _stop_and_read(process)
    assert files == UPLOADS_PER_SESSION - 5  # every upload counts, the five refused ones too
    assert "Traceback" not in log and "upload refused" in log


def test_a_sessions_app_killed_outright_closes_its_page_and_frees_its_place_and_folder(tmp_path):
    """The hostile retry: kill -9 of a session's app (the OOM killer) left its page open and frozen, its
    folder in the temporary folder and its place taken (the next page was told the lab was full), until the
    page closed. The server watches each session's process: its page is closed, its place and folder freed."""
    import aiohttp

    url, process, _ = _start(tmp_path, "--max-sessions", "1")

    async def scenario():
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as client:
            async with client.ws_connect(url.replace("http", "ws") + "/ws") as ws:
                await _screen_until(ws, "t=0/")
                (folder,) = tmp_path.glob("lrtui-session-*")
                os.kill(int(folder.name.split("-")[2]), signal.SIGKILL)
                end = time.monotonic() + 15
                while True:  # the page is closed
                    message = await ws.receive(timeout=max(0.1, end - time.monotonic()))
                    if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                        break
            end = time.monotonic() + 10
            while list(tmp_path.glob("lrtui-session-*")):  # its folder goes
                assert time.monotonic() < end, "the killed session's folder stayed"
                await asyncio.sleep(0.1)
            async with client.ws_connect(url.replace("http", "ws") + "/ws") as ws:  # its place is free again
                await _screen_until(ws, "t=0/")

    try:
        asyncio.run(scenario())
    finally:
        log = _stop_and_read(process)
    assert "Traceback" not in log, log


def test_an_upload_goes_only_into_a_folder_surely_the_sessions(tmp_path, monkeypatch):
    """A folder under the session's name that is a link, or another user's, is not the session's: an upload
    finds no folder (the name and owner checks remove_orphans makes, shared)."""
    from lrtui.serve.uploads import session_folder

    own = tmp_path / "lrtui-session-4242-abcdefgh"
    own.mkdir()
    assert session_folder(4242, str(tmp_path)) == own
    assert session_folder(4243, str(tmp_path)) is None
    monkeypatch.setattr("os.getuid", lambda: os.geteuid() + 1)  # as another user sees it
    assert session_folder(4242, str(tmp_path)) is None
    monkeypatch.undo()
    own.rmdir()
    (tmp_path / "elsewhere").mkdir()
    own.symlink_to(tmp_path / "elsewhere")
    assert session_folder(4242, str(tmp_path)) is None


# --- a session's output: whole packets ----------------------------------------------------------------------

def test_a_sessions_writes_reach_the_server_whole_when_two_threads_write(monkeypatch):
    """The screen (Textual's writer thread) and a file's chunks (the input thread) write to one pipe; a
    write beyond PIPE_BUF interleaved with the other's when the reader was slow (a download came out short on
    a loaded CI box). Through WholeWrites, each 64 KB block arrives in one piece."""
    import os
    import threading

    from lrtui.serve.driver import SessionDriver, WholeWrites

    read_end, write_end = os.pipe()
    write, block, rounds = WholeWrites(write_end), 65536, 60
    writers = [threading.Thread(target=lambda tag=tag: [write(tag * block) for _ in range(rounds)])
               for tag in (b"a", b"b")]
    for writer in writers:
        writer.start()
    got = bytearray()
    while len(got) < 2 * rounds * block:
        got += os.read(read_end, 4096)  # a slow reader: the pipe fills, the writers wait
    for writer in writers:
        writer.join()
    os.close(read_end), os.close(write_end)
    mixed = [i for i in range(0, len(got), block) if len(set(got[i:i + block])) != 1]
    assert not mixed, f"{len(mixed)} blocks of {2 * rounds} interleaved"

    monkeypatch.setattr("textual.drivers.web_driver.InputReader", object)  # (the test's stdin is no terminal)

    async def driver():  # (a driver is made in the app's loop)
        return SessionDriver(None)
    assert isinstance(asyncio.run(driver())._write, WholeWrites)
