"""Files written all or nothing, under names that are free, and read within a bound.

:func:`write_atomic` replaces a file through a temporary file beside it (synced, then renamed), so a save
that is interrupted leaves the old file as it was; :func:`free_name` and :func:`free_names` find
``stem``, ``stem-2``, ``stem-3``... that nothing is at; :func:`read_bounded` reads a regular file of at
most a given size without waiting on a FIFO or reading a device forever.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path


class FileRefused(Exception):
    """A file :func:`read_bounded` will not read: ``reason`` is ``directory``, ``special`` (a FIFO, a
    device), ``size`` (``size`` bytes, more than the limit; -1 when it grew while being read) or ``os``
    (``detail`` is the system's message)."""

    def __init__(self, reason: str, size: int = -1, detail: str = "") -> None:
        super().__init__(reason, size, detail)
        self.reason, self.size, self.detail = reason, size, detail


def read_bounded(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file ``path`` when it holds at most ``limit`` of them, else
    :class:`FileRefused`. Opened non-blocking: a FIFO in place of the file must not hang the caller."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError) as err:  # ValueError: a NUL in the name
        raise FileRefused("os", detail=str(getattr(err, "strerror", None) or err)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileRefused("directory")
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused("special")
        if info.st_size > limit:
            raise FileRefused("size", info.st_size)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:
        try:
            data = f.read(limit + 1)  # the file may have grown since fstat
        except OSError as err:
            raise FileRefused("os", detail=str(err.strerror or err)) from None
    if len(data) > limit:
        raise FileRefused("size")
    return data


def free_name(path: str | Path) -> Path:
    """``path`` if nothing is there, else the first free ``<stem>-2<suffix>``, ``-3``... beside it; a
    numbered ``<stem>-2`` goes on counting (``-3``, not ``-2-2``)."""
    path = Path(path)
    numbered = re.fullmatch(r"(.+)-([2-9]|[1-9][0-9]+)", path.stem)
    if numbered and not os.path.lexists(path):
        return path
    stem, first = (numbered.group(1), int(numbered.group(2))) if numbered else (path.stem, 1)
    (free,) = free_names(path.parent, stem, (path.suffix,), first)
    return free


def free_names(directory: Path, stem: str, suffixes: tuple[str, ...], first: int = 1) -> tuple[Path, ...]:
    """The files of the first of ``stem``, ``stem-2``, ``stem-3``... (from the ``first``) for which none
    of them exists."""
    stems = (stem if n == 1 else f"{stem}-{n}" for n in itertools.count(first))
    candidates = (tuple(directory / f"{name}{suffix}" for suffix in suffixes) for name in stems)
    return next(paths for paths in candidates if not any(os.path.lexists(p) for p in paths))


def write_atomic(path: Path, data: bytes | Iterable[bytes]) -> Path:
    """Replace ``path`` with a file holding ``data`` (bytes, or chunks of them: a large file is never whole in
    memory), all or nothing: a temporary file in the same directory is written, synced and renamed over
    ``path`` (an exception raised by the chunks removes it too). On any failure the temporary file is removed and an
    existing ``path`` is left as it was; the OSError is raised. A symbolic link is followed: the file it
    points to is replaced, the link stays. Returns the path of the file written."""
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    mode = _file_mode(path)
    _remove_stale_temporaries(path)
    tmp = None
    try:
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                         delete=False) as f:
            tmp = f.name
            for chunk in ((data,) if isinstance(data, (bytes, bytearray)) else data):
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)  # NamedTemporaryFile makes it private; a session is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (not possible everywhere)
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return path


STALE_SECONDS = 60
"""A temporary file of a save left this long is a save that was killed (kill -9): the next save removes it."""


def _remove_stale_temporaries(path: Path) -> None:
    """Remove what killed saves of ``path`` left (``.NAME.XXXX.tmp``), leaving any that may still be
    being written by another lrtui."""
    now = time.time()
    with contextlib.suppress(OSError):
        for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
            with contextlib.suppress(OSError):
                if tmp.is_file() and not tmp.is_symlink() and now - tmp.lstat().st_mtime > STALE_SECONDS:
                    tmp.unlink()


def _file_mode(path: Path) -> int:
    """An existing file keeps its permissions; a new one gets the usual ones (0o666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)  # the only way to read it
        os.umask(umask)
        return 0o666 & ~umask
