"""Sessions and exports: the app's whole state in a JSON or TOML file, and runs as csv and JSON files.

A session file holds the current run, the pinned runs, the epoch cursor, the scoreboard's target, the loss
plot's smoothing (left out when it is ``auto``) and a note (a preset's, or an instructor's exercise: the
app's ? shows it; its first line is its title)::

    {"lrtui_session": 1, "epoch": 12, "target_loss": 0.01, "config": {...}, "pinned": [{...}, ...]}

Each run is a :class:`~lrtui.sim.engine.RunConfig` by field name. Only the parameters the user set are kept
(the spec as it is, not filled in with defaults), each as the value it stands for: text typed on the command
line (``"0.1"``) is saved as the number 0.1, so a loaded session holds what the app's own edits produce. The
suffix picks the format. TOML has no null: ``target_loss`` is left out when there is none, and a parameter
set to none is written as the text ``"none"``, which every optional parameter reads back as none. TOML is
written one run per line (inline tables), the pinned runs last::

    lrtui_session = 1
    epoch = 12
    target_loss = 0.01
    config = {schedule = {name = "cosine", params = {lr = 0.1, T_max = 100}}, problem = "quadratic", ...}
    pinned = [
        {schedule = {name = "step", params = {step_size = 30}}, problem = "quadratic", ...},
    ]

so that a file cut short anywhere fails to parse or lacks a required key (JSON: an unclosed brace); in
TOML's [table] layout a cut at the end of a line would still parse, as a smaller session.

:func:`export_runs` writes runs as csv and JSON, :func:`write_new` any other file (the code screen's), both
never over an existing file. Writes are atomic (a temporary file beside the target, synced, then renamed
over it): a failed save leaves an existing file as it was. Loading checks everything and never touches the file; whatever is wrong is one
:class:`SessionError` line naming the file.

>>> import tempfile
>>> from lrtui.sim.engine import RunConfig
>>> with tempfile.TemporaryDirectory() as d:
...     path = save_session(Session(RunConfig(epochs=50), epoch=10), Path(d) / "run.toml")
...     load_session(path).epoch
10
"""

from __future__ import annotations

import contextlib
import csv
import glob
import io
import itertools
import json
import math
import numbers
import os
import re
import stat
import tempfile
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from lrtui import schedules
from lrtui.analysis.compare import MAX_PINNED, SMOOTHING, TARGET
from lrtui.io.documents import DocumentError, parse_document
from lrtui.params import ConfigError, coerce, format_value
from lrtui.sim.engine import RUN_PARAMS, RunConfig, Trace, prepare

FORMAT_VERSION = 1
"""The session format this lrtui writes; it reads this one and older ones."""

MAX_BYTES = 1_000_000
"""A larger session file is refused without being parsed (a session is a few kilobytes)."""

_FORMATS = {".json": "JSON", ".toml": "TOML"}
_KEYS = ("lrtui_session", "note", "config", "pinned", "epoch", "target_loss", "smoothing")
MAX_NOTE = 20_000
"""The longest note a session holds (characters): a page of instructions is about 3,000."""
_REQUIRED = ("config", "pinned", "epoch")  # the others are optional: their absence is how a cut file shows
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_RUN_FIELDS = tuple(f.name for f in fields(RunConfig))


class SessionError(ConfigError):
    """A session that cannot be saved or loaded, or runs that cannot be exported: one line naming the file."""


@dataclass(frozen=True)
class Session:
    """The app's whole state: the current run, the pinned runs, the epoch cursor and the scoreboard's
    target (None: the default target) and the loss plot's smoothing (see :data:`lrtui.analysis.compare.SMOOTHING`)."""

    config: RunConfig
    pinned: tuple[RunConfig, ...] = ()
    epoch: int = 0
    target_loss: float | None = None
    note: str = ""  # what ? shows: a preset's title and note, or an instructor's exercise (its first line a title)
    smoothing: str = SMOOTHING.default


def save_session(session: Session, path: str | Path) -> Path:
    """Write ``session`` to ``path`` (``.json`` or ``.toml``) atomically, after validating it; returns the
    path of the file written (the one a symbolic link ``path`` points to). :class:`SessionError` when the state is invalid or the file cannot be written."""
    path = Path(path)
    kind = _format(path)
    try:
        valid = _canonical(session.config, tuple(session.pinned), session.epoch, session.target_loss, session.note,
                           session.smoothing)
    except ConfigError as err:
        raise _error(path, f"cannot save: {err}") from None
    document: dict[str, Any] = {
        "lrtui_session": FORMAT_VERSION,
        **({"note": valid.note} if valid.note else {}),
        "epoch": valid.epoch,
        "target_loss": valid.target_loss,
        **({"smoothing": valid.smoothing} if valid.smoothing != SMOOTHING.default else {}),
        "config": _run_dict(valid.config),
        "pinned": [_run_dict(c) for c in valid.pinned],  # last: see the module's doc
    }
    text = json.dumps(document, indent=2, allow_nan=False) + "\n" if kind == "JSON" else _toml_document(document)
    try:
        return write_atomic(path, text.encode("utf-8"))
    except OSError as err:
        raise _error(path, f"cannot write it: {err.strerror or err}") from None


