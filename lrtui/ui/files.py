"""The app's files: ctrl+s saves the session, ctrl+o loads one, e exports the runs to CSV and JSON.

:class:`SessionFiles` asks for a path through ``prompt(question, offered, then)`` (the app's path prompt,
``then`` called with the path typed, or None) and says what happened through ``notify``; a file that cannot
be written or read is one line, and changes nothing. No Textual here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from lrtui.params import ConfigError
from lrtui.printable import cut
from lrtui.sim.config import Trace, check_app_epochs

DEFAULT_NAME = "lrtui-session.toml"


def offered_path(session_path: str | None) -> str:
    """The file a save or load prompt offers: the session's own, unless its name holds control characters
    (an escape code typed into a prompt would reach the terminal), else lrtui-session.toml."""
    return session_path if session_path and session_path.isprintable() else DEFAULT_NAME


class SessionFiles:
    def __init__(self, prompt: Callable[[str, str, Callable[[str | None], None]], None],
                 notify: Callable[..., None]) -> None:
        self._prompt = prompt
        self._notify = notify

    def save(self, session, session_path: str | None, saved: Callable[[str], None]) -> None:
        """Ask where, offering a free name, and write ``session`` there; a file that is there is replaced
        only when the same path is given twice. ``saved(path)`` once written."""
        from lrtui.io.files import free_name
        from lrtui.io.sessions import SessionError, save_session

        def to(path: str | None, confirmed: bool = False) -> None:
            if not path:
                return
            if os.path.lexists(path) and not confirmed:
                self._prompt(f"{cut(path)} is there: enter replaces it, escape keeps it (or type another name)",
                             path, lambda again: to(again, confirmed=again == path))
                return
            try:
                written = save_session(session, path)
            except SessionError as err:
                self._notify(str(err), severity="error", timeout=6)
                return
            saved(str(path))
            through = f" (through the link {path})" if Path(path).is_symlink() else ""
            replaced = " (replaced the file that was there)" if confirmed else ""
            self._notify(f"saved to {written}{through}{replaced}", timeout=5)

        self._prompt("save the session to (.toml or .json):", str(free_name(offered_path(session_path))), to)

    def load(self, session_path: str | None, loaded: Callable[[object, str], None], warning: str = "") -> None:
        """Ask which file, read the session in it and hand it to ``loaded(session, path)``; a file that cannot
        be loaded (or holds runs longer than the app shows) says why and changes nothing. ``warning`` goes
        into the question (what loading would replace)."""
        from lrtui.io.sessions import SessionError, load_session

        def read(path: str | None) -> None:
            if not path:
                return
            try:
                session = load_session(path)
                check_app_epochs(session.config, *session.pinned)
            except (SessionError, ConfigError) as err:
                self._notify(str(err), severity="error", timeout=6)
                return
            loaded(session, str(path))
            self._notify(f"loaded {path}", timeout=4)

        self._prompt(f"load a session from{warning}:", offered_path(session_path), read)

    def export(self, runs: list[tuple[str, Trace]]) -> None:
        """Write the runs, (label, trace) each, to CSV and JSON here, under names not taken yet."""
        from lrtui.io.run_export import export_runs
        from lrtui.io.sessions import SessionError

        try:
            csv_path, json_path = export_runs([t for _, t in runs], [label for label, _ in runs])
        except SessionError as err:
            self._notify(str(err), severity="error", timeout=6)
            return
        self._notify(f"exported {len(runs)} run{'s' if len(runs) > 1 else ''} to {csv_path} and {json_path.name}",
                     timeout=6)
