import json
import os
from pathlib import Path

import pytest
from hypothesis import settings

from lrtui.sim.config import RunConfig
from lrtui.ui.widgets.form import FieldRow
from lrtui.ui.screenshot import settle

# CI runs the property tests on a fixed sequence of examples, so a landing never hangs on a lucky draw;
# local runs explore fresh examples every time (and have found real bugs that way).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_xdist_auto_num_workers(config):
    """``pytest -n auto`` (the README's command): two workers per core, at most 16. Most of the suite waits
    rather than computes (on an app's worker thread and its timers, on subprocesses, on a server and a
    browser): on two cores, four workers take about 2.5 minutes where two take about 4."""
    return max(2, min(16, 2 * len(os.sched_getaffinity(0))))


@pytest.fixture(scope="session")
def reference():
    """Learning rates recorded from real torch and transformers (tests/fixtures/make_reference_fixtures.py)."""
    return json.loads((FIXTURES / "reference_lrs.json").read_text())


# --- what the app tests share (imported as ``from tests.conftest import ...``) ------------------------------

def cosine(**params):
    return RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100, **params}}, epochs=100)


async def started(app, pilot):
    """Wait until the app has shown its first run."""
    await settle(app, pilot)
    assert app.trace is not None
    return app


def row(app, key) -> FieldRow:
    """The form's row of the field ``key`` ("schedule.lr")."""
    return next(r for r in app.query(FieldRow) if r.field.key == key)


def status(app) -> str:
    """The status line as text."""
    return str(app.query_one("#status").render())


def board_text(app) -> str:
    """The scoreboard as the terminal shows it, in plain text."""
    from lrtui.ui.widgets.board import Scoreboard

    board = app.query_one(Scoreboard)
    from rich.console import Console

    console = Console(width=board.size.width, record=True, color_system=None)
    console.print(board.render())
    return console.export_text()


# --- what the serve tests share ---------------------------------------------------------------------------

def child_pids(parent: int) -> set[int]:
    """The live processes whose parent is ``parent``."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def zygote_pids(server: int) -> set[int]:
    """The live zygotes of lrtui serve ``server`` (its children running lrtui.serve.zygote)."""
    found = set()
    for pid in child_pids(server):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"lrtui.serve.zygote" in command:
            found.add(pid)
    return found


def session_pids(server: int) -> set[int]:
    """The live session processes of lrtui serve ``server``: those its zygote forked, and those it started as
    commands (sh execs the app: their parent is the server)."""
    zygotes = zygote_pids(server)
    return (child_pids(server) - zygotes).union(*(child_pids(zygote) for zygote in zygotes))


async def session_without_page(server):
    """A session of ``server`` (lrtui.serve.server.LabServer) started at 80x24 with no page behind it: what it
    writes goes nowhere; it holds a place as a page's would."""
    import time

    async def nowhere(*_):
        return None

    service = server.new_service(nowhere, nowhere, nowhere)
    server.last_input[service] = time.monotonic()
    await service.start(80, 24)
    return service
