"""A lab: one TOML file an instructor writes, a title and a list of exercises the app checks.

::

    title = "Learning rates, lab 1"

    [[exercise]]
    id = "edge"
    title = "The stability edge"
    text = \"\"\"
    Gradient descent on L/2 x^2 converges only for lr below 2/L.
    Find the largest constant lr that still converges, to within 10%.
    \"\"\"
    start = "T1"                      # a preset, or a table: start.config = {...}, start.pinned = [...]
    locked = ["problem", "optimizer"] # fields a student cannot change
    hidden = ["problem.noise"]        # fields not shown at all
    vary = {"problem.L" = {min = 0.5, max = 4.0}}   # each student's own L (or a list to choose from)
    hints = ["The limit is 2/L: what is L here?", "An lr just under the limit converges, slowly."]
    goal = [
        "verdict != 'diverged'",
        {check = "lr > 0.9 * stable_lr", say = "lr within 10% of the limit", points = 2},
    ]
    predict = {question = "What is the largest stable lr?", answer = "stable_lr", tolerance = 0.1}

A goal is a list of conditions (:mod:`lrtui.lab.expr`), each a text or a table of ``check``, ``say`` (what the
checklist shows instead of the condition) and ``points`` (default 1: partial credit is the points of the
conditions that hold); ``points`` of the exercise, if given, is scaled to. A prediction's ``answer`` is a
number, an expression over the run's facts (``"stable_lr"``), or, with ``choices``, one of them; ``tolerance``
is relative. Every field is checked when the lab is read: a fault is one :class:`LabError` line naming the
exercise and the field. No Textual here.
"""

from __future__ import annotations

import difflib
import hashlib
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lrtui.io.documents import DocumentError, parse_document
from lrtui.io.files import FileRefused, read_bounded
from lrtui.io.sessions import Session, session_from_tables
from lrtui.lab.expr import Condition, ConditionError, compile_condition
from lrtui.params import ConfigError, format_value
from lrtui.printable import cut
from lrtui.sim.config import RUN_PARAMS, Prepared, RunConfig, prepare

MAX_BYTES = 256 * 1024
"""The largest lab file read."""
MAX_EXERCISES = 50
MAX_GOALS = 20
MAX_HINTS = 10
MAX_TEXT = 8000
"""The longest text (an exercise's, a hint's), in characters."""

_KEYS = ("title", "ask_name", "exercise")
_EXERCISE_KEYS = ("id", "title", "text", "start", "locked", "hidden", "vary", "goal", "hints", "points", "predict")
RUN_SETTINGS = tuple(p.name for p in RUN_PARAMS)
"""The run settings a lab may lock, hide or vary by their own names (the form keys them ``run.epochs``)."""


class LabError(ConfigError):
    """A lab file that cannot be used: one line naming the file, the exercise and the field."""


class _Range(tuple):
    """``{min = a, max = b}``: a value drawn between a and b (3 significant digits)."""


@dataclass(frozen=True)
class Goal:
    condition: Condition
    say: str
    points: float


@dataclass(frozen=True)
class Prediction:
    question: str
    answer: float | str | Condition  # a number, a choice, or an expression over the run's facts
    choices: tuple[str, ...] = ()
    tolerance: float = 0.1
    points: float = 1.0


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    text: str
    start: Session
    goals: tuple[Goal, ...]
    locked: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    vary: dict[str, tuple[float, float] | tuple[Any, ...]] = field(default_factory=dict)
    hints: tuple[str, ...] = ()
    points: float = 0.0  # the goals' points, scaled: the exercise's worth
    predict: Prediction | None = None

    def variant(self, student: str) -> dict[str, Any]:
        """The values ``vary`` gives ``student`` in this exercise: the same student always the same, two
        students most likely not (drawn from a hash of the student's name, the exercise and the field)."""
        values = {}
        for name, way in self.vary.items():
            digest = hashlib.sha256(f"{student}\0{self.id}\0{name}".encode()).digest()
            u = int.from_bytes(digest[:8], "big") / 2**64
            if isinstance(way, _Range):
                low, high = way
                values[name] = float(f"{low + u * (high - low):.3g}")
            else:
                values[name] = way[int(u * len(way))]
        return values

    def start_for(self, student: str) -> Session:
        """Where ``student`` starts: the exercise's start with their variant."""
        variant = self.variant(student)
        return replace(self.start, config=with_values(self.start.config, variant),
                       pinned=tuple(with_values(c, variant) for c in self.start.pinned))


