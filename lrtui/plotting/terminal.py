"""What the terminal can show: braille (a UTF-8 locale, a font with it), colour, its size; and the
:class:`Options` the app draws with, read from them."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass


def locale_is_utf8(environ: dict | None = None) -> bool:
    """Whether the terminal's locale can show braille (a LANG=C client shows it as '_').

    The POSIX order decides: LC_ALL, then LC_CTYPE, then LANG. Python itself writes LC_CTYPE=C.UTF-8
    over a C locale at start-up (PEP 538), which says nothing of the terminal, so that value counts only
    when LANG agrees.
    """
    env = os.environ if environ is None else environ
    utf8 = lambda value: "UTF-8" in value.upper() or "UTF8" in value.upper()  # noqa: E731
    if env.get("LC_ALL"):
        return utf8(env["LC_ALL"])
    ctype, lang = env.get("LC_CTYPE"), env.get("LANG", "")
    coerced = ctype is not None and ctype.upper() in ("C.UTF-8", "C.UTF8") and lang.upper() in ("", "C", "POSIX")
    if ctype and not coerced:
        return utf8(ctype)
    return utf8(lang)


def shows_braille(environ: dict | None = None) -> bool:
    """Whether the terminal can show braille: a UTF-8 locale, and not the Linux console (TERM=linux, whose
    font has none) or a dumb terminal. Else the app and ``--plot`` draw plain ASCII."""
    env = os.environ if environ is None else environ
    return env.get("TERM", "") not in ("linux", "dumb") and locale_is_utf8(env)


def use_colour(stream=None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    stream = sys.stdout if stream is None else stream
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def terminal_size() -> tuple[int, int]:
    """Columns and rows of the terminal (COLUMNS / LINES when set), at least 20 x 8."""
    cols, rows = shutil.get_terminal_size((80, 24))
    return max(cols, 20), max(rows, 8)


@dataclass(frozen=True)
class Options:
    """How the app draws: plain ASCII (no braille, no box drawing), monochrome (NO_COLOR)."""

    ascii: bool = False
    mono: bool = False

    @classmethod
    def from_environment(cls, ascii: bool = False) -> "Options":
        """ASCII when asked, when the locale cannot show braille, or on a terminal whose font has none (the
        Linux console, TERM=linux; a dumb terminal); monochrome when NO_COLOR is set."""
        return cls(ascii=ascii or not shows_braille(), mono="NO_COLOR" in os.environ)

    @classmethod
    def for_browser(cls, ascii: bool = False) -> "Options":
        """A browser session (lrtui serve): xterm.js is UTF-8 and has braille whatever the server's locale
        (a server under systemd or Docker often has none); monochrome when the server has NO_COLOR."""
        return cls(ascii=ascii, mono="NO_COLOR" in os.environ)
