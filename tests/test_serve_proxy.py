"""Several lab machines behind one address (issue 26): the README's HAProxy configuration, run as written in
front of two lrtui serve processes, keeps each browser on its machine and spreads new students over both;
each machine's results file holds its own students, and lrtui report reads them as one class.

Needs HAProxy (``apt-get install haproxy``): skipped without it, but where LRTUI_PROXY_TEST=required (CI),
which fails instead.
"""

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lrtui.cli import main
from lrtui.lab.results import read_events

aiohttp = pytest.importorskip("aiohttp")
yarl = pytest.importorskip("yarl")
pytest.importorskip("textual_serve")

ROOT = Path(__file__).resolve().parent.parent
HAPROXY = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").is_file() else None)
if HAPROXY is None and os.environ.get("LRTUI_PROXY_TEST") != "required":
    pytest.skip("HAProxy is not installed (apt-get install haproxy)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def readme_haproxy_config(proxy_port: int, machines: list[int]) -> str:
    """The README's HAProxy configuration, as written, on this machine's ports."""
    (config,) = re.findall(r"```haproxy\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    config = config.replace("bind :80", f"bind 127.0.0.1:{proxy_port}")
    for address, port in zip(("10.0.0.11:8000", "10.0.0.12:8000"), machines):
        assert address in config
        config = config.replace(address, f"127.0.0.1:{port}")
    return config


def _wait_for_port(port: int, timeout: float = 10) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def test_two_lab_machines_behind_the_readmes_proxy_keep_each_student_on_one_and_report_as_one_class(tmp_path):
    from tests.test_serve_hostile import _screen_until, _stop_and_read

    lab = tmp_path / "first-lab.toml"
    shutil.copy(ROOT / "lrtui" / "labs" / "first-lab.toml", lab)
    proxy_port, machines = _free_port(), [_free_port(), _free_port()]
    servers = []
    for name, port in zip(("lab1", "lab2"), machines):
        folder = tmp_path / name
        folder.mkdir()
        servers.append(subprocess.Popen(
            [sys.executable, "-m", "lrtui", "serve", "--port", str(port), "--public-url",
             f"http://localhost:{proxy_port}/", "--join-code", "week3", "--lab", str(lab), "--results",
             str(tmp_path / f"first-lab.{name}.results.sqlite")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ, TMPDIR=str(folder))))
    config = tmp_path / "haproxy.cfg"
    config.write_text(readme_haproxy_config(proxy_port, machines))
    proxy_log = (tmp_path / "haproxy.log").open("wb")
    proxy = subprocess.Popen([HAPROXY, "-f", str(config), "-db"], stdout=proxy_log, stderr=subprocess.STDOUT)
    url = f"http://localhost:{proxy_port}"

    async def both_machines_up() -> None:
        """Until HAProxy's health checks have found both machines up (it checks every 2 s; a page meanwhile
        gets its 503, or the one machine up): pages have been sent to each."""
        end, seen = time.monotonic() + 30, set()
        while seen != {"lab1", "lab2"}:
            assert time.monotonic() < end, (tmp_path / "haproxy.log").read_text()
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as probe:
                async with probe.get(f"{url}/?code=week3") as page:
                    if page.status == 200:
                        seen.add(probe.cookie_jar.filter_cookies(yarl.URL(url))["LRTUI_MACHINE"].value)
            await asyncio.sleep(0.2)

    async def student(name: str, hold: asyncio.Event) -> str:
        """A student's browser: the page through the proxy (its cookies), then its session; the machine the
        proxy's cookie names."""
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            async with browser.get(f"{url}/?code=week3") as page:
                assert page.status == 200 and "textual-terminal" in await page.text()
            machine = browser.cookie_jar.filter_cookies(yarl.URL(url))["LRTUI_MACHINE"].value
            async with browser.ws_connect(url.replace("http", "ws") + "/ws?width=80&height=24") as ws:
                await _screen_until(ws, "your name")
                await asyncio.sleep(0.3)
                await ws.send_json(["stdin", f"{name}\r"])
                await _screen_until(ws, "predict first")
                await asyncio.sleep(0.3)
                await ws.send_json(["stdin", "0.5\r"])
                await _screen_until(ws, "Exercise 1/")
                await hold.wait()  # (every session open at once: the proxy counts them)
        return machine

    async def scenario() -> dict[str, str]:
        await both_machines_up()
        hold = asyncio.Event()
        names = ["ada", "bob", "cy", "dee"]
        tasks = []
        for name in names:  # one after another, as students arrive
            tasks.append(asyncio.create_task(student(name, hold)))
            await asyncio.sleep(1.0)
        await asyncio.sleep(3.0)
        hold.set()
        return dict(zip(names, await asyncio.gather(*tasks)))

    try:
        for port in (*machines, proxy_port):
            _wait_for_port(port)
        where = asyncio.run(scenario())
    finally:
        logs = [_stop_and_read(server) for server in servers]
        proxy.terminate()
        proxy.wait(timeout=10)
        proxy_log.close()
    assert set(where.values()) == {"lab1", "lab2"}, (where, logs)  # new students spread over both machines
    for machine in ("lab1", "lab2"):  # each student's session on the machine their page's cookie names
        events = read_events([tmp_path / f"first-lab.{machine}.results.sqlite"])
        assert {e["student"] for e in events} == {s for s, m in where.items() if m == machine}, logs
    assert main(["report", "--format", "json", *(str(p) for p in sorted(tmp_path.glob("*.results.sqlite")))]) == 0


def test_the_report_of_both_machines_is_one_class(tmp_path, capsys):
    """Two machines' files, a student on each and one who changed machine: one row each (their name)."""
    from lrtui.lab.results import Results

    for machine, students in (("lab1", ["ada", "bob"]), ("lab2", ["bob", "cy"])):
        results = Results(tmp_path / f"{machine}.results.sqlite")
        for who in students:
            results.record(who, "lab", "edge", "attempt", 1.0, 3.0)
        results.close()
    assert main(["report", "--format", "json", str(tmp_path / "lab1.results.sqlite"),
                 str(tmp_path / "lab2.results.sqlite")]) == 0
    table = json.loads(capsys.readouterr().out)
    assert table["students"] == ["ada", "bob", "cy"]
    assert next(c for c in table["cells"] if c["student"] == "bob")["attempts"] == 2
