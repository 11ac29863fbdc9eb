"""A lab in the app (issue 26): lrtui --lab opens its first exercise for the student (their own variant),
the panel's checklist follows every edit and pin, locked fields refuse edits and say why, hidden ones are not
in the form, and n, N and h move between exercises and show hints. By keys, as a student uses it."""

from pathlib import Path

import pytest

from lrtui.cli import main
from lrtui.io.sessions import Session, save_session
from lrtui.lab.grade import grade
from lrtui.lab.spec import load_lab, parse_lab
from lrtui.plotting.terminal import Options
from lrtui.ui.app import make_app
from lrtui.ui.lab import LabProgress
from lrtui.ui.screenshot import settle
from lrtui.ui.start import Start
from tests.conftest import row, started

FIRST_LAB = Path(__file__).resolve().parent.parent / "lrtui" / "labs" / "first-lab.toml"


def lab_app(path=FIRST_LAB, student="ada", options=Options(), predictions=None):
    """The app on a lab, its predictions answered already unless given (each opening would ask first)."""
    lab = load_lab(path)
    answered = {e.id: "1" for e in lab.exercises} if predictions is None else predictions
    progress = LabProgress(lab, student=student, predictions=answered)
    start = progress.start()
    return make_app(Start(start.config, options, pinned=start.pinned, note=progress.note(), lab=progress)), progress


def panel(app) -> str:
    return app.query_one("#lab").render().plain


async def type_value(pilot, app, key: str, value: str) -> None:
    row(app, key).focus()
    await pilot.pause()
    await pilot.press("enter", *value, "enter")
    await settle(app, pilot)


async def test_the_checklist_follows_the_students_edits_on_their_own_variant():
    app, progress = lab_app()
    L = progress.exercise.variant("ada")["problem.L"]
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        assert app.config.problem_params["L"] == L
        text = panel(app)
        count, total = len(progress.lab.exercises), sum(e.points for e in progress.lab.exercises)
        assert text.startswith(f"Exercise 1/{count}: The stability edge  1/4 points")
        assert "✓ the run converges" in text and "✗ lr within 10% of the limit 2/L: lr 0.1, goal >" in text
        await type_value(pilot, app, "schedule.lr", f"{0.97 * 2 / L:.4g}")
        assert "3/4 points" in panel(app) and "✗ your prediction: you said 1" in panel(app)  # passed; "1" was not 2/L
        await type_value(pilot, app, "schedule.lr", f"{1.05 * 2 / L:.4g}")  # over the edge: diverges
        assert "2/4 points" in panel(app) and "✗ the run converges" in panel(app)  # partial credit
        assert f"(lab 3/{total:g})" in panel(app)  # the best score reached is kept


async def test_a_locked_field_shows_in_brackets_and_refuses_an_edit_saying_why():
    app, progress = lab_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        L = app.config.problem_params["L"]
        assert row(app, "problem.L").locked and f"[{L:g}]" in row(app, "problem.L").render().plain
        assert not row(app, "schedule.lr").locked
        await type_value(pilot, app, "problem.L", "1")
        assert app.config.problem_params["L"] == L
        assert "L is locked in this exercise" in row(app, "problem.L").message
        row(app, "problem.L").focus()
        await pilot.press("plus")
        await settle(app, pilot)
        assert app.config.problem_params["L"] == L


async def test_n_and_N_move_between_exercises_and_h_shows_the_hints():
    app, progress = lab_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "h")
        assert "hint 1/2: The limit is 2/L" in panel(app)
        await pilot.press("h", "h")  # the second in the first's place (the panel holds one); a third: no more
        assert "hint 2/2" in panel(app) and "hint 1/2" not in panel(app)
        assert any("no more hints" in n.message for n in app._notifications)
        await pilot.press("n")
        await settle(app, pilot)
        count = len(progress.lab.exercises)
        assert panel(app).startswith(f"Exercise 2/{count}: Decay reaches further") and "hint" not in panel(app)
        assert app.config.schedule["params"]["lr"] == 1.9 and app.config.epochs == 60
        await pilot.press("p")  # pin the constant run: that condition holds
        await settle(app, pilot)
        assert "✓ the constant run pinned" in panel(app)
        await pilot.press("N")
        await settle(app, pilot)
        assert panel(app).startswith(f"Exercise 1/{count}") and not app.pins
        await pilot.press("N")
        assert any("first exercise" in n.message for n in app._notifications)
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Find a constant lr" in app.screen.text  # ? shows the exercise's text, a paragraph of its own
        assert "Exercise edge: The stability edge\n\nGradient descent" in app.screen.text  # (not run into the title)


