"""Workarounds for bugs in the Textual version lrtui runs on, each tested in tests/test_compat.py.

- Textual 8.2.8: PageUp or PageDown in an OptionList whose lines are not laid out yet (zero height: the
  command palette's list while it opens or filters) raises ``KeyError`` in ``OptionList._move_page``, which
  looks the highlighted option up in a line table that ``_update_lines`` leaves empty for a list with no
  size. Paging such a list has nowhere to go, so the guarded version does nothing then.
- Textual 8.2.8: ``Screen.dismiss`` pops whatever screen is on top. Two enters in quick succession on the
  command palette (keys mashed) dismiss it twice: the second pops the app's last screen
  (``ScreenStackError``), or, had the first opened another screen, that one. A screen that is no longer on
  top is already dismissed: the guarded version does nothing for it.
"""

from __future__ import annotations

from functools import wraps

from textual.await_complete import AwaitComplete
from textual.screen import Screen
from textual.widgets import OptionList

_original_move_page = OptionList._move_page


@wraps(_original_move_page)
def _guarded_move_page(self: OptionList, direction) -> None:
    if self.highlighted is not None and self.highlighted not in self._index_to_line:
        return  # not laid out yet: no page to move by
    _original_move_page(self, direction)


_original_dismiss = Screen.dismiss


@wraps(_original_dismiss)
def _guarded_dismiss(self: Screen, result=None) -> AwaitComplete:
    if self.is_attached and self.app.screen is not self:
        return AwaitComplete(_nothing())  # dismissed already (or never shown): nothing to pop
    return _original_dismiss(self, result)


async def _nothing() -> None:
    return None


def install() -> None:
    """Apply the workarounds (idempotent)."""
    OptionList._move_page = _guarded_move_page
    Screen.dismiss = _guarded_dismiss
