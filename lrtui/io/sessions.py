"""Sessions: the app's whole state in a JSON or TOML file (runs as CSV and JSON: lrtui.io.run_export).

A session file holds the current run, the pinned runs, the epoch cursor, the scoreboard's target, the loss
plot's smoothing (left out when it is ``auto``) and a note (a preset's, or an instructor's exercise: the
app's ? shows it; its first line is its title)::

    {"lrtui_session": 2, "epoch": 12, "target_loss": 0.01, "config": {...}, "pinned": [{...}, ...]}

Each run is a :class:`~lrtui.sim.config.RunConfig` by field name. Only the parameters the user set are kept
(the spec as it is, not filled in with defaults), each as the value it stands for: text typed on the command
line (``"0.1"``) is saved as the number 0.1, so a loaded session holds what the app's own edits produce. The
suffix picks the format. TOML has no null: ``target_loss`` is left out when there is none, and a parameter
set to none is written as the text ``"none"``, which every optional parameter reads back as none. TOML is
written one run per line (inline tables), the pinned runs last::

    lrtui_session = 2
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
over it): a failed save leaves an existing file as it was. Loading checks everything and never touches the file;
whatever is wrong is one :class:`SessionError` line naming the file.

>>> import tempfile
>>> from lrtui.sim.config import RunConfig
>>> with tempfile.TemporaryDirectory() as d:
...     path = save_session(Session(RunConfig(epochs=50), epoch=10), Path(d) / "run.toml")
...     load_session(path).epoch
10
"""

from __future__ import annotations

import json
import numbers
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from lrtui import schedules
from lrtui.app_settings import MAX_PINNED, SMOOTHING, TARGET
from lrtui.io.documents import DocumentError, parse_document
from lrtui.io.files import FileRefused, read_bounded, write_atomic
from lrtui.params import ConfigError, coerce, format_value
from lrtui.printable import shown
from lrtui.sim.config import RUN_PARAMS, SEEDS, RunConfig, prepare

FORMAT_VERSION = 2
"""The session format this lrtui writes; it reads this one and older ones. 2: runs have ``seeds`` (a run
of format 1 was one seed's, and loads as one seed)."""

MAX_BYTES = 1_000_000
"""A larger session file is refused without being parsed (a session is a few kilobytes)."""

_FORMATS = {".json": "JSON", ".toml": "TOML"}
_KEYS = ("lrtui_session", "note", "config", "pinned", "epoch", "target_loss", "smoothing", "lab")
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
    target (None: the default target) and the loss plot's smoothing (see :data:`lrtui.app_settings.SMOOTHING`)."""

    config: RunConfig
    pinned: tuple[RunConfig, ...] = ()
    epoch: int = 0
    target_loss: float | None = None
    note: str = ""  # what ? shows: a preset's title and note, or an instructor's exercise (its first line a title)
    smoothing: str = SMOOTHING.default
    lab: dict[str, Any] | None = None  # a lab's progress (lrtui.ui.lab.LabProgress.saved): the student comes back


def save_session(session: Session, path: str | Path, room: Callable[[int], None] | None = None) -> Path:
    """Write ``session`` to ``path`` (``.json`` or ``.toml``) atomically, after validating it; returns the
    path of the file written (the one a symbolic link ``path`` points to). :class:`SessionError` when the state
    is invalid or the file cannot be written, or when ``room(size)`` (a lab session's quota) raises
    ConfigError for its size in bytes."""
    path = Path(path)
    kind = _format(path)
    try:
        valid = _canonical(session.config, tuple(session.pinned), session.epoch, session.target_loss, session.note,
                           session.smoothing, session.lab)
    except ConfigError as err:
        raise _error(path, f"cannot save: {err}") from None
    document: dict[str, Any] = {
        "lrtui_session": FORMAT_VERSION,
        **({"note": valid.note} if valid.note else {}),
        "epoch": valid.epoch,
        "target_loss": valid.target_loss,
        **({"smoothing": valid.smoothing} if valid.smoothing != SMOOTHING.default else {}),
        **({"lab": valid.lab} if valid.lab is not None else {}),
        "config": run_dict(valid.config),
        "pinned": [run_dict(c) for c in valid.pinned],  # last: see the module's doc
    }
    text = json.dumps(document, indent=2, allow_nan=False) + "\n" if kind == "JSON" else _toml_document(document)
    data = text.encode("utf-8")
    if room is not None:
        try:
            room(len(data))
        except ConfigError as err:
            raise _error(path, f"cannot save: {err}") from None
    try:
        return write_atomic(path, data)
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