def test_the_checklist_shows_what_was_seen_only_where_a_comparison_saw_something():
    lab = parse_lab({"title": "t", "exercise": [{"id": "a", "title": "A", "start": "T1", "goal": [
        {"check": "any(p.final_loss < 0 for p in pinned)", "say": "a pinned run below 0"}, "final_loss < 0"]}]})
    progress = LabProgress(lab)
    progress.result = grade(progress.exercise, progress.start())
    lines = progress.lines()
    assert lines[1] == " ✗ a pinned run below 0"  # (not its condition's text a second time)
    assert lines[2].startswith(" ✗ final_loss < 0: final_loss ") and lines[2].endswith(", goal < 0")


async def test_hidden_fields_are_not_in_the_form_and_ascii_marks_the_checklist(tmp_path):
    lab = tmp_path / "lab.toml"
    lab.write_text('title = "t"\n[[exercise]]\nid = "a"\ntitle = "A"\nstart = "T3"\nhidden = ["problem.noise"]\n'
                   'goal = ["final_loss < 1e-9"]\n')
    app, _ = lab_app(lab, options=Options(ascii=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        keys = [r.field.key for r in app.form.rows()]
        assert "problem.noise" not in keys and "problem.L" in keys
        assert " x final_loss < 1e-9: final_loss" in panel(app) and all(c.isascii() for c in panel(app))


@pytest.mark.parametrize("argv, fragment", [
    (["--lab", str(FIRST_LAB), "--preset", "T1"], "--lab opens its exercises' runs: allowed no --preset"),
    (["--lab", "/nonexistent/lab.toml"], "lab file /nonexistent/lab.toml: no such file (lrtui ships first-lab"),
])
def test_lab_options_are_checked_in_one_line(capsys, argv, fragment):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1, err


async def test_a_lab_asks_the_students_name_once_and_opens_their_own_variant():
    app, progress = lab_app(student="")
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        from lrtui.ui.screens.prompt import PathPrompt

        assert isinstance(app.screen, PathPrompt) and "your name" in app.screen.question
        await pilot.press(*"bob", "enter")
        await settle(app, pilot)
        assert progress.student == "bob"
        assert app.config.problem_params["L"] == progress.exercise.variant("bob")["problem.L"]
    app, progress = lab_app(student="")
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape")  # no name: the lab goes on, and says so
        await settle(app, pilot)
        assert progress.student == "" and any("no name given" in n.message for n in app._notifications)


def test_serve_hands_each_session_the_lab_and_one_results_file_by_absolute_path(tmp_path, monkeypatch):
    from lrtui.cli.parser import build_parser
    from lrtui.cli.serve import _with_absolute_lab

    monkeypatch.chdir(tmp_path)
    (tmp_path / "lab.toml").write_text(FIRST_LAB.read_text())
    parser, _ = build_parser()
    argv = ["--lab", "lab.toml", "--ascii"]
    out = _with_absolute_lab(argv, parser.parse_intermixed_args(argv))
    assert out == ["--ascii", "--lab", str(tmp_path / "lab.toml"), "--results", str(tmp_path / "lab.results.sqlite")]
    argv = ["--lab=lab.toml", "--results", "r.sqlite"]
    out = _with_absolute_lab(argv, parser.parse_intermixed_args(argv))
    assert out == ["--lab", str(tmp_path / "lab.toml"), "--results", str(tmp_path / "r.sqlite")]


async def test_a_session_saved_in_a_lab_keeps_the_progress_and_the_student_comes_back(tmp_path, monkeypatch,
                                                                                    capsys):
    """ctrl+s in a lab keeps the student, the exercise open, the scores and the hints in the session file;
    lrtui --lab LAB --load FILE goes on from there, and lrtui lab check grades the exercise it was on."""
    import json as json_module

    from lrtui.cli.parser import build_parser
    from lrtui.cli.start import app_start
    from lrtui.io.sessions import load_session

    monkeypatch.chdir(tmp_path)
    app, progress = lab_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "n")  # the second exercise
        await settle(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("ctrl+s", "enter")
        await settle(app, pilot)
    saved = load_session(tmp_path / "ada.toml")
    assert saved.lab["student"] == "ada" and saved.lab["exercise"] == "decay" and len(saved.pinned) == 1
    parser, _ = build_parser()
    start = app_start(parser.parse_intermixed_args(["--lab", str(FIRST_LAB), "--load", "ada.toml",
                                                    "--results", str(tmp_path / "r.sqlite")]))
    assert start.lab.exercise.id == "decay" and start.lab.student == "ada" and len(start.pinned) == 1
    app = make_app(start)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        text = panel(app)
        assert text.startswith("Exercise 2/") and "Decay reaches further" in text
        assert "✓ the constant run pinned" in text
    assert main(["lab", "check", str(FIRST_LAB), "--session", "ada.toml"]) == 0
    report = json_module.loads(capsys.readouterr().out)
    assert report["student"] == "ada" and [e["id"] for e in report["exercises"]] == ["decay"]
    other = tmp_path / "other.toml"
    other.write_text(FIRST_LAB.read_text().replace('title = "Learning rates, lab 1', 'title = "Another lab', 1))
    assert main(["--lab", str(other), "--load", "ada.toml"]) == 2
    assert "was saved in another lab" in capsys.readouterr().err


@pytest.mark.parametrize("lab, fragment", [
    ("{student = 3}", "lab.student must be text"), ("{best = {a = true}}", "lab.best must be a table"),
    ("{hints = 99}", "lab.hints must be an integer in [0, 10]"), ("{teacher = 'x'}", "lab must be a table of"),
])
def test_a_sessions_lab_progress_is_checked_in_one_line(tmp_path, lab, fragment):
    from lrtui.io.sessions import SessionError, load_session

    path = tmp_path / "s.toml"
    path.write_text(f'lrtui_session = 2\nepoch = 0\nlab = {lab}\nconfig = {{problem = "quadratic"}}\npinned = []\n')
    with pytest.raises(SessionError) as err:
        load_session(path)
    assert fragment in str(err.value) and "\n" not in str(err.value)


async def test_a_prediction_is_asked_before_the_run_is_seen_and_graded_against_the_students_limit():
    app, progress = lab_app(predictions={})
    L = progress.exercise.variant("ada")["problem.L"]
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        from lrtui.ui.screens.prompt import PathPrompt

        assert isinstance(app.screen, PathPrompt) and "predict first: Before you try" in app.screen.question
        assert not app.plot_area.display  # the run is not seen before the answer
        await pilot.press(*f"{2 / L * 1.05:.3g}", "enter")
        await settle(app, pilot)
        assert app.plot_area.display and progress.predictions["edge"] == f"{2 / L * 1.05:.3g}"
        assert "✓ your prediction" in panel(app) and panel(app).split("\n")[0].count("2/4 points") == 1


async def test_in_a_lab_the_note_is_the_exercises_text_and_t_says_so():
    from lrtui.ui.screens.note import NoteEditor

    app, progress = lab_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "t")
        assert not isinstance(app.screen, NoteEditor)
        assert any("in a lab the note is the exercise's text" in n.message for n in app._notifications)
        assert app.sessions.note == progress.note()


async def test_a_locked_value_as_wide_as_its_column_stays_on_its_line():
    """A locked value shows in brackets: the row measured the value without them, so '[auto=16]' wrapped its
    last character onto a line of its own at 80x24."""
    app, progress = lab_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        while progress.exercise.id != "cosine-end":
            await pilot.press("escape", "n")
            await settle(app, pilot)
        seeds = row(app, "run.seeds")
        assert seeds.locked and app.config.seeds is None
        shown = seeds.render().plain
        assert "[auto=" in shown and "\n" not in shown and len(shown) <= seeds.content_region.width


def test_loading_a_classmates_session_opens_their_runs_and_keeps_who_you_are(tmp_path, capsys):
    """The new user's try: mallory loaded Ada's file and from then on was recorded as Ada, with Ada's passes
    and predictions; --student bob --load ada.toml credited bob with Ada's 4/4."""
    from lrtui.cli.parser import build_parser
    from lrtui.cli.start import app_start

    lab = load_lab(FIRST_LAB)
    ada = LabProgress(lab, student="ada", predictions={"edge": "0.5"})
    ada.move(1)
    ada.passed.add("edge")
    ada.best["edge"] = 3.0
    saved = ada.saved()
    mallory = LabProgress(lab, student="mallory")
    assert mallory.someone_elses(saved) and mallory.restore(saved)
    assert mallory.student == "mallory" and mallory.exercise.id == "decay"
    assert mallory.passed == set() and mallory.best == {} and mallory.predictions == {}
    anyone = LabProgress(lab)  # no name yet: the session's own student comes back (next week's return)
    assert not anyone.someone_elses(saved) and anyone.restore(saved) and anyone.student == "ada"
    start = ada.start()
    save_session(Session(start.config, start.pinned, 0, None, "", lab=saved), tmp_path / "ada.toml")
    parser, _ = build_parser()
    opened = app_start(parser.parse_intermixed_args(["--lab", str(FIRST_LAB), "--student", "bob", "--load",
                                                     str(tmp_path / "ada.toml"), "--results",
                                                     str(tmp_path / "r.sqlite")]))
    assert opened.lab.student == "bob" and opened.lab.passed == set() and opened.config == start.config
    assert "was saved by 'ada': its runs open, and the results stay 'bob''s" in capsys.readouterr().err


async def test_the_prediction_cannot_be_read_off_the_panel_nor_skipped_for_free():
    """The new user's try: while the question was open the goal line showed 'goal > 0.4847' (the answer);
    escape showed the run and the question came back later; escaping the name skipped the question."""
    from lrtui.ui.screens.prompt import PathPrompt

    app, progress = lab_app(student="", predictions={})
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape")  # no name
        await settle(app, pilot)
        assert isinstance(app.screen, PathPrompt) and "predict first" in app.screen.question  # asked all the same
        assert "goal >" not in panel(app) and "answer the question first" in panel(app)
        assert not app.plot_area.display
        await pilot.press("escape")  # skipped: the run shows, the question's points are lost, it is not asked again
        await settle(app, pilot)
        assert not isinstance(app.screen, PathPrompt) and app.plot_area.display
        assert progress.predictions == {"edge": ""} and progress.asks() is None
        assert "goal >" in panel(app) and "your prediction: skipped" in panel(app)


async def test_question_mark_shows_the_exercise_as_written_and_every_hint_taken_whole():
    """The new user's try: at 80x24 the panel cuts a long hint, and ? ran the exercise's lines together and had
    no hints."""
    from lrtui.ui.screens.help import Doc, wrap_doc

    assert wrap_doc("line one\nline two", 80, keep_lines=True) == "line one\nline two"
    assert wrap_doc("line one\nline two", 80) == "line one line two"  # (a preset's prose: reflowed)
    app, progress = lab_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "h", "h", "question_mark")
        await pilot.pause()
        hints = progress.exercise.hints
        assert all(f"Hint {i}: {hint}" in app.screen.text for i, hint in enumerate(hints, 1))
        (note,) = [d for d in app.screen.query(Doc) if "Exercise edge" in d.text]
        assert note.keep_lines
        first, second = [line for line in progress.exercise.text.split("\n") if line][:2]
        shown = note.render().plain
        assert first[:40] in shown and f"\n{second[:20]}" in shown  # its second line starts a line


