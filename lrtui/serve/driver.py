"""The Textual driver of a browser session: Textual's web driver, ending the app when its input ends.

textual-serve talks to each session's app through the app's stdin and stdout. If the server dies without
telling the app (killed with SIGKILL, or the machine's OOM killer), the app's stdin reaches its end, and
Textual's web driver just stops reading: the app would stay, orphaned, for ever. This driver posts the same
exit as q when that happens.
"""

from __future__ import annotations

from textual import messages
from textual.drivers.web_driver import WebDriver


class SessionDriver(WebDriver):
    def run_input_thread(self) -> None:
        try:
            super().run_input_thread()
        finally:
            if not self.exit_event.is_set():  # the input ended, not the app: the server is gone
                self._app.post_message(messages.ExitApp())