def write_or_fail(path: Path, data: bytes | Iterable[bytes]) -> None:
    """``write_atomic``, its OSError as a SessionError naming the file."""
    try:
        write_atomic(path, data)
    except OSError as err:
        raise SessionError(f"cannot write {shown(str(path))}: {err.strerror or err}") from None


def _error(path: Path, what: str) -> SessionError:
    return SessionError(f"session file {shown(str(path))}: " + " ".join(what.splitlines()))


def _format(path: Path) -> str:
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        raise _error(path, f"{shown(path.suffix) or 'no suffix'} is not a session format: allowed .json or .toml")
    return kind


def _read(path: Path) -> bytes:
    """The file's bytes, at most MAX_BYTES of them (else SessionError)."""
    try:
        return read_bounded(path, MAX_BYTES)
    except FileRefused as refused:
        raise _error(path, {
            "directory": "is a directory",
            "special": "is not a regular file",
            "size": f"is {refused.size:,} bytes: a session is at most {MAX_BYTES:,}" if refused.size >= 0
            else f"is more than {MAX_BYTES:,} bytes: a session is at most that",
            "os": f"cannot read it: {refused.detail}",
        }[refused.reason]) from None


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
    runs = [document["config"], *pinned]
    if version < 2:  # written before runs had seeds: each was one seed's, and is again
        runs = [{"seeds": 1, **run} if isinstance(run, dict) else run for run in runs]
    return _canonical(_run(runs[0], "config"), tuple(_run(c, f"pinned[{i}]") for i, c in enumerate(runs[1:])),
                      document["epoch"], document.get("target_loss"), document.get("note", ""),
                      document.get("smoothing", SMOOTHING.default), document.get("lab"))


