"""The Textual driver of a browser session: Textual's web driver, ending the app when its input ends.

textual-serve talks to each session's app through the app's stdin and stdout. If the server dies without
telling the app (killed with SIGKILL, or the machine's OOM killer), the app's stdin reaches its end, and
Textual's web driver just stops reading: the app would stay, orphaned, for ever. This driver posts the same
exit as q when that happens.

Textual's web driver also starts the app blurred (no field focused, the plots' keys in the footer), and
the page's own focus reaches the app only once the websocket is open, later: the first key then lands in
a field the footer did not show. The page focuses the terminal at once, so a session starts focused.

A file the app delivers (a save, an export) stays open until the page has fetched it; a page that never does
(downloads blocked, a script) would leave every one open, up to the process's limit on open files. At most
:data:`OPEN_DELIVERIES` files not yet fetched are kept: a new one closes the oldest unread one (the server
forgets the same, lrtui.serve.downloads).

Two threads write to the app's stdout: Textual's writer thread (the screen) and the input thread (the chunks of
a file the page fetches, 64 KB each). A pipe keeps a write whole only up to PIPE_BUF (4 KB): when the server
reads slowly (a loaded machine), a chunk and a screen update came out interleaved, the server could not read
the chunk, and the student's download ended short. Every write here goes out whole, one at a time
(:class:`WholeWrites`).

The server may send a notice of its own (the session's end is near): it is shown as a notification.

Textual's web driver posts the app its first size (the one the page asked for in its websocket's address)
through the loop, a step later than the input thread posts a size the page sends: a page resized while its
session started (its keys and sizes wait for the websocket to open, then come at once) had its new size
overtaken by the old one, and the app drew at the old size in the new terminal. Sizes from the page go
the first size's way here, after it.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import IO

from textual import events, messages
from textual.drivers.web_driver import WebDriver
from textual.geometry import Size

from lrtui.serve.lifetimes import WARNING_SHOWN_SECONDS

OPEN_DELIVERIES = 4
"""Files delivered to the page and not yet fetched that a session keeps open."""


def forget_unread(deliveries: dict[str, IO], keep: int = OPEN_DELIVERIES) -> list[str]:
    """Close and forget the oldest deliveries never read from, until at most ``keep`` are left unread (one being
    read is never closed); the keys forgotten."""
    unread = [key for key, file in deliveries.items() if not file.closed and file.tell() == 0]
    forgotten = unread[: max(0, len(unread) - keep)]
    for key in forgotten:
        deliveries.pop(key).close()
    return forgotten


class WholeWrites:
    """Writes to a file descriptor from any thread, each going out whole before the next starts (``os.write``
    may write part of its bytes; two threads' writes to a pipe beyond PIPE_BUF interleave)."""

    def __init__(self, fileno: int) -> None:
        self.fileno = fileno
        self.lock = threading.Lock()

    def __call__(self, data: bytes) -> None:
        with self.lock:
            left = memoryview(data)
            while left:
                left = left[os.write(self.fileno, left):]


class SessionDriver(WebDriver):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._write = WholeWrites(self.fileno)  # (Textual's: os.write, from two threads)

    def start_application_mode(self) -> None:
        self._loop = asyncio.get_running_loop()
        super().start_application_mode()  # ends by posting AppBlur (later): AppFocus after it
        self._app.call_later(self._app.post_message, events.AppFocus())

    def run_input_thread(self) -> None:
        try:
            super().run_input_thread()
        finally:
            if not self.exit_event.is_set():  # the input ended, not the app: the server is gone
                self._app.post_message(messages.ExitApp())

    def on_meta(self, packet_type: str, payload: dict[str, object]) -> None:
        """Textual's (a new size posted after the first: see the module), and the server's notices (the
        session's end near: :mod:`lrtui.serve.lifetimes`), shown as a warning notification (Textual's notify may
        be called from this thread, the input's)."""
        if packet_type == "notice":
            self._app.notify(str(payload.get("text", ""))[:300], severity="warning", markup=False,
                             timeout=WARNING_SHOWN_SECONDS)
            return
        if packet_type == "resize":  # (as Textual's, by the way its first size went: after it)
            self._size = (payload["width"], payload["height"])
            size = Size(*self._size)
            asyncio.run_coroutine_threadsafe(self._app._post_message(events.Resize(size, size)), self._loop)
            return
        super().on_meta(packet_type, payload)

    def _deliver_file(self, binary, **options) -> None:
        forget_unread(self._deliveries, OPEN_DELIVERIES - 1)  # (before the page hears of the new one: room for it)
        super()._deliver_file(binary, **options)
