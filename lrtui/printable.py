"""Text from a user, a file or an error, made safe to show on a terminal: one printable line of bounded length.

A value echoed in a message is cut in its middle (:func:`cut`), a whole message at :data:`MAX_MESSAGE`
characters (:func:`one_line`); control characters (a newline, an escape sequence that would set the
terminal's title) are shown escaped, as Python writes them, never sent as they are.

>>> one_line("optimizer=\\x1b]0;PWNED\\x07 is unknown")
'optimizer=\\\\x1b]0;PWNED\\\\x07 is unknown'
>>> cut("1" * 100)
'1111111111111111111111111...111111111111111 (100 characters)'
"""

from __future__ import annotations

MAX_MESSAGE = 200
"""The longest one-line message lrtui prints or shows."""

MAX_ECHO = 60
"""The longest value a message echoes whole."""

ELLIPSIS = "..."  # ASCII: it must show on any terminal


def escaped(text: str) -> str:
    """``text`` with every non-printable character written as its escape (``\\x1b``, ``\\n``)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def shown(text: str) -> str:
    """``text`` as it is, or as Python writes it (quoted, escaped) when it holds a control character: a file
    name or a value a message names."""
    return text if text.isprintable() else repr(text)


def cut(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` (escaped) whole when it is at most ``limit`` characters, else its start and end around an
    ellipsis, with its length."""
    text = escaped(text)
    if len(text) <= limit:
        return text
    tail = f"{ELLIPSIS}{text[-(limit // 4):]} ({len(text):,} characters)"
    return text[: max(limit - len(tail), 8)] + tail


def one_line(message: str, limit: int = MAX_MESSAGE) -> str:
    """``message`` as one printable line of at most ``limit`` characters (cut at the end, with an ellipsis)."""
    text = escaped(str(message))
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS
