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
    """The live processes whose parent is ``parent`` (a session's app: sh execs it, so its parent is the
    server)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


async def session_without_page(server):
    """A session of ``server`` (lrtui.serve.server.LabServer) started at 80x24 with no page behind it: what it
    writes goes nowhere; it holds a place as a page's would."""
    import time

    from textual_serve.app_service import AppService

    async def nowhere(*_):
        return None

    service = AppService(server.command, write_bytes=nowhere, write_str=nowhere, close=nowhere,
                         download_manager=server.download_manager)
    server.last_input[service] = time.monotonic()
    await service.start(80, 24)
    return service