def load_session(path: str | Path) -> Session:
    """Read and validate the session in ``path`` (``.json`` or ``.toml``). The file is only read; anything
    wrong with it is a :class:`SessionError` of one line naming the file."""
    path = Path(path)
    kind = _format(path)
    data = _read(path)
    try:
        text = data.decode("utf-8-sig")  # an editor's byte-order mark is no reason to refuse a file
    except UnicodeDecodeError:
        raise _error(path, "is not UTF-8 text (a binary file?)") from None
    try:
        document = parse_document(text, kind)
    except DocumentError as err:
        raise _error(path, str(err)) from None
    try:
        return _from_document(document)
    except ConfigError as err:
        raise _error(path, str(err)) from None
    except RecursionError:  # schedules nested thousands deep
        raise _error(path, "is nested too deeply to be a session") from None


def export_runs(
    traces: Sequence[Trace], labels: Sequence[str], directory: str | Path = ".", stem: str = "lrtui-runs"
) -> tuple[Path, Path]:
    """Write the runs to ``<stem>.csv`` and ``<stem>.json`` in ``directory``; returns their paths.

    The csv is wide, one row per epoch: ``epoch``, then ``lr[label]`` and ``loss[label]`` for each run (and
    ``heldout_loss[label]`` for a data problem's), so ``pandas.read_csv(path, index_col="epoch").plot()`` or
    a spreadsheet chart shows every run at once.
    Numbers carry every digit (``repr``, as ``lrtui simulate --format csv``); ``nan`` marks an epoch after
    a divergence, and an empty cell an epoch a shorter run does not have. The JSON holds
    ``{"runs": [{"label", "config", "epoch", "lr", "loss", "heldout_loss"?}, ...]}`` with NaN and infinities as
    null.
    Repeated labels get `` (2)``, `` (3)``... Nothing is overwritten: when either file exists, the next
    free stem (``lrtui-runs-2``, ``-3``...) is used for both. :class:`SessionError` when they cannot be
    written (then neither is left behind).
    """
    if len(traces) != len(labels):
        raise ValueError(f"one label per trace: {len(traces)} traces, {len(labels)} labels")
    names = _unique(labels)
    csv_text = _csv_text(traces, names)
    runs = [
        {"label": name, "config": _run_dict(_typed(t.config)), "epoch": t.epoch.tolist(),
         "lr": _json_numbers(t.lr), "loss": _json_numbers(t.loss),
         **({"heldout_loss": _json_numbers(t.heldout_loss)} if t.heldout_loss is not None else {})}
        for name, t in zip(names, traces)
    ]
    json_text = json.dumps({"runs": runs}, allow_nan=False) + "\n"
    csv_path, json_path = _free_names(Path(directory), stem, (".csv", ".json"))
    _write_or_fail(csv_path, csv_text.encode("utf-8"))
    try:
        _write_or_fail(json_path, json_text.encode("utf-8"))
    except SessionError:
        with contextlib.suppress(OSError):  # half an export is no export
            csv_path.unlink()
        raise
    return csv_path, json_path


def write_new(directory: str | Path, stem: str, suffix: str, data: bytes) -> Path:
    """Write ``data`` to ``<stem><suffix>`` in ``directory``, or to ``<stem>-2<suffix>``, ``-3``... when that
    exists: never over an existing file. Atomic; returns the path written, or raises :class:`SessionError`
    (one line naming the file)."""
    (path,) = _free_names(Path(directory), stem, (suffix,))
    _write_or_fail(path, data)
    return path


def free_name(path: str | Path) -> Path:
    """``path`` if nothing is there, else the first free ``<stem>-2<suffix>``, ``-3``... beside it."""
    path = Path(path)
    (free,) = _free_names(path.parent, path.stem, (path.suffix,))
    return free