@dataclass(frozen=True)
class Lab:
    title: str
    exercises: tuple[Exercise, ...]
    ask_name: bool = True


def with_values(config: RunConfig, values: dict[str, Any]) -> RunConfig:
    """``config`` with fields set by name (``problem.L``, ``schedule.lr``, ``epochs``)."""
    for name, value in values.items():
        group, _, key = name.partition(".")
        if group == "schedule" and key:
            spec = config.schedule
            config = replace(config, schedule={"name": spec["name"], "params": {**spec.get("params", {}), key: value}})
        elif group in ("problem", "optimizer") and key:
            params = getattr(config, f"{group}_params")
            config = replace(config, **{f"{group}_params": {**params, key: value}})
        else:
            config = replace(config, **{name: value})
    return config


def field_names(prepared: Prepared) -> set[str]:
    """The fields of a run a lab may lock, hide or vary: the schedule, problem and optimizer (the choices),
    each one's parameters as ``group.name``, and the run's settings."""
    from lrtui.schedules import registry

    names = {"schedule", "problem", "optimizer", *RUN_SETTINGS}
    names |= {f"schedule.{p.name}" for p in registry.get(prepared.config.schedule["name"]).all_params}
    names |= {f"problem.{p.name}" for p in prepared.problem.params}
    names |= {f"optimizer.{p.name}" for p in prepared.optimizer.params}
    return names


SHIPPED = Path(__file__).resolve().parent.parent / "labs"
"""The labs lrtui ships (lrtui/labs/), each found by its name: ``--lab first-lab``."""


def shipped_labs() -> list[str]:
    return sorted(p.stem for p in SHIPPED.glob("*.toml"))


def find_lab(given: str | Path) -> Path:
    """The lab file ``given`` names: that path, or, where there is none and the name has no folder in it, the
    lab lrtui ships by that name (``first-lab`` or ``first-lab.toml``)."""
    path = Path(given)
    if path.exists() or len(path.parts) != 1:
        return path
    shipped = SHIPPED / (path.name if path.suffix == ".toml" else f"{path.name}.toml")
    return shipped if shipped.is_file() else path


def default_results(lab: Path) -> Path:
    """Where a lab's results are recorded unless --results says: beside the lab; for a lab lrtui ships, in
    the current folder (the installed package's folder is not the instructor's)."""
    results = lab.with_suffix(".results.sqlite")
    return Path.cwd() / results.name if lab.resolve().parent == SHIPPED else results


def load_lab(path: str | Path) -> Lab:
    """The lab in ``path`` (TOML; a shipped lab by its name, :func:`find_lab`), every field checked
    (:class:`LabError`, one line)."""
    path = find_lab(path)
    if not path.exists():
        raise LabError(f"lab file {cut(str(path), 60)}: no such file (lrtui ships {', '.join(shipped_labs())}: "
                       "--lab first-lab opens it)")
    try:
        data = read_bounded(path, MAX_BYTES)
    except FileRefused as refused:
        raise LabError(f"lab file {cut(path.name, 60)}: cannot be read ({refused.reason}: a lab is a TOML file of "
                       f"at most {MAX_BYTES:,} bytes)") from None
    try:
        document = parse_document(data.decode("utf-8-sig", errors="replace"), "TOML")
    except DocumentError as err:
        raise LabError(f"lab file {cut(path.name, 60)}: {err}") from None
    try:
        return parse_lab(document)
    except ConfigError as err:
        raise LabError(f"lab file {cut(path.name, 60)}: {err}") from None


def parse_lab(document: Any) -> Lab:
    """A Lab from a parsed TOML document (ConfigError naming the exercise and the field)."""
    if not isinstance(document, dict):
        raise ConfigError("a lab is a table with title and [[exercise]] entries")
    unknown = [k for k in document if k not in _KEYS]
    if unknown:
        raise ConfigError(f"{format_value(unknown[0])} is not a key of a lab: allowed " + ", ".join(_KEYS))
    title = _text(document.get("title", ""), "title", short=True)
    ask_name = document.get("ask_name", True)
    if not isinstance(ask_name, bool):
        raise ConfigError("ask_name must be true or false")
    exercises = document.get("exercise")
    if not isinstance(exercises, list) or not exercises:
        raise ConfigError("a lab needs at least one [[exercise]]")
    if len(exercises) > MAX_EXERCISES:
        raise ConfigError(f"a lab has at most {MAX_EXERCISES} exercises: this one has {len(exercises)}")
    parsed = [_exercise(e, i) for i, e in enumerate(exercises)]
    ids = [e.id for e in parsed]
    twice = next((i for i in ids if ids.count(i) > 1), None)
    if twice is not None:
        raise ConfigError(f"exercise id {twice!r} is given twice: each exercise needs its own id")
    return Lab(title, tuple(parsed), ask_name)


