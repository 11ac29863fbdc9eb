"""One key map (lrtui/ui/keys.py): the App's and a field row's bindings are made from its rows, each
binding's keys are named in its row, the footer shows its keys in its order, and the README's key tables name
the same keys in the same order."""

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


def test_the_app_and_a_field_row_run_the_key_maps_bindings():
    assert LrtuiApp.BINDINGS is keys.BINDINGS and FieldRow.BINDINGS is keys.ROW_BINDINGS
    declared = [(b.key, b.action, b.description, b.priority) for k in keys.KEY_MAP for b in k.bindings]
    assert sorted((b.key, b.action, b.description, b.priority) for b in keys.BINDINGS) == sorted(declared)


def test_every_binding_has_one_row_and_its_keys_are_named_there():
    for binding in keys.BINDINGS + keys.ROW_BINDINGS:
        rows = [k for k in keys.KEY_MAP if binding.action in k.actions or f"row:{binding.action}" in k.actions]
        assert len(rows) == 1, (binding.action, rows)
        said = rows[0].keys + " " + rows[0].does
        for key in binding.key.split(","):
            assert SPOKEN.get(key, key) in said, (key, rows[0].keys)


def test_the_footer_shows_its_actions_in_its_order():
    shown = [b.action for b in keys.BINDINGS if b.show]
    assert shown == list(keys.FOOTER)
    first_bound = list(dict.fromkeys(k for b in keys.BINDINGS for k in b.key.split(",")))  # Textual's footer order
    footer_keys = list(dict.fromkeys(b.key for b in keys.BINDINGS if b.show))
    assert [k for k in first_bound if k in footer_keys] == footer_keys


def test_what_a_field_row_takes_itself_is_its_own():
    row_keys = {"step": "+-", "fine_step": "[]", "edit": ""}  # edit: every other printable key (FieldRow.on_key)
    for key in keys.KEY_MAP:
        for taken in key.row:
            if isinstance(taken, str):
                assert all(c in STEPS and c in key.keys for c in row_keys[taken]), taken


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
