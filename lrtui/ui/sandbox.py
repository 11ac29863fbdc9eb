"""A browser session's files (``lrtui serve``): each session reads and writes only in a folder of its own,
and what it writes goes to the student's browser as a download. No Textual here.

On a shared lab server a path prompt that takes any path would let a student read or replace the server
user's files, or another student's. In a sandbox a path is a plain file name in the session's folder (made
private by :func:`tempfile.mkdtemp`, removed when the session ends); anything else is refused in one line.
"""

from __future__ import annotations

import getpass
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from lrtui.params import ConfigError
from lrtui.printable import cut

ALLOWED = "allowed a file name in this session's folder, such as lrtui-session.toml"
PREFIX = "lrtui-session-"


class Sandbox:
    """The session's folder, and ``deliver(path)``: hand a file written there to the student's browser."""

    def __init__(self, folder: Path, deliver: Callable[[Path], None]) -> None:
        self.folder = folder
        self.deliver = deliver

    @classmethod
    def create(cls, deliver: Callable[[Path], None], parent: str | None = None) -> "Sandbox":
        """A new private folder (mode 0700) under ``parent`` (the system's temporary folder by default),
        named after this process (so that :func:`remove_orphans` knows when it is gone)."""
        return cls(Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=parent)), deliver)

    def path(self, typed: str) -> Path:
        """The file ``typed`` names in the folder; :class:`ConfigError` for anything else (a folder, a path
        outside, a hidden or empty name)."""
        name = typed.strip()
        if not name or name != Path(name).name or name.startswith(".") or not name.isprintable() or "\\" in name:
            raise ConfigError(f"{cut(typed)} is not a file in this session's folder: {ALLOWED} "
                              "(lrtui serve keeps each session's files apart)")
        return self.folder / name

    def files(self) -> list[str]:
        """The names of the files in the folder, sorted."""
        return sorted(p.name for p in self.folder.iterdir() if p.is_file())

    def remove(self) -> None:
        """Delete the folder and everything in it (at the end of the session)."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def shown(self, text: str) -> str:
        """``text`` (a message) without the folder's path: a student sees file names, not the server's disk."""
        return text.replace(f"{self.folder}{os.sep}", "").replace(str(self.folder), "the session's folder")


def remove_orphans(parent: str | None = None) -> list[Path]:
    """Delete the session folders under ``parent`` whose process is gone (it was killed before it could);
    return them."""
    removed = []
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = folder.name[len(PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or not folder.is_dir() or folder.owner() != getpass.getuser():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        except PermissionError:  # another user's process of that number: alive
            pass
    return removed