def _exercise(data: Any, index: int) -> Exercise:
    where = f"exercise {index + 1}"
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a table")
    if isinstance(data.get("id"), str) and data["id"].strip():
        where = f"exercise {cut(data['id'], 30)!r}"
    unknown = [k for k in data if k not in _EXERCISE_KEYS]
    if unknown:
        raise ConfigError(f"{where}: {format_value(unknown[0])} is not a field of an exercise: allowed "
                          + ", ".join(_EXERCISE_KEYS))
    for required in ("id", "title", "start", "goal"):
        if required not in data:
            raise ConfigError(f"{where}: {required} is missing (an exercise has id, title, start and goal)")
    ident = data["id"]
    if not isinstance(ident, str) or not ident.strip() or len(ident) > 40 or not ident.isprintable():
        raise ConfigError(f"{where}: id must be a short name (1 to 40 printable characters)")
    start = _start(data["start"], where)
    names = field_names(prepare(start.config))
    locked = _fields(data.get("locked", []), names, where, "locked")
    hidden = _fields(data.get("hidden", []), names, where, "hidden")
    vary = _vary(data.get("vary", {}), names, where)
    try:
        prepare(with_values(start.config, {k: v[0] for k, v in vary.items()}))
    except ConfigError as err:
        raise ConfigError(f"{where}: vary gives a run that cannot be: {err}") from None
    goals = _goals(data["goal"], where)
    points = data.get("points")
    if points is not None:
        if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 < points <= 1000:
            raise ConfigError(f"{where}: points must be a number in (0, 1000]")
        total = sum(g.points for g in goals)
        goals = tuple(replace(g, points=g.points * points / total) for g in goals)
    hints = data.get("hints", [])
    if not isinstance(hints, list) or len(hints) > MAX_HINTS:
        raise ConfigError(f"{where}: hints must be a list of at most {MAX_HINTS} texts")
    exercise = Exercise(
        id=ident, title=_text(data["title"], f"{where}: title", short=True), text=_text(data.get("text", ""),
                                                                                         f"{where}: text"),
        start=start, goals=goals, locked=locked, hidden=hidden, vary=vary,
        hints=tuple(_text(h, f"{where}: hints[{i}]") for i, h in enumerate(hints)),
        points=sum(g.points for g in goals), predict=_predict(data.get("predict"), where))
    if exercise.predict is not None:  # (its points count beside the goal's; a wrong one does not fail the goal)
        exercise = replace(exercise, points=exercise.points + exercise.predict.points)
    return exercise


def _text(value: Any, where: str, short: bool = False) -> str:
    limit = 200 if short else MAX_TEXT
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be text")
    if len(value) > limit:
        raise ConfigError(f"{where} is at most {limit} characters: this one has {len(value)}")
    # plain text with real line breaks: surrounding blank lines go, each line keeps its words
    lines = [line.rstrip() for line in value.strip("\n").split("\n")]
    return "\n".join("".join(c if c.isprintable() else " " for c in line) for line in lines).strip()


def _start(value: Any, where: str) -> Session:
    if isinstance(value, str):
        from lrtui.presets import find

        try:
            preset = find(value)
        except ConfigError as err:
            raise ConfigError(f"{where}: start: {err}") from None
        return Session(preset.config, tuple(preset.pinned))
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: start must be a preset's name or a table with config (and pinned)")
    unknown = [k for k in value if k not in ("config", "pinned", "target_loss")]
    if unknown or "config" not in value:
        raise ConfigError(f"{where}: start is a table of config, pinned and target_loss (config required)")
    try:
        return session_from_tables(value["config"], value.get("pinned", []), value.get("target_loss"),
                                   where="start")
    except ConfigError as err:
        raise ConfigError(f"{where}: {err}") from None


