"""Parameter declarations: each parameter is declared once and read by validation, the CLI and the app.

A :class:`Param` knows its name, kind, default, allowed range, whether it moves on a log scale, and a
one-line help. :func:`coerce` turns a Python value *or typed text* into a valid value, or raises
:class:`ConfigError` with a one-line message that names the parameter, the value given and what is allowed.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np

from lrtui.printable import MAX_ECHO, cut, shown

MAX_EPOCHS = 10_000_000
"""The longest schedule lrtui evaluates: the upper bound of every epoch-count parameter."""

MAX_SIM_EPOCHS = 1_000_000
"""The longest run simulated (its trace takes about 100 MB)."""

APP_MAX_EPOCHS = 100_000
"""The longest run the app simulates and shows."""


class ConfigError(ValueError):
    """A bad parameter or configuration. ``str(err)`` is one line naming the parameter and what is allowed."""


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    kind is one of ``float``, ``int``, ``bool``, ``choice``, ``int_list``, ``specs`` (a list of nested
    ``{"name": ..., "params": {...}}`` schedule specs, checked in depth by the composition that holds them).
    ``low``/``high`` bound numbers (and every element of an ``int_list``); ``low_open``/``high_open`` make
    a bound exclusive. ``optional`` admits ``None`` (typed as ``none``, or as ``unset`` where a parameter names
    what not setting it means: ``seeds=auto``), meaning "not set".
    """

    name: str
    kind: str
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    log: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False
    unset: str = "none"  # the word for None, shown and typed (an optional parameter also takes "none")

    def allowed(self) -> str:
        """What values are allowed, as text for error messages and ``lrtui list``."""
        if self.kind == "bool":
            text = "true or false"
        elif self.kind == "choice":
            text = "one of " + ", ".join(self.choices)
        else:
            if self.kind == "specs":
                return 'a non-empty list of {"name": ..., "params": {...}} schedule specs'
            noun = {"float": "a number", "int": "an integer", "int_list": "a list of integers"}[self.kind]
            lo = "-inf" if self.low is None else _fmt(self.low)
            hi = "inf" if self.high is None else _fmt(self.high)
            left = "(" if self.low_open or self.low is None else "["
            right = ")" if self.high_open or self.high is None else "]"
            text = f"{noun} in {left}{lo}, {hi}{right}"
        if self.optional:
            text += f" or {self.unset}"
        return text

    def error(self, value: Any, prefix: str = "") -> ConfigError:
        """The one error for a value this parameter does not allow."""
        return ConfigError(f"{prefix}{self.name}={format_value(value)} is not allowed: {self.allowed()}")

    def in_range(self, x: float) -> bool:
        """Whether the number x lies within the declared bounds."""
        if not isinstance(x, int) and not math.isfinite(x):  # an int is finite (and may be too large for a float)
            return False
        if self.low is not None and (x < self.low or (self.low_open and x == self.low)):
            return False
        if self.high is not None and (x > self.high or (self.high_open and x == self.high)):
            return False
        return True


def _fmt(x: float) -> str:
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def format_value(value: Any) -> str:
    """A value as a user would type it (lists comma-separated, booleans lower-case), always on one short
    line: a long value is cut in its middle (:func:`lrtui.printable.cut`)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, (list, tuple, dict)) for v in value):
            return cut(_json(value))
        return cut(",".join(format_value(v) for v in value[:MAX_ECHO]))
    if isinstance(value, dict):
        return cut(_json(value))
    if isinstance(value, float):
        return _fmt(value) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, int) and value.bit_length() > 4 * MAX_ECHO:  # str() refuses past 4,300 digits
        return f"an integer of about {round(value.bit_length() * math.log10(2)):,} digits"
    text = str(value)
    return cut(shown(text))


def _json(value: Any) -> str:
    import json

    return json.dumps(value, default=str)


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
# Numbers as typed: ASCII digits only (Python's float() would also take "1_000" and other scripts' digits).
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity|nan)", re.IGNORECASE | re.ASCII)


def _parse_number(text: str) -> float | int | None:
    """An int or float from typed text, or None when the text is not a plain number."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return int(text)
    except ValueError:
        return float(text)


