"""The comparison keys: p pins the run on screen (p again on its exact settings unpins it), u unpins the last,
U all, b shows or hides the scoreboard, which opens by itself with the first pin where there is room.

:class:`Pinning` changes the pinned runs it is handed (:class:`~lrtui.ui.comparison.Pinned`) and says so;
it never draws: the App's watchers of ``pinned`` and ``show_board`` redraw the plots and the board. No Textual
here.
"""

from __future__ import annotations

from typing import Callable

from lrtui.analysis.compare import describe
from lrtui.app_settings import MAX_PINNED
from lrtui.ui.comparison import Pinned
from lrtui.ui.shown import Shown

BOARD_MIN_ROWS = 30  # the scoreboard opens by itself only on terminals at least this tall


class Pinning:
    """Pinning runs to compare, and the scoreboard shown or hidden.

    Called by the App's routes (``action_pin`` is :meth:`pin`, ``action_unpin`` :meth:`unpin`,
    ``action_clear_pins`` :meth:`clear`, ``action_board`` :meth:`toggle_board`) and by the App when runs open
    with pinned ones (:meth:`show_pinned`). It calls what it is handed: ``pinned()`` and ``shown()``, the App's
    pinned runs and the run on screen; ``changed()`` after changing the pinned runs in place (the App's
    ``mutate_reactive(pinned)``: its watcher redraws); ``board_shown()`` and ``show_board(bool)``, the App's
    ``show_board`` reactive; ``rows()``, the terminal's height; ``notify``."""

    def __init__(self, pinned: Callable[[], Pinned], shown: Callable[[], Shown | None], changed: Callable[[], None],
                 board_shown: Callable[[], bool], show_board: Callable[[bool], None], rows: Callable[[], int],
                 notify: Callable[..., None]) -> None:
        self._pinned, self._shown, self._changed = pinned, shown, changed
        self._board_shown, self._show_board, self._rows = board_shown, show_board, rows
        self._notify = notify

    def pin(self) -> None:
        """Pin the run on screen so it stays while you edit; pressing p on a pinned run's exact settings
        unpins it."""
        shown, pinned = self._shown(), self._pinned()
        if shown is None:
            return
        config = shown.config
        if config in pinned.configs:
            self._unpin(pinned.configs.index(config))
            return
        if pinned.full:
            self._notify(f"{MAX_PINNED} runs are pinned: unpin one (u: the last, U: all) first", timeout=3)
            return
        pinned.add(config, shown.trace)
        hint = ""
        if len(pinned) == 1 and not self._open_board_if_room():
            hint = "  (b: the scoreboard)"
        self._notify(f"pinned #{len(pinned)}: {describe(config)}{hint}", timeout=2)
        self._changed()

    def show_pinned(self) -> None:
        """Runs pinned by a preset or a session: the board where there is room, else a word on b."""
        if not self._open_board_if_room():
            self._notify(f"{len(self._pinned())} pinned: b opens the scoreboard", timeout=3)

    def _open_board_if_room(self) -> bool:
        """The scoreboard opens with the first pinned run where the terminal has the rows for it beside two
        readable plots; on a smaller one the loss plot's legend names the runs and b opens the board.
        Whether it opened."""
        self._show_board(self._rows() >= BOARD_MIN_ROWS)
        return self._board_shown()

    def unpin(self) -> None:
        """Unpin the last pinned run."""
        if self._pinned():
            self._unpin(len(self._pinned()) - 1)

    def clear(self) -> None:
        """Unpin them all."""
        if self._pinned():
            self._pinned().clear()
            self._changed()

    def _unpin(self, index: int) -> None:
        self._pinned().remove(index)
        self._changed()

    def toggle_board(self) -> None:
        """Show or hide the scoreboard."""
        self._show_board(not self._board_shown())
