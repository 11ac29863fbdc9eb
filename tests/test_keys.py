"""One key map (lrtui/ui/keys.py): every binding of the App has its row in the help, every row's action
is bound, and the README's key tables name the same keys in the same order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lrtui.ui import keys
from lrtui.ui.app import LrtuiApp
from lrtui.ui.widgets.form import STEPS, FieldRow

README = Path(__file__).resolve().parent.parent / "README.md"
SPOKEN = {"less_than_sign": "<", "greater_than_sign": ">", "question_mark": "?", "pageup": "page up",
          "pagedown": "page down"}  # Textual's key names as the help writes them
TABLES = {"field": "On a field:", "anywhere": "Anywhere:", "plots": "On the plots"}


def test_the_app_runs_the_key_maps_bindings():
    assert LrtuiApp.BINDINGS is keys.BINDINGS


def test_every_binding_has_one_row_and_its_keys_are_named_there():
    for binding in keys.BINDINGS:
        rows = [k for k in keys.KEY_MAP if binding.action in k.actions]
        assert len(rows) == 1, (binding.action, rows)
        said = rows[0].keys + " " + rows[0].does
        for key in binding.key.split(","):
            assert SPOKEN.get(key, key) in said, (key, rows[0].keys)


def test_every_rows_action_is_bound():
    bound = {b.action for b in keys.BINDINGS}
    row_keys = {"row:step": "+-", "row:fine_step": "[]"}
    for key in keys.KEY_MAP:
        for action in key.actions:
            if action == "row:reset":
                assert any(b.action == "reset" and b.key in key.keys for b in FieldRow.BINDINGS)
            elif action in row_keys:
                assert all(c in STEPS and c in key.keys for c in row_keys[action])
            elif action != "row:edit":  # (every other printable key: FieldRow.on_key)
                assert action in bound, action


def readme_keys() -> dict[str, list[str]]:
    """The key column of each of the README's three key tables."""
    text = README.read_text()
    found = {}
    for where, heading in TABLES.items():
        table = text[text.index(heading):].split("\n\n")[1]
        found[where] = [row.split(" | ")[0].removeprefix("| ") for row in table.splitlines()[2:]]
    return found


def test_the_readme_names_the_keys_of_the_key_map():
    expected = {where: [k.keys for k in keys.KEY_MAP if k.where == where and k.actions] for where in TABLES}
    assert readme_keys() == expected


@pytest.mark.parametrize("row", [r for r in keys.key_rows()[1] if r[1]])
def test_the_help_shows_each_row(row):
    assert re.search(re.escape(row[0]) + r" +" + re.escape(row[1][:20]), keys.keys_text())
