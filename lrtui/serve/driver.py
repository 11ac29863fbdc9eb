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
"""

from __future__ import annotations

from typing import IO

from textual import events, messages
from textual.drivers.web_driver import WebDriver

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


class SessionDriver(WebDriver):
    def start_application_mode(self) -> None:
        super().start_application_mode()  # ends by posting AppBlur (later): AppFocus after it
        self._app.call_later(self._app.post_message, events.AppFocus())

    def run_input_thread(self) -> None:
        try:
            super().run_input_thread()
        finally:
            if not self.exit_event.is_set():  # the input ended, not the app: the server is gone
                self._app.post_message(messages.ExitApp())

    def _deliver_file(self, binary, **options) -> None:
        forget_unread(self._deliveries, OPEN_DELIVERIES - 1)  # (before the page hears of the new one: room for it)
        super()._deliver_file(binary, **options)
