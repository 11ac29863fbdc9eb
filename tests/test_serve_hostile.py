"""lrtui serve against a hostile neighbour or page (issue 24): what another local user leaves in the temporary
folder, text from a browser that is not valid Unicode, a download asked for twice at once or under a name
that would break its header, a port or host that cannot be had, and a stop with sessions running."""

import asyncio
import os
import signal
import subprocess
import time

from lrtui.ui.sandbox import Sandbox, remove_orphans
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
    """What the session draws (its terminal output) until ``text`` is in it; AssertionError if it is not
    within ``timeout`` s, or the session ends first."""
    import aiohttp

    drawn = b""
    end = time.monotonic() + timeout
    while text.encode() not in drawn:
        message = await ws.receive(timeout=max(0.1, end - time.monotonic()))
        assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), f"the session ended: {message}"
        if message.type == aiohttp.WSMsgType.BINARY:
            drawn += message.data
    return drawn.decode("utf-8", "replace")


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