async def test_after_the_labs_questions_the_panels_keys_work_at_once():
    """The new user's try: after a prompt, focus was on the locked schedule field, so the panel's n N h were
    typed into it ('schedule nN (no match)')."""
    app, progress = lab_app(student="", predictions={})
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press(*"zoe", "enter")  # the name
        await settle(app, pilot)
        await pilot.press("0", ".", "5", "enter")  # the prediction
        await settle(app, pilot)
        await pilot.press("h")
        assert "hint 1/" in panel(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert progress.exercise.id == "decay"


async def test_going_back_to_an_exercise_finds_its_runs_as_they_were_left():
    """The new user's try: N then n threw the exercise's edits and pins away, without a word."""
    app, progress = lab_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await type_value(pilot, app, "schedule.lr", "0.3")
        await pilot.press("escape", "p")  # pinned
        await settle(app, pilot)
        edited, pins = app.config, tuple(app.pins)
        await pilot.press("n")
        await settle(app, pilot)
        assert progress.exercise.id == "decay" and app.config != edited
        await pilot.press("N")
        await settle(app, pilot)
        assert progress.exercise.id == "edge" and app.config == edited and tuple(app.pins) == pins



async def test_an_exercises_text_is_not_an_unsaved_note():
    """In a lab the note is the exercise's text: moving on changes it, and that is not the student's note to
    save (only their runs are)."""
    app, progress = lab_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("escape", "n")
        await settle(app, pilot)
        assert progress.exercise.id == "decay" and "the note" not in app.unsaved_work