def _fields(value: Any, names: set[str], where: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {what} must be a list of field names")
    for name in value:
        if name not in names:
            raise ConfigError(f"{where}: {what}: {cut(name, 40)!r} is not a field of its run: allowed "
                              + ", ".join(sorted(names)))
    return tuple(value)


def _vary(value: Any, names: set[str], where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: vary must be a table of field = {{min, max}} or field = [values]")
    out: dict[str, Any] = {}
    for name, way in value.items():
        if name not in names:
            raise ConfigError(f"{where}: vary: {cut(name, 40)!r} is not a field of its run: allowed "
                              + ", ".join(sorted(names)))
        if isinstance(way, dict) and set(way) == {"min", "max"}:
            low, high = way["min"], way["max"]
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                       for v in (low, high)) or low > high:
                raise ConfigError(f"{where}: vary.{name} needs numbers min <= max")
            out[name] = _Range((float(low), float(high)))
        elif isinstance(way, list) and 0 < len(way) <= 100:
            out[name] = tuple(way)
        else:
            raise ConfigError(f"{where}: vary.{name} must be {{min = a, max = b}} or a list of 1 to 100 values")
    return out


def _goals(value: Any, where: str) -> tuple[Goal, ...]:
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list) or not 0 < len(value) <= MAX_GOALS:
        raise ConfigError(f"{where}: goal must be a list of 1 to {MAX_GOALS} conditions")
    goals = []
    for i, item in enumerate(value):
        at = f"{where}: goal[{i}]"
        if isinstance(item, str):
            item = {"check": item}
        if not isinstance(item, dict) or "check" not in item or set(item) - {"check", "say", "points"}:
            raise ConfigError(f"{at} must be a condition, or a table of check, say and points")
        try:
            condition = compile_condition(item["check"])
        except ConditionError as err:
            raise ConfigError(f"{at}: {err}") from None
        _check_names(condition, at)
        points = item.get("points", 1)
        if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 < points <= 1000:
            raise ConfigError(f"{at}: points must be a number in (0, 1000]")
        goals.append(Goal(condition, _text(item.get("say", condition.text), f"{at}: say", short=True), float(points)))
    return tuple(goals)


def _check_names(condition, at: str) -> None:
    """A name no run has (a typo: ``stabel_lr``) is refused when the lab is read, not found by a student."""
    from lrtui.lab.expr import free_names
    from lrtui.lab.grade import known_names

    known = known_names()
    for name in sorted(free_names(condition) - known):
        close = difflib.get_close_matches(name, known, n=1)
        raise ConfigError(f"{at}: {cut(name, 40)} is not a name a condition knows"
                          + (f" (did you mean {close[0]}?)" if close else "")
                          + ": allowed the run's results (final_loss, best_loss, diverged, verdict, stable_lr...), "
                          "its schedule's parameters (lr...), run, pinned and runs")


def _predict(value: Any, where: str) -> Prediction | None:
    if value is None:
        return None
    at = f"{where}: predict"
    if not isinstance(value, dict) or "question" not in value or "answer" not in value \
            or set(value) - {"question", "answer", "choices", "tolerance", "points"}:
        raise ConfigError(f"{at} must be a table of question, answer, and choices, tolerance or points")
    choices = value.get("choices", [])
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices) or len(choices) > 10:
        raise ConfigError(f"{at}: choices must be a list of at most 10 texts")
    answer = value["answer"]
    if choices:
        if answer not in choices:
            raise ConfigError(f"{at}: answer {cut(str(answer), 40)!r} is not one of its choices")
    elif isinstance(answer, str):
        try:
            answer = compile_condition(answer)
        except ConditionError as err:
            raise ConfigError(f"{at}: answer: {err}") from None
    elif isinstance(answer, bool) or not isinstance(answer, (int, float)):
        raise ConfigError(f"{at}: answer must be a number, an expression over the run's facts, or a choice")
    tolerance = value.get("tolerance", 0.1)
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not 0 <= tolerance <= 10:
        raise ConfigError(f"{at}: tolerance must be a number in [0, 10] (relative)")
    points = value.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 < points <= 1000:
        raise ConfigError(f"{at}: points must be a number in (0, 1000]")
    return Prediction(_text(value["question"], f"{at}: question"), answer if not isinstance(answer, int) or
                      isinstance(answer, bool) else float(answer), tuple(choices), float(tolerance), float(points))
