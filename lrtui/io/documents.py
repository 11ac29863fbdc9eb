"""JSON and TOML documents from files a user hands lrtui (sessions, schedule specs), parsed safely.

The text is measured before it is parsed, because a parser's cost is not bounded by the text's size:
``tomllib`` is quadratic in the parts of a dotted key (one key ``a.a.a...b`` of 80 KB takes 23 s and
6 GB), and both parsers recurse once per level of nesting. A document is refused, in a few milliseconds a
megabyte, when it nests deeper than :data:`MAX_DEPTH`, has a dotted key of more than :data:`MAX_KEY_PARTS`
parts, or more than :data:`MAX_KEYS` keys; lrtui's own files stay far inside all three.

>>> parse_document('x = {a = 1}', "TOML")
{'x': {'a': 1}}
>>> parse_document('a' + '.a' * 100 + ' = 1', "TOML")
Traceback (most recent call last):
...
lrtui.io.documents.DocumentError: a dotted key has more than 8 parts: allowed at most 8
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import numpy as np

MAX_DEPTH = 32
"""Tables and arrays nested deeper than this are refused (a session nests about 6 deep)."""

MAX_KEY_PARTS = 8
"""A TOML dotted key (``a.b.c``) of more parts than this is refused (lrtui writes none)."""

MAX_KEYS = 10_000
"""A document with more keys than this is refused (a session with six pinned runs has about 200)."""


class DocumentError(ValueError):
    """Text that is not a document lrtui reads: one line saying why."""


# Strings and comments, each found in one pass. A pattern that can fail after a long match is tried again
# from every quote: `"\\"\\"\\...` of 40 KB took 5 s (found by a probe). So once a string opens, its
# possessive loop takes everything up to its closing quote, and a string left open runs to the end of its
# line (or of the text): it never fails, and the parser then says what is wrong.
_JSON_STRINGS = re.compile(r'"(?:[^"\\]++|\\.|\\\Z)*+(?:"|\Z)', re.DOTALL)
_TOML_STRINGS = re.compile(
    r'"""(?:[^"\\]++|\\.|\\\Z|"(?!""))*+(?:"""|\Z)|' r"'''(?:[^']++|'(?!''))*+(?:'''|\Z)|"
    r'"(?:[^"\\\n]++|\\.|\\\Z)*+(?:"|$)|' r"'[^'\n]*+(?:'|$)|" r"#[^\n]*+", re.DOTALL | re.MULTILINE)
_DOTTED = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]++(?:[ \t]*+\.[ \t]*+[A-Za-z0-9_-]++){%d}" % MAX_KEY_PARTS)
_BRACKETS = re.compile(r"[^\[\]{}]+")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_text(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys too) replaced by U+FFFD; nesting is bounded
    by MAX_DEPTH already."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_valid_text(v) for v in value]
    if isinstance(value, dict):
        return {_valid_text(k): _valid_text(v) for k, v in value.items()}
    return value


def check_shape(text: str, kind: str) -> None:
    """Refuse ``text`` (``kind`` "JSON" or "TOML") whose parse could cost far more than its size
    (:class:`DocumentError`). Strings and comments are left out of the count; what they hold is data."""
    strings = _TOML_STRINGS if kind == "TOML" else _JSON_STRINGS
    bare = strings.sub(lambda m: "" if m.group().startswith("#") else "s", text)
    if kind == "TOML" and _DOTTED.search(bare):
        raise DocumentError(f"a dotted key has more than {MAX_KEY_PARTS} parts: allowed at most {MAX_KEY_PARTS}")
    brackets = np.frombuffer(_BRACKETS.sub("", bare).encode("ascii"), dtype=np.uint8)
    if brackets.size:
        depth = int(np.cumsum(np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1)).max())
        if depth > MAX_DEPTH:
            raise DocumentError(f"it nests {depth} deep: allowed at most {MAX_DEPTH}")
    keys = bare.count("=" if kind == "TOML" else ":")
    if keys > MAX_KEYS:
        raise DocumentError(f"it has {keys:,} keys: allowed at most {MAX_KEYS:,}")


def parse_document(text: str, kind: str) -> Any:
    """The JSON or TOML document in ``text``, checked by :func:`check_shape` first, its text made valid (a
    JSON escape such as ``\\ud800``, half of a surrogate pair, is U+FFFD: no file can put text in lrtui that
    it cannot write again). Any fault is one :class:`DocumentError` line: ``is not valid TOML: ...`` and the
    like.

    >>> parse_document('{"note": "\\ud800!"}', "JSON")
    {'note': '\ufffd!'}
    """
    check_shape(text, kind)
    try:
        return _valid_text(json.loads(text) if kind == "JSON" else tomllib.loads(text))
    except RecursionError:  # (within MAX_DEPTH this does not happen; kept as a last guard)
        raise DocumentError(f"it nests too deeply: allowed at most {MAX_DEPTH}") from None
    except ValueError as err:  # TOMLDecodeError and JSONDecodeError are ValueErrors
        reason = (str(err).splitlines() or ["?"])[0]
        if "int_max_str_digits" in reason:  # Python's own hint names a function a user cannot call
            reason = "an integer has more than 4,300 digits"
        elif reason.startswith("Cannot overwrite a value"):  # tomllib's words for a key given twice
            reason = reason.replace("Cannot overwrite a value", "a key is given twice (keep one)", 1)
        raise DocumentError(f"is not valid {kind}: {reason}") from None
