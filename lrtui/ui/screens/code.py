"""The code screen: the current schedule and optimizer as torch, transformers or optax code (what ``lrtui code``
prints), to copy to the clipboard (OSC 52, which many SSH terminals block) or write to a file.

The code is never wrapped: a wrapped line on screen reads as two statements, and a mouse selection copies the break
into Python that then fails. Long lines scroll sideways a page at a time (right / left: the view's width less
PAGE_OVERLAP columns, kept for context), and the border says where lines go on ("more →", "← more")."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from lrtui.codegen import FRAMEWORKS, training_code
from lrtui.io.sessions import SessionError
from lrtui.params import ConfigError
from lrtui.io.sandbox import Sandbox
from lrtui.io.run_export import write_new


class CodeScreen(ModalScreen[None]):
    """The run as a training script in one framework (its optimizer, schedule and loop); f switches framework,
    c copies, w writes a file."""

    BINDINGS = [
        Binding("q", "dismiss", "Close"),
        Binding("escape", "dismiss", "Close", show=False),
        Binding("f", "framework", "Framework"),
        Binding("c", "copy", "Copy"),
        Binding("w", "write", "Write file"),
        Binding("down", "scroll(1)", show=False), Binding("up", "scroll(-1)", show=False),
        Binding("pagedown,space", "scroll(10)", show=False), Binding("pageup", "scroll(-10)", show=False),
        # (priority: the focused scroll view's own right / left move one column)
        Binding("right", "page_x(1)", show=False, priority=True),
        Binding("left", "page_x(-1)", show=False, priority=True),
    ]

    PAGE_OVERLAP = 8
    """Columns a sideways page keeps from the last: the eye finds its place again."""

    DEFAULT_CSS = """
    CodeScreen {
        align: center middle;
    }
    CodeScreen > Vertical {
        width: 100%;  /* every column for the code: at 80 columns a line of the loop is already cut */
        height: 1fr;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    CodeScreen.ascii > Vertical {
        border: ascii $accent;
    }
    CodeScreen #code-keys {
        color: $text-muted;
    }
    CodeScreen > Vertical {
        border-subtitle-color: $accent;
    }
    CodeScreen #code-scroll {
        height: 1fr;
    }
    CodeScreen #code {
        width: auto;  /* code is not wrapped: long lines scroll sideways (left / right) */
    }
    """

    def __init__(self, run: Any, sandbox: Sandbox | None = None) -> None:
        """``run``: the run on screen (a Prepared); ``sandbox``: a browser session's files (lrtui serve): w
        writes in its folder, and the file goes to the student's browser."""
        super().__init__()
        self.run = run
        self.spec = run.config.schedule
        self.sandbox = sandbox
        self.directory = sandbox.folder if sandbox is not None else Path(".")
        self.framework = FRAMEWORKS[0]
        self.written: Path | None = None

    @property
    def refusal(self) -> str | None:
        """Why this framework cannot express the schedule (optax and a chain torch steps recursively), or None."""
        try:
            training_code(self.run, self.framework)
        except ConfigError as err:
            return f"no {self.framework} code: {err}"
        return None

    @property
    def code(self) -> str:
        """The code, or, where this framework cannot express the schedule, a comment saying why."""
        refusal = self.refusal
        if refusal:  # narrow enough for the screen at 80 columns (code lines scroll; this is to be read)
            return textwrap.fill(refusal, 66, initial_indent="# ", subsequent_indent="# ") + "\n"
        return training_code(self.run, self.framework)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="code-keys", markup=False)  # the keys stay put while the code scrolls
            with ScrollableContainer(id="code-scroll"):  # (the Footer is a ScrollableContainer too)
                yield Static(id="code", markup=False)
        yield Footer()  # names what q does here: close this view, not quit

    def on_mount(self) -> None:
        self.watch(self.query_one("#code-scroll"), "scroll_x", self._show_position, init=False)
        self._show()

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_position)

    def _show(self) -> None:
        keys = "  ".join(("[" + f + "]" if f == self.framework else f) for f in FRAMEWORKS)
        self.query_one("#code-keys", Static).update(f"{keys}   arrows scroll, left / right a page")
        self.query_one("#code", Static).update(self.code)
        self.call_after_refresh(self._show_position)  # (the new text's width is known after its layout)

    def _show_position(self) -> None:
        """The border's subtitle: "more →" while lines go on to the right, "← more" while columns are hidden on
        the left, nothing where every line fits (ASCII arrows in ASCII mode)."""
        scroll = self.query_one("#code-scroll", ScrollableContainer)
        left, right = ("<- more", "more ->") if self.has_class("ascii") else ("← more", "more →")
        more = [text for text, hidden in ((left, scroll.scroll_x > 0), (right, scroll.scroll_x < scroll.max_scroll_x))
                if hidden]
        self.query_one(Vertical).border_subtitle = "  ".join(more)

    def action_framework(self) -> None:
        self.framework = FRAMEWORKS[(FRAMEWORKS.index(self.framework) + 1) % len(FRAMEWORKS)]
        self._show()
        # another text: from its start
        self.query_one("#code-scroll", ScrollableContainer).scroll_to(0, 0, animate=False)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.code)
        self.app.notify("copied through the terminal (OSC 52; in tmux: set -g set-clipboard on); if nothing "
                        "arrives, w writes a file", timeout=6)

    def action_write(self) -> None:
        """Write the code to lrtui_<schedule>_<framework>.py here, never over an existing file."""
        if self.refusal:
            self.app.notify(self.refusal, severity="error", timeout=5)
            return
        data = self.code.encode()
        try:
            if self.sandbox is not None:  # a lab session's folder is bounded
                self.sandbox.check_room(len(data), "the code file", remedy="copy it with c instead")
            self.written = write_new(self.directory, f"lrtui_{self.spec['name']}_{self.framework}", ".py", data)
        except (SessionError, ConfigError) as err:  # (in a browser session, without the session folder's path)
            self.app.notify(str(err) if self.sandbox is None else self.sandbox.shown(str(err)), severity="error",
                            timeout=5)
            return
        if self.sandbox is not None:
            self.sandbox.deliver(self.written)
            self.app.notify(f"wrote {self.written.name}: your browser downloads it", timeout=4)
            return
        self.app.notify(f"wrote {self.written}", timeout=4)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#code-scroll", ScrollableContainer).scroll_relative(y=lines, animate=False)

    def action_page_x(self, pages: int) -> None:
        """Scroll sideways by ``pages`` pages: the view's width less PAGE_OVERLAP columns each."""
        scroll = self.query_one("#code-scroll", ScrollableContainer)
        width = scroll.scrollable_content_region.width
        scroll.scroll_relative(x=pages * max(1, width - self.PAGE_OVERLAP), animate=False)
