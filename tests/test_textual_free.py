"""What says it has no Textual in it has none: each such module, imported alone in a fresh process, leaves
neither Textual nor plotext in ``sys.modules``: the engine, the analysis, files, code generation, presets, the
CLI (it imports the app only inside the function that opens it) and the app's Textual-free logic. A failure
names the module and the import lines, from lrtui down, that pulled Textual or plotext in."""

import ast
import json
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import lrtui

ROOT = Path(lrtui.__file__).parent

FREE_PACKAGES = ("schedules", "sim", "analysis", "io", "codegen", "presets", "cli", "lab")
"""Every module under these is free of Textual and plotext (lrtui/__main__.py, which runs the CLI, is not
under them)."""

FREE_MODULES = {
    "lrtui", "lrtui.params", "lrtui.printable", "lrtui.app_settings",
    "lrtui.plotting", "lrtui.plotting.decimate", "lrtui.plotting.figure", "lrtui.plotting.series",
    "lrtui.plotting.ticks", "lrtui.plotting.terminal", "lrtui.serve.settings",
    "lrtui.ui.start", "lrtui.ui.editing", "lrtui.ui.fields", "lrtui.ui.simulation", "lrtui.ui.views",
    "lrtui.ui.comparison", "lrtui.ui.playback", "lrtui.ui.files", "lrtui.ui.crash", "lrtui.ui.shown",
    "lrtui.ui.pin_actions", "lrtui.ui.cursor", "lrtui.ui.lab", "lrtui.ui.lab_actions",
}
"""The other modules free of Textual and plotext."""

DRAW_WITH_PLOTEXT = {"lrtui.plotting.textplot", "lrtui.plotting.plotext_private", "lrtui.plotting.draw"}
"""Free of Textual, drawing with plotext (the app's plots and lrtui curve --plot)."""

WATCHED = ("textual", "plotext")

CHECK = r'''
"""Import each module named on the command line in a process of its own (forked from this one, which has
loaded only the standard library and numpy), and print, as JSON, which of WATCHED each left in sys.modules
and the lines of lrtui's that imported it first."""
import importlib, json, os, sys, traceback
import numpy  # every module needs it: loaded once, before the forks (it loads neither package)

ROOT, WATCHED, modules = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
first = {}  # watched package -> the import lines that loaded it first


class Watch:
    """A finder that finds nothing: it notes who asks first for a watched package."""

    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in WATCHED and top not in first:
            first[top] = [f"{os.path.relpath(f.filename, os.path.dirname(ROOT))}:{f.lineno} {f.line}"
                          for f in traceback.extract_stack() if f.filename.startswith(ROOT + os.sep)]
        return None


found = {}
for module in modules:
    read, write = os.pipe()
    if os.fork() == 0:
        os.close(read)
        sys.meta_path.insert(0, Watch())
        try:
            importlib.import_module(module)
            answer = {top: first.get(top, ["(before the watch)"]) for top in WATCHED if top in sys.modules}
        except BaseException as err:
            answer = {"import failed": [f"{type(err).__name__}: {err}"]}
        os.write(write, json.dumps(answer).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        text = pipe.read()
    os.wait()
    found[module] = json.loads(text) if text else {"import failed": ["the process gave no answer"]}
print(json.dumps(found))
'''


def loaded(modules) -> dict[str, dict[str, list[str]]]:
    """For each module, imported alone: the watched packages it loaded (or why it failed to import), each
    with the import lines that pulled it in."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}  # (no threads to fork with)
    done = subprocess.run([sys.executable, "-c", CHECK, str(ROOT), ",".join(WATCHED), *sorted(modules)],
                          capture_output=True, text=True, env=env, timeout=120, check=True)
    return json.loads(done.stdout)


def free_modules() -> set[str]:
    """Every module said to be free of Textual and plotext."""
    under = {m.name for p in FREE_PACKAGES
             for m in pkgutil.walk_packages([str(ROOT / p)], f"lrtui.{p}.")} | {f"lrtui.{p}" for p in FREE_PACKAGES}
    return under | FREE_MODULES


def problems(found: dict[str, dict[str, list[str]]], forbidden: tuple[str, ...]) -> list[str]:
    """Each module that loaded a package it must not (or failed to import), with the import lines that
    pulled it in."""
    return [f"{module} {'loads ' + package if package in WATCHED else package}: " + " -> ".join(chain)
            for module, pulled in sorted(found.items()) for package, chain in pulled.items()
            if package in forbidden or package not in WATCHED]


def test_the_engine_files_cli_and_the_apps_logic_load_neither_textual_nor_plotext():
    found = loaded(free_modules() | DRAW_WITH_PLOTEXT)
    assert len(found) > 60  # (the packages were found)
    wrong = problems({m: found[m] for m in found.keys() - DRAW_WITH_PLOTEXT}, WATCHED)
    wrong += problems({m: found[m] for m in DRAW_WITH_PLOTEXT}, ("textual",))
    assert not wrong, "\n" + "\n".join(wrong)


def test_every_module_that_says_no_textual_is_checked():
    checked = free_modules() | DRAW_WITH_PLOTEXT
    said = set()
    for path in ROOT.rglob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if re.search(r"\bno textual\b", doc, re.IGNORECASE):
            parts = path.relative_to(ROOT.parent).with_suffix("").parts
            said.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    assert said and not said - checked, f"said to have no Textual, not checked here: {sorted(said - checked)}"
