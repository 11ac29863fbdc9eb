"""A browser session's files (``lrtui serve``): each session reads and writes only in a folder of its own,
and what it writes goes to the student's browser as a download. No Textual here.

On a shared lab server a path prompt that takes any path would let a student read or replace the server
user's files, or another student's. In a sandbox a path is a plain file name in the session's folder (made
private by :func:`tempfile.mkdtemp`, removed when the session ends); anything else is refused in one line.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Callable

from lrtui.params import ConfigError
from lrtui.printable import cut

ALLOWED = "allowed a file name in this session's folder, such as lrtui-session.toml"
PREFIX = "lrtui-session-"
ORPHAN = re.compile(PREFIX + r"(?P<pid>[1-9][0-9]{0,9})-[a-z0-9_]{8}", re.ASCII)
"""The name of a session's folder: :data:`PREFIX`, its process id, mkdtemp's eight random characters."""
MAX_PID = 2**22
"""The largest process id Linux gives (PID_MAX_LIMIT); other systems stay below it."""
QUOTA_MB = 100
"""What one session's folder may hold, in MB (10^6 bytes): an export of seven noisy 100,000-epoch runs is about
65 MB; with --max-sessions 32 the lab's disk use stays under 3.2 GB."""


FILES_MAX = 1000
"""The most files one session's folder holds (a key held down on the code screen's w writes a file each)."""


def _size(n: int) -> str:
    """Bytes for a person: 65.2 MB, 100 MB, 0.4 MB, 2.1 kB."""
    number, unit = (n / 1e6, "MB") if n >= 10**5 else (n / 1e3, "kB")
    return f"{number:.1f}".removesuffix(".0") + " " + unit


class Sandbox:
    """The session's folder, and ``deliver(path)``: hand a file written there to the student's browser."""

    def __init__(self, folder: Path, deliver: Callable[[Path], None], quota: int = QUOTA_MB * 10**6) -> None:
        self.folder = folder
        self.deliver = deliver
        self.quota = quota  # bytes the folder may hold

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

    def used(self) -> int:
        """Bytes the folder's files take."""
        return sum(p.stat().st_size for p in self.folder.iterdir() if p.is_file())

    def check_room(self, size: int, what: str, left: int | None = None,
                   remedy: str = "allowed fewer pinned runs or a shorter run", replacing: Path | None = None) -> None:
        """:class:`ConfigError` when ``size`` more bytes (``what``: "the export") would take the folder past
        its quota (``left``: the room counted before a file being written began, else now), or one more file
        past :data:`FILES_MAX`; ``remedy`` says what fits. ``replacing``: the file written over, if it is there
        (its bytes are freed, and it is no new file)."""
        old = replacing.stat().st_size if replacing is not None and replacing.is_file() else None
        files = sum(1 for p in self.folder.iterdir() if p.is_file())
        if old is None and files >= FILES_MAX:
            raise ConfigError(f"this session's folder holds {files} files, its most: no more can be written "
                              "(a lab session keeps at most that many; save over a file already there)")
        left = max(self.quota - self.used() + (old or 0), 0) if left is None else left
        if size > left:
            raise ConfigError(f"{what} is {_size(size)} and this session's folder has {_size(left)} of its "
                              f"{_size(self.quota)} left: {remedy} (a lab session keeps at most that much)")

    def remove(self) -> None:
        """Delete the folder and everything in it (at the end of the session)."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def shown(self, text: str) -> str:
        """``text`` (a message) without the folder's path: a student sees file names, not the server's disk."""
        return text.replace(f"{self.folder}{os.sep}", "").replace(str(self.folder), "the session's folder")


def remove_orphans(parent: str | None = None) -> list[Path]:
    """Delete the session folders under ``parent`` (the system's temporary folder by default) whose process
    is gone (it was killed before it could); return them. (The folder of a session lrtui serve has seen end:
    :func:`remove_ended`.)

    Anyone can put anything in /tmp, and this runs as the server starts: a raise here is a server that cannot
    start (under systemd, a restart loop). So an entry is taken only when its name is exactly ours (see
    :data:`ORPHAN`: ASCII digits that make a pid, mkdtemp's eight characters), it is a folder itself (never
    a link: lstat) and this user owns it; nothing found there raises. Nobody else can swap such a folder for
    a link before it goes (in a sticky folder such as /tmp only its owner may rename it), and
    :func:`shutil.rmtree` follows no link in any case.
    """
    removed = []
    for folder, owner in session_folders(parent):
        try:
            os.kill(owner, 0)
        except ProcessLookupError:  # gone: its folder is an orphan
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        except OSError:  # another user's process of that number: alive
            continue
    return removed


def remove_ended(pid: int, parent: str | None = None) -> list[Path]:
    """Delete the session folders under ``parent`` of process ``pid``, which has ended (lrtui serve has waited
    for it); return them. Unlike :func:`remove_orphans`, whether a process of that number is alive is not asked:
    a session forked by the zygote whose zygote died is adopted by init, and stays a zombie, which os.kill still
    finds, until init reaps it."""
    folders = [folder for folder, _ in session_folders(parent, pid)]
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    return folders


def session_folders(parent: str | None = None, pid: int | None = None) -> list[tuple[Path, int]]:
    """The session folders under ``parent`` (the system's temporary folder by default), each with its
    process id; with ``pid``, only that process's. Only what is surely one of ours: a name exactly ours
    (:data:`ORPHAN`), a folder itself (never a link: lstat), owned by this user; nothing found there raises
    (anyone can put anything in /tmp)."""
    parent = parent or tempfile.gettempdir()
    try:
        entries = os.listdir(parent)
    except OSError:  # no such folder, or not one, or not readable: nothing of ours there
        return []
    found = []
    for name in entries:
        match = ORPHAN.fullmatch(name)
        if match is None or int(match["pid"]) > MAX_PID or pid not in (None, int(match["pid"])):
            continue
        folder = Path(parent, name)
        try:
            info = os.lstat(folder)
        except OSError:  # gone from the folder meanwhile
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid():
            found.append((folder, int(match["pid"])))
    return found
