"""The App's comparison keys: p pins the run on screen (p again on its exact settings unpins it), u unpins the
last, U all, b shows or hides the scoreboard, which opens by itself with the first pin where there is room.

:class:`PinActions` is a part of :class:`~lrtui.ui.app.LrtuiApp` (a mixin): it changes the App's ``pinned``
(lrtui/ui/comparison.py) and ``show_board`` and redraws the plots and the scoreboard.
"""

from __future__ import annotations

from lrtui.analysis.compare import describe
from lrtui.app_settings import MAX_PINNED

BOARD_MIN_ROWS = 30  # the scoreboard opens by itself only on terminals at least this tall


class PinActions:
    """Pinning runs to compare, and the scoreboard."""

    def action_pin(self) -> None:
        """Pin the run on screen so it stays while you edit; pressing p on a pinned run's exact settings
        unpins it."""
        if self.trace is None:
            return
        config = self.trace.config
        if config in self.pins:
            self._unpin(self.pins.index(config))
            return
        if self.pinned.full:
            self.notify(f"{MAX_PINNED} runs are pinned: unpin one (u: the last, U: all) first", timeout=3)
            return
        self.pinned.add(config, self.trace)
        hint = ""
        if len(self.pins) == 1 and not self._open_board_if_room():
            hint = "  (b: the scoreboard)"
        self.notify(f"pinned #{len(self.pins)}: {describe(config)}{hint}", timeout=2)
        self.mutate_reactive(type(self).pinned)

    def _show_pinned(self) -> None:
        """Runs pinned by a preset or a session: the board where there is room, else a word on b."""
        if not self._open_board_if_room():
            self.notify(f"{len(self.pins)} pinned: b opens the scoreboard", timeout=3)

    def _open_board_if_room(self) -> bool:
        """The scoreboard opens with the first pinned run where the terminal has the rows for it beside two
        readable plots; on a smaller one the loss plot's legend names the runs and b opens the board.
        Whether it opened."""
        self.show_board = self.size.height >= BOARD_MIN_ROWS
        return self.show_board

    def action_unpin(self) -> None:
        """Unpin the last pinned run."""
        if self.pins:
            self._unpin(len(self.pins) - 1)

    def action_clear_pins(self) -> None:
        if self.pins:
            self.pinned.clear()
            self.mutate_reactive(type(self).pinned)

    def _unpin(self, index: int) -> None:
        self.pinned.remove(index)
        self.mutate_reactive(type(self).pinned)

    def action_board(self) -> None:
        """Show or hide the scoreboard."""
        self.show_board = not self.show_board

    def watch_pinned(self) -> None:
        """A run pinned or unpinned (or another set loaded): both plots and the board."""
        self._redraw_comparison()

    def watch_show_board(self, show: bool) -> None:
        """The board shown or hidden: the loss plot's legend names the runs where the board does not."""
        self.board.display = show
        self.call_after_refresh(self._focused_into_view)
        self._redraw_comparison()

    def _redraw_comparison(self) -> None:
        self._draw_plots()
        self._update_cursor()
        self._update_board()
