"""The epoch cursor's keys: left and right step, shift+left and shift+right ten, home and end jump, space plays
and pauses, < and > change the speed. No Textual here: the App hands :class:`Cursor` its epoch and timer.
"""

from __future__ import annotations

from typing import Callable

from lrtui.ui.playback import Playback


class Cursor:
    """Moving the epoch cursor, by a key or by playing.

    Called by the App's routes (``action_step`` is :meth:`step`, ``action_jump`` :meth:`jump`, ``action_play``
    :meth:`play`, ``action_pause`` :meth:`pause`, ``action_speed`` :meth:`faster`). It calls what it is handed:
    ``epoch()`` and ``move(epoch)``, the App's ``epoch`` reactive (its watcher places the cursor);
    ``last_epoch()``, the run on screen's; its :class:`Playback` (on ``set_interval``), which tells ``changed()``
    when playing starts or stops; ``status()``, the status line redrawn; ``notify``."""

    def __init__(self, epoch: Callable[[], int], move: Callable[[int], None], last_epoch: Callable[[], int],
                 set_interval: Callable, changed: Callable[[], None], status: Callable[[], None],
                 notify: Callable[..., None]) -> None:
        self._epoch, self._move, self._last_epoch = epoch, move, last_epoch
        self._status, self._notify = status, notify
        self.playback = Playback(set_interval, move, last_epoch, changed)

    def step(self, delta: int) -> None:
        """``delta`` epochs on, within the run."""
        self._move(min(max(self._epoch() + delta, 0), self._last_epoch()))

    def jump(self, where: int) -> None:
        """To the first epoch (``where`` 0) or the last."""
        self._move(0 if where == 0 else self._last_epoch())

    def play(self) -> None:
        if self.playback.playing:
            self.playback.stop()
        else:
            self.playback.play(self._epoch())

    def pause(self) -> None:
        self.playback.stop()

    def faster(self, delta: int) -> None:
        """< and >: the playback speed, ``delta`` steps along SPEEDS; paused, a word on what space will play at."""
        self.playback.faster(delta)
        self._status()  # (playing, the status line shows the speed)
        if not self.playback.playing:
            self._notify(f"playback speed {self.playback.speed} epochs/s (space plays)", timeout=1.5)

    @property
    def playing_at(self) -> int | None:
        """The speed while playing (the status line shows it), else None."""
        return self.playback.speed if self.playback.playing else None
