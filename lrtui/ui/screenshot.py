"""``lrtui screenshot``: run the app headless, press keys, save Textual's own SVG screenshot, which needs
nothing from the internet (:func:`offline_fonts`)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from lrtui.io.files import write_atomic
from lrtui.ui.app import LrtuiApp, make_app
from lrtui.ui.start import Start

SETTLE_TIMEOUT = 30.0

MONOSPACE = ('"Fira Code", ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", '
             "monospace")
"""The screenshots' font: Fira Code where it is installed (Rich's choice), else the system's own monospace font.
Rich places each run of text at its column and stretches it to its width (``textLength``), so any monospace
font keeps the grid."""
FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}\s*")
MATRIX_FONT = re.compile(r"(-matrix\s*\{[^}]*?font-family:)[^;]*;")


class Unsettled(TimeoutError):
    """The app was still simulating when :func:`settle` gave up (the message says what the screen showed)."""


async def settle(app: LrtuiApp, pilot, timeout: float = SETTLE_TIMEOUT) -> None:
    """Wait until no simulation is running or waiting and the screen has caught up; raise :class:`Unsettled`,
    with the status line, if a simulation still runs after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    await pilot.pause()
    while app.busy:
        if loop.time() >= deadline:
            raise Unsettled(f"the app was still simulating after {timeout:g} s; its status line: {_status(app)!r}")
        await asyncio.sleep(0.01)
    await pilot.pause()
    await pilot.pause()


def _status(app: LrtuiApp) -> str:
    try:
        return str(app.screen.query_one("#status").render())
    except Exception as err:  # (another screen is on top, or the app has not composed yet)
        return f"(none: {type(err).__name__})"


async def render_svg(start: Start, size: tuple[int, int], keys: list[str]) -> str:
    """The app opened on ``start`` (its run, pinned runs, preset..., and its look) as an SVG. A run still
    simulating after SETTLE_TIMEOUT is taken as it shows (its progress on the status line)."""
    app = make_app(start)
    async with app.run_test(size=size) as pilot:
        for key in [None, *keys]:
            if key is not None:
                await pilot.press(key)
            try:
                await settle(app, pilot)
            except Unsettled:
                pass
        return offline_fonts(app.export_screenshot(title="lrtui"))


def offline_fonts(svg: str) -> str:
    """Rich's SVG with its fonts from the computer showing it: Rich declares Fira Code with a web font from a
    CDN, which a lab or a plane without internet cannot load (it showed another font, after a wait). Embedding
    Fira Code (its regular and bold woff2, 211 KB, 281 KB as base64) would make every screenshot four times
    larger; the ``@font-face`` rules go, and the text asks for :data:`MONOSPACE`."""
    return MATRIX_FONT.sub(lambda m: f"{m.group(1)} {MONOSPACE};", FONT_FACE.sub("", svg))


def take_screenshot(start: Start, path: Path, size: tuple[int, int], keys: list[str]) -> None:
    """Write the SVG atomically (a temporary file, then a rename)."""
    svg = asyncio.run(render_svg(start, size, keys))
    write_atomic(path.resolve(), svg.encode("utf-8"))