def _write_or_fail(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as err:
        raise SessionError(f"cannot write {_name(path)}: {err.strerror or err}") from None


def write_atomic(path: Path, data: bytes) -> Path:
    """Replace ``path`` with a file holding ``data``, all or nothing: a temporary file in the same directory
    is written, synced and renamed over ``path``. On any failure the temporary file is removed and an
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
            f.write(data)
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


def _name(path: str | Path) -> str:
    text = str(path)
    return text if text.isprintable() else repr(text)


def _error(path: Path, what: str) -> SessionError:
    return SessionError(f"session file {_name(path)}: " + " ".join(what.splitlines()))


def _format(path: Path) -> str:
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        raise _error(path, f"{_name(path.suffix) or 'no suffix'} is not a session format: allowed .json or .toml")
    return kind


def _read(path: Path) -> bytes:
    """At most MAX_BYTES + 1 bytes of a regular file no larger than MAX_BYTES (else SessionError)."""
    try:  # non-blocking: a FIFO in place of the file must not hang the app
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError) as err:  # ValueError: a NUL in the name
        raise _error(path, f"cannot read it: {getattr(err, 'strerror', None) or err}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _error(path, "is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise _error(path, "is not a regular file")
        if info.st_size > MAX_BYTES:
            raise _error(path, f"is {info.st_size:,} bytes: a session is at most {MAX_BYTES:,}")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:
        try:
            data = f.read(MAX_BYTES + 1)  # the file may have grown since fstat
        except OSError as err:
            raise _error(path, f"cannot read it: {err.strerror or err}") from None
    if len(data) > MAX_BYTES:
        raise _error(path, f"is more than {MAX_BYTES:,} bytes: a session is at most that")
    return data


def _from_document(document: Any) -> Session:
    """A Session from a parsed file, every type and value checked (ConfigError)."""
    if not isinstance(document, dict) or "lrtui_session" not in document:
        raise ConfigError("is not an lrtui session: no lrtui_session key at the top")
    version = document["lrtui_session"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise ConfigError(f"lrtui_session must be an integer (the format version), not {_type_name(version)}")
    if version < 1:
        raise ConfigError(f"lrtui_session={version} is not a format version: allowed 1 to {FORMAT_VERSION}")
    if version > FORMAT_VERSION:
        raise ConfigError(f"written by a newer lrtui (format {version}; this one reads {FORMAT_VERSION})")
    unknown = [k for k in document if k not in _KEYS]
    if unknown:
        raise ConfigError(f"{format_value(unknown[0])} is not a key of a session: allowed " + ", ".join(_KEYS))
    missing = [k for k in _REQUIRED if k not in document]
    if missing:
        raise ConfigError(f"{missing[0]} is missing (a file cut short?): a session holds " + ", ".join(_REQUIRED))
    pinned = document["pinned"]
    if not isinstance(pinned, list):
        raise ConfigError(f"pinned must be a list of runs, not {_type_name(pinned)}")
    return _canonical(_run(document["config"], "config"), tuple(_run(c, f"pinned[{i}]") for i, c in enumerate(pinned)),
                      document["epoch"], document.get("target_loss"), document.get("note", ""),
                      document.get("smoothing", SMOOTHING.default))


def _run(data: Any, where: str) -> RunConfig:
    """A RunConfig from a table of its fields; the values are checked by :func:`_canonical`."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a table of run fields, not {_type_name(data)}")
    unknown = [k for k in data if k not in _RUN_FIELDS]
    if unknown:
        raise ConfigError(f"{where}.{format_value(unknown[0])} is not a field of a run: allowed " + ", ".join(_RUN_FIELDS))
    for name in ("problem_params", "optimizer_params"):
        if not isinstance(data.get(name, {}), dict):
            raise ConfigError(f"{where}.{name} must be a table of parameter values, not {_type_name(data[name])}")
    for name in ("problem", "optimizer"):
        if not isinstance(data.get(name, ""), str):
            raise ConfigError(f"{where}.{name} must be a name, not {_type_name(data[name])}")
    _refuse_empty_text(data, where)
    return RunConfig(**data)


def _refuse_empty_text(data: Any, where: str) -> None:
    """A file says what a value is: empty text is not a value (typed on a command line it could mean
    none or an empty list; in a file it is a mistake), wherever it stands in the run."""
    if isinstance(data, dict):
        for key, value in data.items():
            _refuse_empty_text(value, f"{where}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            _refuse_empty_text(value, f"{where}[{i}]")
    elif isinstance(data, str) and not data.strip():
        raise ConfigError(f'{where}="" is empty: allowed a value (none for no value, [] for an empty list)')


def _type_name(value: Any) -> str:
    return {dict: "a table", list: "a list", str: "text", bool: "a boolean", int: "an integer", float: "a number",
            type(None): "null"}.get(type(value), type(value).__name__)


def _canonical(config: RunConfig, pinned: tuple[RunConfig, ...], epoch: Any, target: Any, note: Any = "",
               smoothing: Any = SMOOTHING.default) -> Session:
    """The session validated and typed (see :func:`_typed`); ConfigError says what is wrong where."""
    if len(pinned) > MAX_PINNED:
        raise ConfigError(f"{len(pinned)} pinned runs: allowed at most {MAX_PINNED}")
    typed = []
    for where, run in [("config", config)] + [(f"pinned[{i}]", c) for i, c in enumerate(pinned)]:
        try:
            typed.append(_typed(run))
        except ConfigError as err:
            raise ConfigError(f"{where}: {err}") from None
    epochs = typed[0].epochs
    if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral):
        raise ConfigError(f"epoch (the cursor) must be an integer, not {_type_name(epoch)}")
    if not 0 <= epoch < epochs:
        raise ConfigError(f"epoch={epoch} is not allowed: an integer in [0, {epochs - 1}] "
                          f"(the cursor, within the run's {epochs} epochs)")
    if target is not None and (isinstance(target, bool) or not isinstance(target, (int, float))):
        raise TARGET.error(target)
    if not isinstance(note, str):
        raise ConfigError(f"note must be text, not {_type_name(note)}")
    if len(note) > MAX_NOTE:
        raise ConfigError(f"note has {len(note):,} characters: allowed at most {MAX_NOTE:,}")
    if isinstance(smoothing, (int, float)) and not isinstance(smoothing, bool):
        smoothing = f"{smoothing:g}"  # smoothing = 0.9 in a hand-written file: the choice "0.9"
    return Session(typed[0], tuple(typed[1:]), int(epoch), coerce(TARGET, target), note, coerce(SMOOTHING, smoothing))


