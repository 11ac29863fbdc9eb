"""New files, never over old ones: runs as a wide CSV and a JSON document side by side (what a spreadsheet
or pandas reads), and any other file the app writes (the code screen's)."""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import math
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from lrtui.io.files import free_names
from lrtui.io.sessions import run_dict, typed_run, write_or_fail
from lrtui.sim.config import Trace


SAMPLE = 256
"""Numbers of each series whose length is measured to estimate an export's size."""


def export_bytes(traces: Sequence[Trace]) -> int:
    """A little under what :func:`export_runs` writes for ``traces`` (0.85 of an estimate from the written
    length of a sample of each series' numbers: within a few percent), so that an export that would not fit
    is refused before it is built rather than after minutes of work."""
    total = 0.0
    for t in traces:
        epochs = len(t.epoch)
        total += epochs * 2 * (len(str(max(epochs - 1, 0))) + 2)  # the epochs, in the CSV and the JSON
        total += len(json.dumps(run_dict(typed_run(t.config)))) + 100  # the run's settings and the keys
        for kind in ("lr", "loss", "loss_lo", "loss_hi", "heldout_loss", "final_per_seed"):
            values = getattr(t, kind)
            if values is None or not len(values):
                continue
            sample = values[:: max(1, len(values) // SAMPLE)].tolist()
            written = sum(len(repr(v)) for v in sample) / len(sample)
            total += len(values) * (2 * written + 3)  # CSV (a comma) and JSON (", ")
    return int(0.85 * total)


def export_runs(
    traces: Sequence[Trace], labels: Sequence[str], directory: str | Path = ".", stem: str = "lrtui-runs",
    room: Callable[[int], None] | None = None,
) -> tuple[Path, Path]:
    """Write the runs to ``<stem>.csv`` and ``<stem>.json`` in ``directory``; returns their paths.

    The csv is wide, one row per epoch: ``epoch``, then ``lr[label]`` and ``loss[label]`` for each run (and
    ``loss_lo[label]``, ``loss_hi[label]`` for the band of a run over several seeds, whose loss is their mean,
    ``heldout_loss[label]`` for a data problem's), so ``pandas.read_csv(path, index_col="epoch").plot()`` or
    a spreadsheet chart shows every run at once.
    Numbers carry every digit (``repr``, as ``lrtui simulate --format csv``); ``nan`` marks an epoch after
    a divergence, and an empty cell an epoch a shorter run does not have. The JSON holds
    ``{"runs": [{"label", "config", "seeds", "epoch", "lr", "loss", "loss_lo"?, "loss_hi"?, "heldout_loss"?,
    "final_loss_per_seed"?}, ...]}`` with NaN and infinities as null.
    Repeated labels get `` (2)``, `` (3)``... Nothing is overwritten: when either file exists, the next
    free stem (``lrtui-runs-2``, ``-3``...) is used for both. :class:`SessionError` when they cannot be
    written (then neither is left behind). Both are written as they are made (a long export is never whole in
    memory). ``room(size)``, if given, raises when ``size`` bytes would not fit (a lab session's quota): asked
    with a lower bound before anything is written, then as the files grow (then neither is left behind either).
    """
    if len(traces) != len(labels):
        raise ValueError(f"one label per trace: {len(traces)} traces, {len(labels)} labels")
    if room is not None:
        room(export_bytes(traces))
    names = _unique(labels)
    csv_path, json_path = free_names(Path(directory), stem, (".csv", ".json"))
    written = [0]  # bytes so far, both files: ``room`` is asked as they grow

    def counted(chunks: Iterable[str]) -> Iterator[bytes]:
        for text in chunks:
            data = text.encode("utf-8")
            written[0] += len(data)
            if room is not None:
                room(written[0])
            yield data

    write_or_fail(csv_path, counted(_csv_chunks(traces, names)))
    try:
        write_or_fail(json_path, counted(_json_chunks(traces, names)))
    except BaseException:
        with contextlib.suppress(OSError):  # half an export is no export
            csv_path.unlink()
        raise
    return csv_path, json_path


def write_new(directory: str | Path, stem: str, suffix: str, data: bytes) -> Path:
    """Write ``data`` to ``<stem><suffix>`` in ``directory``, or to ``<stem>-2<suffix>``, ``-3``... when that
    exists: never over an existing file. Atomic; returns the path written, or raises :class:`SessionError`
    (one line naming the file)."""
    (path,) = free_names(Path(directory), stem, (suffix,))
    write_or_fail(path, data)
    return path


def _unique(labels: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for label in labels:
        name = str(label)
        for n in itertools.count(2):
            if name not in seen:
                break
            name = f"{label} ({n})"
        seen.add(name)
        out.append(name)
    return out


ROWS_AT_ONCE = 4096
"""CSV rows written as one chunk: a long export is written as it is made, never whole in memory."""


def _csv_chunks(traces: Sequence[Trace], labels: Sequence[str]) -> Iterator[str]:
    """The wide CSV (see :func:`export_runs`), ROWS_AT_ONCE rows at a time."""
    kinds = [(label, kind, getattr(t, kind)) for t, label in zip(traces, labels)
             for kind in ("lr", "loss", "loss_lo", "loss_hi", "heldout_loss") if getattr(t, kind) is not None]
    longest = max(traces, key=lambda t: len(t.epoch), default=None)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")  # quotes a label with a comma; "\n" as the CLI's csv
    writer.writerow(["epoch"] + [f"{kind}[{label}]" for label, kind, _ in kinds])
    epochs = longest.epoch if longest is not None else np.empty(0, dtype=np.int64)
    for start in range(0, len(epochs), ROWS_AT_ONCE):
        stop = start + ROWS_AT_ONCE
        columns = [[repr(v) for v in series[start:stop].tolist()] for _, _, series in kinds]
        for i, epoch in enumerate(epochs[start:stop].tolist()):
            writer.writerow([epoch] + [c[i] if i < len(c) else "" for c in columns])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _json_chunks(traces: Sequence[Trace], labels: Sequence[str]) -> Iterator[str]:
    """``{"runs": [...]}`` as ``json.dumps`` writes it, one run at a time."""
    yield '{"runs": ['
    for i, (name, t) in enumerate(zip(labels, traces)):
        run = {"label": name, "config": run_dict(typed_run(t.config)), "seeds": t.seeds, "epoch": t.epoch.tolist(),
               "lr": json_numbers(t.lr), "loss": json_numbers(t.loss),
               **{kind: json_numbers(getattr(t, kind)) for kind in ("loss_lo", "loss_hi", "heldout_loss")
                  if getattr(t, kind) is not None},
               **({"final_loss_per_seed": json_numbers(t.final_per_seed)} if t.final_per_seed is not None else {})}
        yield (", " if i else "") + json.dumps(run, allow_nan=False)
    yield "]}\n"


def json_number(value: float) -> float | None:
    """A number as JSON holds it: NaN and the infinities as null."""
    return value if math.isfinite(value) else None


def json_numbers(values: Any) -> list[float | None]:
    """A series (a numpy array) as JSON holds it: NaN and the infinities as null."""
    return [json_number(v) for v in values.tolist()]
