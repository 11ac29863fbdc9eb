"""``lrtui screenshot``: run the app headless, press keys, save Textual's own SVG screenshot."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from lrtui.simulate import RunConfig
from lrtui.ui.app import LrtuiApp, Options

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


async def render_svg(config: RunConfig, options: Options, size: tuple[int, int], keys: list[str]) -> str:
    app = LrtuiApp(config, options)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        return app.export_screenshot(title="lrtui")


def take_screenshot(config: RunConfig, options: Options, path: Path, size: tuple[int, int], keys: list[str]) -> None:
    """Write the SVG atomically (a temporary file, then a rename)."""
    svg = asyncio.run(render_svg(config, options, size, keys))
    path = path.resolve()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(svg)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a screenshot is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
