"""lrtui serve's sessions forked from a zygote that has imported the app (issue 26): each session's process is
the zygote's child, shares the app's pages with it, and keeps every guarantee of a session started as a
command: killed outright, its place and folder are freed; the server killed, nothing stays behind; the zygote
killed, it is started again. ``--no-preload`` starts sessions as commands, as before."""

import asyncio
import logging
import os
import signal
import time
from pathlib import Path

import pytest

from tests.conftest import child_pids, session_pids, session_without_page, zygote_pids
from tests.test_serve import _start, _stop
from tests.test_serve_hostile import _alive, _screen_until, _stop_and_read

aiohttp = pytest.importorskip("aiohttp")
pytest.importorskip("textual_serve")

SESSION_PRIVATE_MIB = 25
"""The most a forked session may hold of its own (issue 26); one started as a command holds about 39 MiB."""


def _ws(url: str) -> str:
    return url.replace("http", "ws") + "/ws?width=80&height=24"


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _folder_pid(tmp_path: Path) -> int:
    """The process of the one session folder under ``tmp_path`` (lrtui-session-PID-xxxxxxxx)."""
    (folder,) = tmp_path.glob("lrtui-session-*")
    return int(folder.name.split("-")[2])


def _memory_mib(pid: int) -> tuple[float, float]:
    """(PSS, private) of process ``pid`` in MiB, from /proc/PID/smaps_rollup: its share of every page it maps,
    and the pages it alone maps."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        fields[name] = int(value.split()[0]) / 1024
    return fields["Pss"], fields["Private_Clean"] + fields["Private_Dirty"]


async def _drawn_pages(client, url: str, count: int) -> list:
    """``count`` pages' websockets, each session's first screen drawn."""
    pages = [await client.ws_connect(_ws(url)) for _ in range(count)]
    for ws in pages:
        await _screen_until(ws, "t=0/")
    return pages


async def _until(condition, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, f"waited {timeout} s for {what}"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("preload", [True, False], ids=["forked", "no-preload"])
def test_a_session_is_the_zygotes_child_unless_preloading_is_off(tmp_path, preload):
    """Checked while the session runs: forked, its parent is the zygote, whose parent is the server; with
    --no-preload there is no zygote, and the session is the server's child."""
    url, process, _ = _start(tmp_path, *([] if preload else ["--no-preload"]))

    async def scenario():
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(_ws(url)) as ws:
                await _screen_until(ws, "t=0/")
                pid = _folder_pid(tmp_path)
                zygotes = zygote_pids(process.pid)
                assert session_pids(process.pid) == {pid}
                if preload:
                    (zygote,) = zygotes
                    assert _parent(pid) == zygote and _parent(zygote) == process.pid
                else:
                    assert not zygotes and _parent(pid) == process.pid

    try:
        asyncio.run(scenario())
    finally:
        log = _stop_and_read(process)
    assert "Traceback" not in log and "processes of their own" not in log, log


def test_a_forked_session_holds_little_memory_of_its_own(tmp_path):
    """Four sessions at once: each one's private memory (the pages it alone maps: what one more session adds to
    the machine) is under SESSION_PRIVATE_MIB. Its PSS adds a share of the ~19 MiB it shares with the zygote
    and the other sessions, a fifth of it here: benchmarks/bench_serve.py measures it under 25 MiB from about
    six sessions at once on (32 MiB alone, 22 MiB among 30)."""
    url, process, _ = _start(tmp_path)

    async def scenario():
        async with aiohttp.ClientSession() as client:
            pages = await _drawn_pages(client, url, 4)
            await asyncio.sleep(1.0)  # (the first screen's work done)
            memory = {pid: _memory_mib(pid) for pid in session_pids(process.pid)}
            for ws in pages:
                await ws.close()
            return memory

    try:
        memory = asyncio.run(scenario())
    finally:
        _stop(process)
    print({pid: f"PSS {pss:.1f} MiB, private {private:.1f} MiB" for pid, (pss, private) in memory.items()})
    assert len(memory) == 4
    for pss, private in memory.values():
        assert private < SESSION_PRIVATE_MIB, f"a session holds {private:.1f} MiB of its own"
        assert pss < SESSION_PRIVATE_MIB + 5, f"a session's PSS is {pss:.1f} MiB, {private:.1f} MiB of it its own"


def test_a_forked_session_killed_outright_frees_its_place_and_folder(tmp_path):
    """SIGKILL of a forked session (the OOM killer): the server, which is not its parent, sees it end through
    its pidfd, closes its page, removes its folder and gives its place to the next page."""
    url, process, _ = _start(tmp_path, "--max-sessions", "1")

    async def scenario():
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(_ws(url)) as ws:
                await _screen_until(ws, "t=0/")
                pid = _folder_pid(tmp_path)
                assert _parent(pid) in zygote_pids(process.pid)
                os.kill(pid, signal.SIGKILL)
                message = await ws.receive(timeout=15)
                while message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
                    message = await ws.receive(timeout=15)
            await _until(lambda: not list(tmp_path.glob("lrtui-session-*")), 10, "the killed session's folder to go")
            async with client.ws_connect(_ws(url)) as ws:  # its place is free again, for a forked session
                await _screen_until(ws, "t=0/")
                assert _parent(_folder_pid(tmp_path)) in zygote_pids(process.pid)

    try:
        asyncio.run(scenario())
    finally:
        log = _stop_and_read(process)
    assert "Traceback" not in log, log


