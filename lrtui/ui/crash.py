"""When an unexpected error ends the app: one line on stderr, and the traceback in a file to report (Textual
would print a screenful of it)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from lrtui.printable import one_line


def write_report(renderables: list, error: BaseException | None) -> tuple[Path | None, str]:
    """Write Textual's error ``renderables`` (the traceback) to a new file; return it (None when it cannot be
    written) and the one line to print, which names the error and the file."""
    from rich.console import Console

    what = f"{type(error).__name__}: {error}" if error is not None else "an unexpected error"
    try:
        with tempfile.NamedTemporaryFile("w", prefix="lrtui-crash-", suffix=".txt", delete=False) as f:
            console = Console(file=f, width=100, color_system=None)
            for renderable in renderables:
                console.print(renderable)
        path, where = Path(f.name), f" (the details are in {f.name}: please report it)"
    except OSError:
        path, where = None, ""
    return path, one_line(f"lrtui: internal error: {what}", 160) + where