def _as_int(param: Param, value: Any, prefix: str) -> int:
    original = value
    if isinstance(value, bool):
        raise param.error(original, prefix)
    if isinstance(value, str):
        value = _parse_number(value)
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value) or not float(value).is_integer():
            raise param.error(original, prefix)
        return int(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    raise param.error(original, prefix)


def _as_float(param: Param, value: Any, prefix: str) -> float:
    original = value
    if isinstance(value, str):
        value = _parse_number(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise param.error(original, prefix)
    try:
        return float(value)
    except OverflowError:  # an int too large for a float
        raise param.error(original, prefix) from None


def _as_specs(param: Param, value: Any, prefix: str) -> tuple[dict[str, Any], ...]:
    if isinstance(value, str):
        import json

        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested deeper than Python recurses
            raise param.error(value, prefix) from None
    if not isinstance(value, (list, tuple)) or not value:
        raise param.error(value, prefix)
    specs = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            item = {"name": item}
        if (
            not isinstance(item, Mapping)
            or not isinstance(item.get("name"), str)
            or not isinstance(item.get("params", {}), Mapping)
            or set(item) - {"name", "params"}
        ):
            raise ConfigError(f"{prefix}{param.name}[{i}] is not a schedule spec: allowed {param.allowed()}")
        specs.append({"name": item["name"], "params": dict(item.get("params", {}))})
    return tuple(specs)


def coerce(param: Param, value: Any, prefix: str = "") -> Any:
    """Return ``value`` as a valid value of ``param`` (text is parsed), or raise :class:`ConfigError`.

    ``prefix`` is put before the parameter's name in messages (``"schedulers[1]."`` for nested specs).
    """
    if param.optional and (value is None or (isinstance(value, str) and value.strip().lower() in ("", "none",
                                                                                                  param.unset))):
        return None
    if param.kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise param.error(value, prefix)
    if param.kind == "choice":
        if isinstance(value, str) and value.strip() in param.choices:
            return value.strip()
        raise param.error(value, prefix)
    if param.kind == "int_list":
        if isinstance(value, str):
            text = value.strip()
            items: Iterable[Any] = re.split(r"\s*,\s*|\s+", text) if text else []
            if "" in items:  # "30,,60" or a trailing comma: a typo, not an empty slot
                raise param.error(value, prefix)
        elif isinstance(value, (list, tuple)):
            items = value
        else:
            raise param.error(value, prefix)
        out = []
        for item in items:
            try:
                n = _as_int(param, item, prefix)
            except ConfigError:
                raise param.error(value, prefix) from None
            if not param.in_range(n):
                raise param.error(value, prefix)
            out.append(n)
        return tuple(out)
    if param.kind == "specs":
        return _as_specs(param, value, prefix)
    if param.kind == "int":
        n = _as_int(param, value, prefix)
        if not param.in_range(n):
            raise param.error(value, prefix)
        return n
    if param.kind == "float":
        x = _as_float(param, value, prefix)
        if not param.in_range(x):
            raise param.error(value, prefix)
        return x
    raise AssertionError(f"unknown parameter kind {param.kind!r}")  # a declaration bug, not user input


def meant(name: str, names: Iterable[str]) -> str:
    """`` (did you mean T_max?)`` where ``name`` is close to one of ``names`` (letters' case and ``_`` aside
    first: Tmax, t_max; then difflib's closeness), else ''."""
    names = list(names)
    plain = {n.lower().replace("_", ""): n for n in names}
    close = plain.get(name.lower().replace("_", "")) or next(iter(difflib.get_close_matches(name, names, n=1)), None)
    return f" (did you mean {close}?)" if close else ""


def resolve(
    params: Iterable[Param], given: Mapping[str, Any], owner: str, prefix: str = ""
) -> dict[str, Any]:
    """Validate the ``given`` values against the declarations and fill in defaults.

    Unknown names are errors: a typo must never be ignored silently.
    """
    declared = {p.name: p for p in params}
    for name in given:
        if name not in declared:
            raise ConfigError(
                f"{prefix}{cut(str(name))} is not a parameter of {owner}{meant(str(name), declared)}: allowed "
                + (", ".join(declared) if declared else "no parameters")
            )
    return {name: coerce(p, given[name], prefix) if name in given else p.default for name, p in declared.items()}
