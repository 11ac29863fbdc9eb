"""``lrtui screenshot``: run the app headless, press keys, save Textual's own SVG screenshot."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lrtui.io.files import write_atomic
from lrtui.ui.app import LrtuiApp
from lrtui.plotting.terminal import Options

SETTLE_TIMEOUT = 30.0


async def settle(app: LrtuiApp, pilot) -> None:
    """Wait until no simulation is running or waiting and the screen has caught up."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_TIMEOUT
    await pilot.pause()
    while app.busy and loop.time() < deadline:
        await asyncio.sleep(0.01)
    await pilot.pause()
    await pilot.pause()


async def render_svg(start: dict, options: Options, size: tuple[int, int], keys: list[str]) -> str:
    """The app opened on ``start`` (LrtuiApp's keyword arguments: config, pinned, preset...) as an SVG."""
    app = LrtuiApp(options=options, **start)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        return app.export_screenshot(title="lrtui")


def take_screenshot(start: dict, options: Options, path: Path, size: tuple[int, int], keys: list[str]) -> None:
    """Write the SVG atomically (a temporary file, then a rename)."""
    svg = asyncio.run(render_svg(start, options, size, keys))
    write_atomic(path.resolve(), svg.encode("utf-8"))
