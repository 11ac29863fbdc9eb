"""What the headless commands write: columns of numbers streamed in chunks, and progress on stderr.

Rows are formatted and written CHUNK at a time, so printing ten million epochs holds one chunk of text in
memory, not the whole table. Work that takes more than :data:`QUIET_SECONDS` shows how far it got on
stderr: a bar redrawn in place on a terminal, a line every tenth of the way otherwise (a log file).
"""

from __future__ import annotations

import json
import sys
import time
from typing import IO, Any

import numpy as np

CHUNK = 65_536
"""Rows formatted and written at once."""

QUIET_SECONDS = 1.0
"""Work shorter than this shows no progress."""


class ProgressLine:
    """Tells a person on stderr how far long work got: ``lrtui: simulating [#####.....] 52% 520,000/1,000,000``.

    Call it with (done, total) as often as you like; it draws at most ten times a second, nothing in the
    first QUIET_SECONDS, and :meth:`close` clears the bar (a terminal) when the work is done.
    """

    def __init__(self, what: str, stream: IO[str] | None = None, clock=time.monotonic) -> None:
        self.what = what
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.started = clock()
        self.last_drawn = -1.0
        self.last_tenth = 0
        self.drawn = False
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if now - self.started < QUIET_SECONDS or total <= 0:
            return
        share = min(max(done / total, 0.0), 1.0)
        if self.tty:
            if now - self.last_drawn < 0.1:
                return
            bar = "#" * int(20 * share)
            self.stream.write(f"\rlrtui: {self.what} [{bar:.<20}] {share:4.0%} {done:,}/{total:,}\x1b[K")
        else:
            tenth = int(10 * share)
            if tenth <= self.last_tenth:
                return
            self.last_tenth = tenth
            self.stream.write(f"lrtui: {self.what}: {share:.0%} ({done:,}/{total:,})\n")
        self.stream.flush()
        self.last_drawn = now
        self.drawn = True

    def close(self) -> None:
        """The work is done: a bar on a terminal goes (a log keeps its lines)."""
        if self.drawn and self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def write_columns(columns: dict[str, np.ndarray], fmt: str, out: IO[str], progress: ProgressLine | None = None) -> None:
    """Rows of named columns: csv with every digit (repr), or an aligned table with 10 significant digits.
    The first column is the row's key (an epoch, or the range test's lr)."""
    names = list(columns)
    if fmt == "csv":
        out.write(",".join(names) + "\n")
        row = ",".join(["{!r}"] * len(names)) + "\n"
    else:
        key = "{:>8}" if columns[names[0]].dtype.kind in "iu" else "{:>14.6g}"
        out.write(key.replace(".6g", "").format(names[0]) + "".join(f"  {k:<16}" for k in names[1:]).rstrip() + "\n")
        row = None
    n = len(columns[names[0]])
    for start in range(0, n, CHUNK):
        chunk = [c[start : start + CHUNK].tolist() for c in columns.values()]
        if row is not None:
            out.write("".join(row.format(*r) for r in zip(*chunk)))
        else:
            out.write("".join(key.format(r[0]) + "".join(f"  {v:<16.10g}" for v in r[1:]).rstrip() + "\n"
                              for r in zip(*chunk)))
        if progress is not None:
            progress(min(start + CHUNK, n), n)


def write_json(head: dict[str, Any], columns: dict[str, list | np.ndarray], tail: dict[str, Any], out: IO[str],
               progress: ProgressLine | None = None) -> None:
    """One JSON object: the ``head`` keys, then each column as an array written a chunk at a time
    (NaN and infinities as null), then the ``tail`` keys; one line, as ``json.dump`` would write it."""
    out.write(json.dumps(head)[:-1] + (", " if head else ""))
    total = sum(len(c) for c in columns.values())
    done = 0
    for i, (name, column) in enumerate(columns.items()):
        out.write(("" if i == 0 else ", ") + json.dumps(name) + ": [")
        values = np.asarray(column)
        for start in range(0, len(values), CHUNK):
            part = values[start : start + CHUNK]
            items = part.tolist()
            if part.dtype.kind == "f":
                items = [v if np.isfinite(v) else None for v in items]
            out.write((", " if start else "") + json.dumps(items)[1:-1])
            done += len(part)
            if progress is not None:
                progress(done, total)
        out.write("]")
    rest = json.dumps(tail)[1:]
    out.write((", " + rest if tail else "}") + "\n")
