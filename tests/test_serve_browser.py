"""lrtui serve in a real browser: Debian's Chromium, driven by playwright, as a student uses it.

The screen is read from xterm.js's own buffer: textual.js keeps its terminals private, so the test serves
the browser a copy that also lists them in ``window.__terms`` (through playwright's routing: the server
is not changed for the test). Skipped where playwright or Chromium is missing, except where
LRTUI_BROWSER_TEST=required (.ci/run sets it): there a missing browser fails. The server runs in the C
locale, as under systemd: the browser shows braille all the same. With LRTUI_UPDATE_SCREENSHOTS=1
(screenshots/regenerate.sh), the first test's screenshot replaces screenshots/serve-chromium.png. Each page
keeps what its console said as an error, and the script errors it raised (``page.errors``).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import session_pids

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT = Path(__file__).parent.parent / "screenshots" / "serve-chromium.png"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _browser_or_skip():
    why = None
    try:
        import playwright.sync_api  # noqa: F401
        import textual_serve  # noqa: F401
    except ImportError as err:
        why = f"{err.name} is not installed"
    if why is None and not os.path.exists(CHROMIUM):
        why = "no Chromium (apt-get install -y chromium)"
    if why:
        if os.environ.get("LRTUI_BROWSER_TEST") == "required":
            pytest.fail(f"the browser test must run here: {why}")
        pytest.skip(why)


SCREEN = """() => {
  const t = window.__terms && window.__terms[0];
  if (!t) return "";
  const buffer = t.terminal.buffer.active, rows = [];
  for (let i = 0; i < t.terminal.rows; i++) {
    const line = buffer.getLine(i);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait(condition, timeout: float, what: str, page=None) -> None:
    """Until ``condition()``; with a ``page``, waiting through playwright, which delivers its events
    (downloads) only then."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        if page is not None:
            page.wait_for_timeout(100)
        else:
            time.sleep(0.1)
    raise AssertionError(f"waited {timeout} s for {what}")


class Lab:
    """A real lrtui serve on a free port, in its own process group."""

    def __init__(self, tmp_path: Path, *args: str, patch: str = "") -> None:
        """``patch``: Python run in the server's process first (a setting made short for a test)."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://localhost:{self.port}/"
        argv = ["serve", "--port", str(self.port), *args]
        start = ["-c", f"import sys; {patch}; from lrtui.cli import main; sys.exit(main({argv!r}))"] if patch else \
            ["-m", "lrtui", *argv]
        self.process = subprocess.Popen(
            [sys.executable, *start],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=dict(os.environ, TMPDIR=str(tmp_path), LANG="C", LC_ALL="C"))  # no UTF-8: systemd's
        line = self.process.stdout.readline().decode()
        if line.startswith("lrtui serve: the lab "):  # (a lab's server names it first)
            line = self.process.stdout.readline().decode()
        assert f"students open {self.url}" in line, line

    def sessions(self) -> set[int]:
        return {pid for pid in session_pids(self.process.pid) if _alive(pid)}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


@pytest.fixture
def browser():
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    import textual_serve

    script = (Path(textual_serve.__file__).parent / "static" / "js" / "textual.js").read_text()
    created = "const t=new w(e,{ping:r});"
    assert created in script, "textual.js changed: the test cannot find its terminals"
    exposed = script.replace(created, created + "(window.__terms=window.__terms||[]).push(t);")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def open_page(url: str):
            page = chromium.new_page(viewport={"width": 1000, "height": 640}, accept_downloads=True)
            page.errors = []
            page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
            page.on("pageerror", lambda error: page.errors.append(f"{error.name}: {error.message}"))
            page.route("**/static/js/textual.js",
                       lambda route: route.fulfill(body=exposed, content_type="application/javascript"))
            page.goto(url)
            return page

        yield open_page
        chromium.close()


def screen(page) -> str:
    from playwright.sync_api import Error

    try:
        return page.evaluate(SCREEN)
    except Error:  # the page is loading anew (a new session)
        return ""


def wait_for_text(page, text: str, timeout: float = 20) -> str:
    _wait(lambda: text in screen(page), timeout, f"{text!r} on the page")
    return screen(page)


def status_line(page) -> str:
    return next(line for line in screen(page).splitlines() if line.strip().startswith("t="))


def drawn_at_terminal_size(page) -> bool:
    """Whether the app draws at the page's terminal's size: its status line is the terminal's last row but
    one, the footer its last (drawn at another size, the rows wrap or stop short)."""
    rows = screen(page).splitlines()
    terminal_rows = page.evaluate("() => window.__terms[0].terminal.rows")
    return (len(rows) == terminal_rows and rows[-2].strip().startswith("t=") and "Quit" in rows[-1]
            and "Presets" in rows[-1])


def test_a_student_session_by_keys(browser, tmp_path):
    lab = Lab(tmp_path, "--max-sessions", "4")
    try:
        before = lab.sessions()
        page = browser(lab.url)
        first = wait_for_text(page, "t=0/99")  # the status line, without a click: the page focused the terminal
        assert any("\u2801" <= ch <= "\u28ff" for ch in first)  # braille, though the server's locale is C
        page.wait_for_timeout(1000)  # (Textual's web driver blurs the app a moment after its first screen)
        assert "esc Commands" in screen(page)  # the session starts on the form, its keys in the footer
        (session,) = lab.sessions() - before
        page.keyboard.press("ArrowRight")
        wait_for_text(page, "t=1/99")
        lr_before = status_line(page).split()[1]
        page.keyboard.press("ArrowDown")  # schedule -> lr
        page.keyboard.press("+")
        _wait(lambda: status_line(page).split()[1] != lr_before, 10, "the lr to change")
        assert status_line(page).startswith(" t=1/99")
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)
        downloads = []
        page.on("download", lambda download: downloads.append(download))
        page.keyboard.press("e")
        _wait(lambda: len(downloads) == 2, 15, "the two exported files", page)
        names = sorted(d.suggested_filename for d in downloads)
        assert names == ["lrtui-runs.csv", "lrtui-runs.json"]
        exported = Path(downloads[[d.suggested_filename for d in downloads].index("lrtui-runs.csv")].path())
        assert exported.read_text().startswith("epoch,")
        page.wait_for_timeout(300)
        shot = tmp_path / SCREENSHOT.name
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
        if os.environ.get("LRTUI_UPDATE_SCREENSHOTS"):
            shutil.copyfile(shot, SCREENSHOT)
        columns = page.evaluate("() => window.__terms[0].terminal.cols")
        page.set_viewport_size({"width": 800, "height": 500})  # the student's window, smaller
        _wait(lambda: page.evaluate("() => window.__terms[0].terminal.cols") < columns, 10, "the terminal to fit")
        _wait(lambda: drawn_at_terminal_size(page), 10, "the app at the terminal's new size", page)
        assert page.errors == []  # nothing went wrong from the first load, through keys and files, to a resize
        page.keyboard.press("q")  # unsaved work: the first q asks
        wait_for_text(page, "q again to quit")
        page.keyboard.press("q")
        page.wait_for_selector("body.-closed", timeout=10000)
        assert "Session ended" in page.inner_text("body")
        _wait(lambda: not _alive(session), 10, "the session's process to end")
        assert not list(tmp_path.glob("lrtui-session-*"))  # its folder went with it
        page.keyboard.press("Enter")  # the page's button has the keys: a new session
        wait_for_text(page, "t=0/99")
        assert len(lab.sessions() - before) == 1
    finally:
        lab.stop()


SLOW_OPEN = ("import asyncio, lrtui.serve.server as s; h = s.LabServer.handle_websocket; "
             "exec('async def slow(self, r):\\n await asyncio.sleep(2)\\n return await h(self, r)'); "
             "s.LabServer.handle_websocket = slow")
"""lrtui serve answering a page's websocket 2 s late (a loaded lab machine)."""


def test_a_page_whose_websocket_opens_late_keeps_its_first_keys_and_its_size(browser, tmp_path):
    """Issue 28: the page focuses its terminal at once, and textual.js sent that focus on a websocket still
    opening ("Still in CONNECTING state", in the console); keys typed then were lost the same way. What the page
    sends before its websocket opens goes when it opens, in order, and a size the page took meanwhile reaches
    the app after the size the websocket's address asked for."""
    lab = Lab(tmp_path, "--max-sessions", "2", patch=SLOW_OPEN)
    try:
        page = browser(lab.url)
        page.wait_for_function("() => document.activeElement && window.__terms && window.__terms[0].socket"
                               " && document.activeElement.classList.contains('xterm-helper-textarea')")
        columns = page.evaluate("() => window.__terms[0].terminal.cols")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.set_viewport_size({"width": 800, "height": 500})
        _wait(lambda: page.evaluate("() => window.__terms[0].terminal.cols") < columns, 5, "the terminal to fit")
        assert page.evaluate("() => window.__terms[0].socket.readyState") == 0  # all that while the socket opened
        wait_for_text(page, "t=2/99")  # both keys
        _wait(lambda: drawn_at_terminal_size(page), 10, "the app at the terminal's new size", page)
        assert page.errors == []
    finally:
        lab.stop()


def test_five_pages_their_processes_and_a_killed_server(browser, tmp_path):
    lab = Lab(tmp_path, "--max-sessions", "5", "--preset", "T1")
    try:
        pages = [browser(lab.url) for _ in range(5)]
        for page in pages:
            wait_for_text(page, "t=0/")
        sessions = lab.sessions()
        assert len(sessions) == 5  # one process each
        for i, page in enumerate(pages):  # all answering, each its own cursor
            for _ in range(i + 1):
                page.keyboard.press("ArrowRight")
        for i, page in enumerate(pages):
            wait_for_text(page, f"t={i + 1}/")
        full = browser(lab.url)  # a sixth student is told the lab is full
        assert "already runs 5 sessions" in full.inner_text("body")
        full.close()
        pages[0].close()
        _wait(lambda: len(lab.sessions()) == 4, 10, "the closed page's process to end")
        left = lab.sessions()
        lab.process.send_signal(signal.SIGKILL)  # the server dies without a word to its sessions
        lab.process.wait()
        _wait(lambda: not any(_alive(pid) for pid in left), 15, "every orphaned session to end")
    finally:
        lab.stop()


def test_a_student_uploads_last_weeks_session_from_the_page_and_loads_it(browser, tmp_path):
    """Issue 26: the page's "upload a session" control puts a file into the session's own folder; ctrl+o
    lists it and loads it."""
    lab = Lab(tmp_path, "--max-sessions", "2")
    mine = tmp_path / "last-week.toml"
    mine.write_text('lrtui_session = 2\nepoch = 0\nconfig = {schedule = {name = "cosine", params = {lr = 0.25}}, '
                    'problem = "quadratic"}\npinned = []\n')
    try:
        page = browser(lab.url)
        wait_for_text(page, "t=0/99")
        page.set_input_files("#upload", str(mine))
        _wait(lambda: "sent last-week.toml" in page.inner_text("#upload-said"), 10, "the page to send it", page)
        _wait(lambda: any((f / "last-week.toml").is_file() for f in tmp_path.glob("lrtui-session-*")), 10,
              "the file in the session's folder", page)
        page.keyboard.press("Control+o")
        wait_for_text(page, "last-week.toml")  # the prompt names the session's files
        page.wait_for_timeout(300)
        for _ in range(30):
            page.keyboard.press("Backspace")
        # (Textual applies a backspace after a letter close behind it: a student sees the field empty before
        # typing, and so does this test, or under load a late backspace takes a letter of the name)
        _wait(lambda: "lrtui-session.toml" not in screen(page), 10, "the offered name to be erased", page)
        page.wait_for_timeout(300)
        page.keyboard.type("last-week.toml", delay=20)
        page.keyboard.press("Enter")
        _wait(lambda: status_line(page).split()[1] == "lr=0.25", 15, "the uploaded session's run", page)
    finally:
        lab.stop()


def test_a_served_lab_asks_the_name_in_the_browser_and_records_the_student(browser, tmp_path):
    """Issue 26: in a browser, a served lab's session asks the student's name before anything else, then the
    exercise's prediction, then shows the exercise on the student's own variant; their work is recorded under
    the name they typed (markup in it stays text)."""
    from lrtui.lab.results import read_events
    from lrtui.lab.spec import load_lab

    results = tmp_path / "lab.results.sqlite"
    lab = Lab(tmp_path, "--lab", "first-lab", "--results", str(results), "--max-sessions", "2")
    name = "Zoë [b]O'Neil[/b]"
    try:
        page = browser(lab.url)
        wait_for_text(page, "your name")
        page.wait_for_timeout(300)
        page.keyboard.type(name, delay=20)
        page.keyboard.press("Enter")
        wait_for_text(page, "predict first")
        page.wait_for_timeout(300)
        page.keyboard.type("0.5", delay=20)
        page.keyboard.press("Enter")
        L = load_lab("first-lab").exercises[0].variant(name)["problem.L"]
        shown = wait_for_text(page, f"[{L:g}]")  # the student's own L, locked, in the form
        assert "Exercise 1/" in shown
        _wait(lambda: results.is_file() and any(e["kind"] == "predict" for e in read_events([results])), 10,
              "the prediction recorded", page)
        assert {e["student"] for e in read_events([results])} == {name}
    finally:
        lab.stop()


def test_a_page_whose_session_reached_its_maximum_age_says_so(browser, tmp_path):
    """The page of a session the server ended says why (its websocket's close reason), and Enter starts a new
    session."""
    from tests.test_serve_limits import AGE_8_S

    lab = Lab(tmp_path, "--preset", "T1", patch=AGE_8_S)
    try:
        page = browser(lab.url)
        wait_for_text(page, "t=0/")
        page.wait_for_selector("body.-closed", timeout=30000)
        assert "This session reached the lab's limit of 8 seconds and ended." in page.inner_text("body")
        page.keyboard.press("Enter")  # a new session
        wait_for_text(page, "t=0/")
    finally:
        lab.stop()