def _typed(config: RunConfig) -> RunConfig:
    """``config`` validated (ConfigError), with only the parameters it sets, each as the value it stands
    for: ``{"lr": "0.1"}`` becomes ``{"lr": 0.1}``, lists become tuples (as the app's edits make them)."""
    prepared = prepare(config)
    return replace(
        config,
        schedule=_typed_spec(config.schedule),
        problem_params={k: prepared.problem_params[k] for k in config.problem_params},
        optimizer_params={k: prepared.optimizer_params[k] for k in config.optimizer_params},
        **{p.name: getattr(prepared, p.name) for p in RUN_PARAMS},
    )


def _typed_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A validated spec's given parameters as values, nested member specs included."""
    declared = {p.name: p for p in schedules.get(spec["name"]).all_params}
    params = {}
    for key, value in spec.get("params", {}).items():
        value = coerce(declared[key], value)  # valid already: this only converts
        params[key] = tuple(_typed_spec(m) for m in value) if declared[key].kind == "specs" else value
    return {"name": spec["name"], "params": params}


def _run_dict(config: RunConfig) -> dict[str, Any]:
    return {name: getattr(config, name) for name in _RUN_FIELDS}


def _toml_document(document: dict[str, Any]) -> str:
    """The session as TOML: scalars, then one line per run, the pinned array last (see the module's doc)."""
    lines = [f"{key} = {_toml(value)}" for key, value in document.items()
             if key != "pinned" and not (key == "target_loss" and value is None)]
    runs = "".join(f"\n    {_toml(run)}," for run in document["pinned"])
    lines.append(f"pinned = [{runs}\n]" if runs else "pinned = []")
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    """A value as TOML (inline tables and arrays); None, which TOML lacks, as the text none."""
    if value is None:
        return '"none"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):  # repr is TOML for every float too: 1e-05, 1e+16, -0.0, inf, nan
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"{type(value).__name__} has no TOML form")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    """A TOML basic string: quote, backslash and the control characters but tab escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(f"\\u{ord(c):04x}" if (ord(c) < 32 and c != "\t") or c == "\x7f" else c
                         for c in escaped) + '"'


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


def _csv_text(traces: Sequence[Trace], labels: Sequence[str]) -> str:
    kinds = [(label, kind, getattr(t, kind)) for t, label in zip(traces, labels)
             for kind in ("lr", "loss", "heldout_loss") if getattr(t, kind) is not None]
    columns = [[repr(v) for v in series.tolist()] for _, _, series in kinds]
    longest = max(traces, key=lambda t: len(t.epoch), default=None)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")  # quotes a label with a comma; "\n" as the CLI's csv
    writer.writerow(["epoch"] + [f"{kind}[{label}]" for label, kind, _ in kinds])
    for i, epoch in enumerate(longest.epoch.tolist() if longest is not None else []):
        writer.writerow([epoch] + [c[i] if i < len(c) else "" for c in columns])
    return out.getvalue()


def _json_numbers(values: Any) -> list[float | None]:
    return [v if math.isfinite(v) else None for v in values.tolist()]


def _free_names(directory: Path, stem: str, suffixes: tuple[str, ...]) -> tuple[Path, ...]:
    """The files of the first of ``stem``, ``stem-2``, ``stem-3``... for which none of them exists."""
    stems = (stem if n == 1 else f"{stem}-{n}" for n in itertools.count(1))
    candidates = (tuple(directory / f"{name}{suffix}" for suffix in suffixes) for name in stems)
    return next(paths for paths in candidates if not any(os.path.lexists(p) for p in paths))