def _run(data: Any, where: str) -> RunConfig:
    """A RunConfig from a table of its fields; the values are checked by :func:`_canonical`."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a table of run fields, not {_type_name(data)}")
    unknown = [k for k in data if k not in _RUN_FIELDS]
    if unknown:
        raise ConfigError(f"{where}.{format_value(unknown[0])} is not a field of a run: allowed "
                          + ", ".join(_RUN_FIELDS))
    for name in ("problem_params", "optimizer_params"):
        if not isinstance(data.get(name, {}), dict):
            raise ConfigError(f"{where}.{name} must be a table of parameter values, not {_type_name(data[name])}")
    for name in ("problem", "optimizer"):
        if not isinstance(data.get(name, ""), str):
            raise ConfigError(f"{where}.{name} must be a name, not {_type_name(data[name])}")
    _refuse_empty_text(data, where)
    return RunConfig(**data)


def session_from_tables(config: Any, pinned: Any = (), target_loss: Any = None, where: str = "start") -> Session:
    """A Session from the tables a file gives for its runs (a lab's start), checked as a loaded session's
    are (ConfigError naming ``where``)."""
    if not isinstance(pinned, (list, tuple)):
        raise ConfigError(f"{where}.pinned must be a list of runs, not {_type_name(pinned)}")
    return _canonical(_run(config, f"{where}.config"),
                      tuple(_run(c, f"{where}.pinned[{i}]") for i, c in enumerate(pinned)), 0, target_loss)


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
               smoothing: Any = SMOOTHING.default, lab: Any = None) -> Session:
    """The session validated and typed (see :func:`_typed`); ConfigError says what is wrong where."""
    if len(pinned) > MAX_PINNED:
        raise ConfigError(f"{len(pinned)} pinned runs: allowed at most {MAX_PINNED}")
    typed = []
    for where, run in [("config", config)] + [(f"pinned[{i}]", c) for i, c in enumerate(pinned)]:
        try:
            typed.append(typed_run(run))
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
    return Session(typed[0], tuple(typed[1:]), int(epoch), coerce(TARGET, target), note, coerce(SMOOTHING, smoothing),
                   _lab_progress(lab))


def _lab_progress(lab: Any) -> dict[str, Any] | None:
    """A lab's progress as a session keeps it, checked: the lab's title, the student, the exercise open, the
    best score of each exercise, the ones passed, the hints shown of the one open."""
    if lab is None:
        return None
    if not isinstance(lab, dict) or set(lab) - {"title", "student", "exercise", "best", "passed", "hints",
                                                 "predictions"}:
        raise ConfigError("lab must be a table of title, student, exercise, best, passed, hints and predictions")
    for key, longest in (("title", 200), ("student", 60), ("exercise", 40)):
        if not isinstance(lab.get(key, ""), str) or len(lab.get(key, "")) > longest:
            raise ConfigError(f"lab.{key} must be text of at most {longest} characters")
    best, passed, hints = lab.get("best", {}), lab.get("passed", []), lab.get("hints", 0)
    if not isinstance(best, dict) or len(best) > 50 or not all(
            isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 10**6
            for k, v in best.items()):
        raise ConfigError("lab.best must be a table of at most 50 exercise = score")
    if not isinstance(passed, list) or len(passed) > 50 or not all(isinstance(p, str) for p in passed):
        raise ConfigError("lab.passed must be a list of at most 50 exercise ids")
    if isinstance(hints, bool) or not isinstance(hints, int) or not 0 <= hints <= 10:
        raise ConfigError("lab.hints must be an integer in [0, 10]")
    predictions = lab.get("predictions", {})
    if not isinstance(predictions, dict) or len(predictions) > 50 or not all(
            isinstance(k, str) and isinstance(v, str) and len(v) <= 100 for k, v in predictions.items()):
        raise ConfigError("lab.predictions must be a table of at most 50 exercise = answer (text)")
    return {"title": lab.get("title", ""), "student": lab.get("student", ""), "exercise": lab.get("exercise", ""),
            "best": {k: float(v) for k, v in best.items()}, "passed": list(passed), "hints": hints,
            "predictions": dict(predictions)}


def typed_run(config: RunConfig) -> RunConfig:
    """``config`` validated (ConfigError), with only the parameters it sets, each as the value it stands
    for: ``{"lr": "0.1"}`` becomes ``{"lr": 0.1}``, lists become tuples (as the app's edits make them)."""
    prepared = prepare(config)
    return replace(
        config,
        schedule=_typed_spec(config.schedule),
        problem_params={k: prepared.problem_params[k] for k in config.problem_params},
        optimizer_params={k: prepared.optimizer_params[k] for k in config.optimizer_params},
        **{p.name: getattr(prepared, p.name) for p in RUN_PARAMS if p is not SEEDS},
        seeds=coerce(SEEDS, config.seeds),  # as set: auto stays auto (prepared holds what it means)
    )


def _typed_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A validated spec's given parameters as values, nested member specs included."""
    declared = {p.name: p for p in schedules.get(spec["name"]).all_params}
    params = {}
    for key, value in spec.get("params", {}).items():
        value = coerce(declared[key], value)  # valid already: this only converts
        params[key] = tuple(_typed_spec(m) for m in value) if declared[key].kind == "specs" else value
    return {"name": spec["name"], "params": params}


def run_dict(config: RunConfig) -> dict[str, Any]:
    return {name: getattr(config, name) for name in _RUN_FIELDS}


def _toml_document(document: dict[str, Any]) -> str:
    """The session as TOML: scalars, then one line per run, the pinned array last (see the module's doc)."""
    lines = [f"{key} = {_toml_lines(value) if key == 'note' else _toml(value)}" for key, value in document.items()
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


def _toml_lines(text: str) -> str:
    """Text of several lines as a TOML multi-line basic string, a line of the file a line of the text (a
    note reads as written, not as one line of \\u000a); text of one line as a basic string."""
    if "\n" not in text:
        return _toml_string(text)
    return '"""\n' + "\n".join(_toml_string(line)[1:-1] for line in text.split("\n")) + '"""'


def _toml_string(text: str) -> str:
    """A TOML basic string: quote, backslash and the control characters but tab escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(f"\\u{ord(c):04x}" if (ord(c) < 32 and c != "\t") or c == "\x7f" else c
                         for c in escaped) + '"'


