"""A student's file into their session's folder, from the page (a session downloaded last week, to load again
with ctrl+o): the page sends ``["upload", {"name": ..., "text": ...}]`` on its websocket; the server writes it
into the folder of that page's session process, bounded and checked as every name a session takes is. No
Textual here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lrtui.io.files import write_atomic
from lrtui.io.sandbox import Sandbox, session_folders
from lrtui.io.sessions import MAX_BYTES
from lrtui.params import ConfigError

UPLOADS_PER_SESSION = 20
"""Files one session may be sent (each also counts in its folder's quota and file count)."""
SUFFIXES = (".toml", ".json")


def session_folder(pid: int, parent: str | None = None) -> Path | None:
    """The folder of the session whose app process is ``pid``: the one folder surely ours for it (see
    :func:`lrtui.io.sandbox.session_folders`: a folder another user made under that name is not); None when
    there is not exactly one."""
    found = session_folders(parent, pid)
    return found[0][0] if len(found) == 1 else None


def store_upload(folder: Path, data: Any) -> Path:
    """``data`` (``{"name", "text"}`` from the page) written into ``folder``: a session file's name and size,
    within the folder's quota (ConfigError, one line, for anything else)."""
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not isinstance(data.get("text"), str):
        raise ConfigError("an upload is a file's name and its text")
    box = Sandbox(folder, deliver=lambda _: None)
    path = box.path(data["name"][:200])
    if path.suffix.lower() not in SUFFIXES:
        raise ConfigError(f"{path.name} is not a session file: allowed .toml or .json")
    body = data["text"].encode("utf-8", "replace")
    if len(body) > MAX_BYTES:
        raise ConfigError(f"{path.name} is {len(body):,} bytes: a session is at most {MAX_BYTES:,}")
    box.check_room(len(body), "the upload", remedy="upload a smaller file", replacing=path)
    write_atomic(path, body)
    return path
