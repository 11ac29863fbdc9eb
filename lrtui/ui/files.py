"""The app's files: ctrl+s saves the session, ctrl+o loads one, e exports the runs to CSV and JSON.

:class:`SessionFiles` asks for a path through ``prompt(question, offered, then)`` (the app's path prompt,
``then`` called with the path typed, or None) and says what happened through ``notify``; a file that cannot
be written or read is one line, and changes nothing. With a :class:`~lrtui.io.sandbox.Sandbox` (``lrtui
serve``) a path is a file name in the session's own folder, and every file written is also delivered to the
student's browser. An export (tens of MB for long runs) is written through ``background(work, then)``: the
app runs ``work`` on a thread and ``then(result)`` back on the UI thread, so the keys are answered meanwhile;
one export at a time. No Textual here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from lrtui.params import ConfigError
from lrtui.printable import cut
from lrtui.sim.config import Trace, check_app_epochs
from lrtui.io.sandbox import Sandbox

DEFAULT_NAME = "lrtui-session.toml"


def offered_path(session_path: str | None) -> str:
    """The file a save or load prompt offers: the session's own, unless its name holds control characters
    (an escape code typed into a prompt would reach the terminal), else lrtui-session.toml."""
    return session_path if session_path and session_path.isprintable() else DEFAULT_NAME


def _modified(path: Path) -> float:
    """When ``path`` last changed (0 for a file gone meanwhile)."""
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def at_once(work: Callable[[], Any], then: Callable[[Any], None]) -> None:
    """A ``background`` that does the work on the spot (without an app: scripts and tests)."""
    then(work())


class SessionFiles:
    def __init__(self, prompt: Callable[[str, str, Callable[[str | None], None]], None],
                 notify: Callable[..., None], sandbox: Sandbox | None = None,
                 background: Callable[[Callable[[], Any], Callable[[Any], None]], None] = at_once) -> None:
        self._prompt = prompt
        self._notify = notify
        self.sandbox = sandbox
        self._background = background
        self.exporting = False  # an export is being written

    def _where(self, typed: str) -> str | None:
        """The file a typed path means: itself, or in a sandbox its file in the session's folder (None, said
        in a notification, when the sandbox refuses it)."""
        if self.sandbox is None:
            return typed
        try:
            return str(self.sandbox.path(typed))
        except ConfigError as err:
            self._error(err)
            return None

    def _shown(self, path: str | Path) -> str:
        """A path as the prompts and notes show it: in a sandbox, its name (the folder is the session's)."""
        return Path(path).name if self.sandbox is not None else str(path)

    def _error(self, err: Exception) -> None:
        """A file that could not be written or read, in one line (in a sandbox, without the folder's path)."""
        text = str(err) if self.sandbox is None else self.sandbox.shown(str(err))
        self._notify(text, severity="error", timeout=6)

    def deliver(self, path: Path) -> None:
        """Hand a file just written to the student's browser (only in a sandbox)."""
        if self.sandbox is not None:
            self.sandbox.deliver(path)

    def save(self, session: Callable[[], object], session_path: str | None, saved: Callable[[str], None],
             default_name: str | None = None) -> None:
        """Ask where, offering a free name (the session's file, else ``default_name``, else
        lrtui-session.toml), and write ``session()`` there, the session as it is once the name is given (keys
        typed just before ctrl+s have reached it); a file that is there is replaced only when the same path is
        given twice. ``saved(path)`` once written."""
        from lrtui.io.files import free_name
        from lrtui.io.sessions import SessionError, save_session

        def to(typed: str | None, confirmed: bool = False) -> None:
            path = self._where(typed) if typed else None
            if not path:
                return
            if os.path.lexists(path) and not confirmed:
                self._prompt(f"{cut(self._shown(path))} is there: enter replaces it, escape keeps it "
                             "(or type another name)", typed, lambda again: to(again, confirmed=again == typed))
                return
            room = None
            if self.sandbox is not None:  # (a file saved over frees its own bytes)
                room = lambda size: self.sandbox.check_room(  # noqa: E731
                    size, "the session file", remedy="save over a file already there", replacing=Path(path))
            try:
                written = save_session(session(), path, room)
            except SessionError as err:
                self._error(err)
                return
            saved(str(path))
            replaced = " (replaced the file that was there)" if confirmed else ""
            if self.sandbox is not None:
                self.deliver(Path(written))
                self._notify(f"saved {Path(written).name}{replaced}: your browser downloads it", timeout=5)
                return
            through = f" (through the link {path})" if Path(path).is_symlink() else ""
            self._notify(f"saved to {written}{through}{replaced}", timeout=5)

        offered = offered_path(session_path) if session_path or not default_name else default_name
        if self.sandbox is not None:
            offered = str(self.sandbox.folder / Path(offered).name)
        self._prompt("save the session to (.toml or .json):", self._shown(free_name(offered)), to)

    def load(self, session_path: str | None, loaded: Callable[[object, str], None], warning: str = "") -> None:
        """Ask which file, read the session in it and hand it to ``loaded(session, path)``; a file that cannot
        be loaded (or holds runs longer than the app shows) says why and changes nothing. ``warning`` goes
        into the question (what loading would replace). In a sandbox the question names the session's files."""
        from lrtui.io.sessions import SessionError, load_session

        def read(typed: str | None) -> None:
            path = self._where(typed) if typed else None
            if not path:
                return
            try:
                session = load_session(path)
                check_app_epochs(session.config, *session.pinned)
            except (SessionError, ConfigError) as err:
                self._error(err)
                return
            loaded(session, str(path))
            self._notify(f"loaded {self._shown(path)}", timeout=4)

        here = ""
        if self.sandbox is not None:
            names = [n for n in self.sandbox.files() if n.endswith((".toml", ".json"))]
            if session_path is None and names:  # (the newest: a file just uploaded, or saved)
                session_path = max(names, key=lambda n: _modified(self.sandbox.folder / n))
            here = f" (saved here: {cut(', '.join(names), 60)}; ctrl+p opens a preset)" if names else \
                " (nothing saved here yet; ctrl+p opens a preset)"
        self._prompt(f"load a session from{warning}{here}:", self._shown(offered_path(session_path)), read)

    def export(self, runs: list[tuple[str, Trace]]) -> None:
        """Write the runs, (label, trace) each, to CSV and JSON here (in a sandbox: in the session's folder,
        and to the browser), under names not taken yet; in the background, one export at a time."""
        from lrtui.io.run_export import export_runs
        from lrtui.io.sessions import SessionError

        if self.exporting:
            self._notify("an export is being written: e again once it is done", timeout=3)
            return
        directory = self.sandbox.folder if self.sandbox is not None else Path(".")
        room = None
        if self.sandbox is not None:  # (counted before: the files being written are in the folder too)
            left = max(self.sandbox.quota - self.sandbox.used(), 0)
            room = lambda size: self.sandbox.check_room(size, "the export", left)  # noqa: E731
        traces, labels = [t for _, t in runs], [label for label, _ in runs]

        def write() -> tuple[Path, Path] | Exception:
            try:
                return export_runs(traces, labels, directory, room=room)
            except (SessionError, ConfigError) as err:
                return err

        self.exporting = True
        self._background(write, lambda written: self._exported(written, len(runs)))

    def _exported(self, written: tuple[Path, Path] | Exception, count: int) -> None:
        """An export's end, on the UI thread: delivered and said, or its error."""
        self.exporting = False
        if isinstance(written, Exception):
            self._error(written)
            return
        csv_path, json_path = written
        what = f"{count} run{'s' if count > 1 else ''}"
        if self.sandbox is not None:
            self.deliver(csv_path)
            self.deliver(json_path)
            self._notify(f"exported {what} to {csv_path.name} and {json_path.name}: your browser downloads them",
                         timeout=6)
            return
        self._notify(f"exported {what} to {csv_path} and {json_path.name}", timeout=6)