@pytest.mark.parametrize("preload", [True, False], ids=["forked", "no-preload"])
def test_sigkill_of_the_server_leaves_no_session_process(tmp_path, preload):
    """Forked sessions die with the zygote, the zygote with the server (PR_SET_PDEATHSIG), even a session that
    could not see its input end (stopped, here); sessions started as commands see their input end."""
    url, process, _ = _start(tmp_path, *([] if preload else ["--no-preload"]))

    async def scenario():
        async with aiohttp.ClientSession() as client:
            pages = await _drawn_pages(client, url, 2)
            left = session_pids(process.pid) | zygote_pids(process.pid)
            assert len(left) == (3 if preload else 2)
            if preload:
                os.kill(min(session_pids(process.pid)), signal.SIGSTOP)
            process.kill()
            process.wait()
            await asyncio.sleep(3.0)
            for ws in pages:
                await ws.close()
            return left

    try:
        left = asyncio.run(scenario())
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    assert not [pid for pid in left if _alive(pid)], "a session or the zygote outlived the server"


def test_a_zygote_killed_mid_lab_is_started_again_and_the_next_page_gets_a_forked_session(tmp_path):
    """Its sessions die with it (their pages closed, their folders removed); the server starts another and
    says so in one line."""
    url, process, _ = _start(tmp_path)

    async def scenario():
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(_ws(url)) as ws:
                await _screen_until(ws, "t=0/")
                (zygote,) = zygote_pids(process.pid)
                os.kill(zygote, signal.SIGKILL)
                message = await ws.receive(timeout=15)
                while message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
                    message = await ws.receive(timeout=15)
            await _until(lambda: not list(tmp_path.glob("lrtui-session-*")), 10, "the session's folder to go")
            await _until(lambda: zygote_pids(process.pid) - {zygote}, 10, "a new zygote")
            async with client.ws_connect(_ws(url)) as ws:
                await _screen_until(ws, "t=0/")
                assert _parent(_folder_pid(tmp_path)) in zygote_pids(process.pid) - {zygote}

    try:
        asyncio.run(scenario())
    finally:
        log = _stop_and_read(process)
    assert log.count("the session zygote ended") == 1 and "started again" in log, log
    assert "Traceback" not in log, log


def test_a_forked_session_that_does_not_quit_is_killed_and_only_then_its_place_freed(tmp_path, monkeypatch):
    """A forked session stopped (SIGSTOP: it cannot quit) is killed through its pidfd, and its folder removed
    though the server is not its parent."""
    import tempfile

    from lrtui.serve.server import LabServer
    from lrtui.serve.forked import ForkedProcess, ZygoteKeeper, session_environment

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    async def scenario():
        server = LabServer("exec false", host="127.0.0.1", port=1, public_url=None, max_sessions=1,
                           idle_seconds=60)
        server.zygote = ZygoteKeeper(["--serve-session", "--preset", "T1"], session_environment(False))
        await server.zygote.start()
        try:
            service = await session_without_page(server)
            process = service._process
            assert isinstance(process, ForkedProcess) and _parent(process.pid) == server.zygote.process.pid
            await _until(lambda: list(tmp_path.glob("lrtui-session-*")), 20, "the session's folder")
            os.kill(process.pid, signal.SIGSTOP)
            await server._end(service, patience=0.5)
            assert process.returncode == -signal.SIGKILL and not server.last_input
            assert not list(tmp_path.glob("lrtui-session-*"))
            with pytest.raises(ProcessLookupError):
                process.kill()
        finally:
            await server.zygote.stop()
        assert server.zygote.process.returncode is not None

    asyncio.run(scenario())


def test_where_sessions_cannot_be_forked_they_start_as_commands_said_once(monkeypatch, caplog):
    from lrtui.serve import forked
    from lrtui.serve.server import LabServer

    monkeypatch.setattr(forked, "forking_unavailable", lambda: "this kernel has no pidfds")

    async def scenario():
        server = LabServer("exec sh -c 'echo __GANGLION__; exec sleep 30'", host="127.0.0.1", port=1,
                           public_url=None, max_sessions=2, idle_seconds=60)
        server.zygote = forked.ZygoteKeeper(["--serve-session"], forked.session_environment(False))
        with caplog.at_level(logging.WARNING, logger="textual-serve"):
            await server.zygote.start()
            services = [await session_without_page(server) for _ in range(2)]
        try:
            for service in services:
                assert service._process.pid in child_pids(os.getpid())  # started as the command, by the server
        finally:
            for service in services:
                service._process.kill()
                await service._process.wait()
                await service._task

    asyncio.run(scenario())
    said = [r.getMessage() for r in caplog.records]
    assert said == ["sessions start as processes of their own: this kernel has no pidfds"], said
