"""Focus between the form, where every key is typed, and the plots, where letters are commands: escape leaves
the form, enter goes back, tab, shift+tab, up and down go round the fields."""

from __future__ import annotations

from typing import Callable

from textual.widget import Widget

from lrtui.ui.widgets.form import FieldRow, ParamForm


class FormFocus:
    """Where focus goes.

    Called by the App's routes (``action_leave_form`` is :meth:`leave`, ``action_enter_form`` :meth:`enter`,
    ``action_focus_next`` :meth:`next`, ``action_focus_previous`` :meth:`previous`) and by its ``show_board``
    watcher (:meth:`keep_in_view`). It calls what it is handed: the :class:`ParamForm` (its rows), the plots'
    widget, ``focused()`` (the App's focused widget) and ``set_focus(widget)`` (the screen's)."""

    def __init__(self, form: ParamForm, plots: Widget, focused: Callable[[], Widget | None],
                 set_focus: Callable[[Widget], None]) -> None:
        self._form, self._plots, self._focused, self._set_focus = form, plots, focused, set_focus

    def leave(self) -> None:
        """Escape on a field closes its edit, if one is open; otherwise focus goes to the plots, where
        letters are commands. (At once, as a priority binding: handled by the row, the escape would reach
        the app after a 'p' typed right behind it had been typed into the row.)"""
        row = self._focused()
        if isinstance(row, FieldRow) and row.editing:
            row.cancel_edit()
        else:
            self._set_focus(self._plots)

    def enter(self) -> None:
        """Back to the form, on the field focus was last on."""
        row = self._form.last_row()
        if row is not None:
            self._set_focus(row)

    def next(self, key: str = "tab") -> None:
        self._move(+1)

    def previous(self, key: str = "tab") -> None:
        self._move(-1)

    def _move(self, delta: int) -> None:
        """Tab, shift+tab, up and down go round the form's fields; from the plots they go back to it."""
        row = self._form.row_after(self._focused(), delta)
        if row is None:
            self.enter()
        else:
            self._set_focus(row)

    def keep_in_view(self) -> None:
        """After the form's height changed (the scoreboard came or went), keep the field focus is on (or
        was last on, before it went to the plots) on screen."""
        row = self._form.last_row()
        if row is not None:
            row.scroll_visible(animate=False)
