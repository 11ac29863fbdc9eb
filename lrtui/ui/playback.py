"""Playing a run: the epoch cursor moves on by itself at one of :data:`SPEEDS` epochs a second, drawn
:data:`FRAME_RATE` times a second, and stops at the last epoch (space plays and pauses, < and > change the
speed). No Textual here: the app hands it its timer and the cursor."""

from __future__ import annotations

from typing import Callable

SPEEDS = (5, 10, 30, 100, 300, 1000, 3000, 10000)  # epochs per second during playback
FRAME_RATE = 30


class Playback:
    """``set_interval(seconds, tick)`` starts a repeating timer and returns it (with ``stop()``);
    ``move(epoch)`` moves the cursor; ``last_epoch()`` is the run's last (a new run may come in while it
    plays); ``changed()`` is told when playing starts or stops (the status line and the footer say which)."""

    def __init__(self, set_interval: Callable[[float, Callable[[], None]], object], move: Callable[[int], None],
                 last_epoch: Callable[[], int], changed: Callable[[], None]) -> None:
        self._set_interval = set_interval
        self._move = move
        self._last_epoch = last_epoch
        self._changed = changed
        self.speed_index = 3
        self._timer = None
        self._position = 0.0

    @property
    def playing(self) -> bool:
        return self._timer is not None

    @property
    def speed(self) -> int:
        """Epochs a second."""
        return SPEEDS[self.speed_index]

    def play(self, epoch: int) -> None:
        """Play from ``epoch`` (from 0 when the cursor is at the end already)."""
        if epoch >= self._last_epoch():
            epoch = 0
            self._move(0)
        self._position = float(epoch)
        self._timer = self._set_interval(1 / FRAME_RATE, self._tick)
        self._changed()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._changed()

    def faster(self, delta: int) -> None:
        """``delta`` steps along :data:`SPEEDS` (negative: slower), within them."""
        self.speed_index = min(max(self.speed_index + delta, 0), len(SPEEDS) - 1)

    def _tick(self) -> None:
        self._position += self.speed / FRAME_RATE
        if self._position >= self._last_epoch():
            self._move(self._last_epoch())
            self.stop()
            return
        self._move(int(self._position))
