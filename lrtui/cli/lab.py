"""``lrtui lab check FILE --session SESSION``: a saved session graded on a lab's exercises, as an autograder
would, printed as JSON."""

from __future__ import annotations

import argparse
import json
import sys

from lrtui.cli.parser import UsageError


def cmd_lab(args: argparse.Namespace) -> int:
    from lrtui.io.sessions import load_session
    from lrtui.lab.grade import grade
    from lrtui.lab.spec import load_lab

    lab = load_lab(args.file)
    if args.session is None:  # the lab file alone: checked as it is read (an instructor's first test of it)
        points = sum(e.points for e in lab.exercises)
        print(f"{args.file}: {lab.title!r}: {len(lab.exercises)} exercises, {points:g} points: ok (--session FILE "
              "grades a saved session)")
        return 0
    session = load_session(args.session)
    exercises = lab.exercises
    saved = session.lab
    if args.exercise is None and saved is not None and saved.get("title") == lab.title:
        exercises = tuple(e for e in lab.exercises if e.id == saved.get("exercise")) or exercises  # the one it was on
    student = args.student or (saved or {}).get("student", "")
    if args.exercise is not None:
        exercises = tuple(e for e in lab.exercises if e.id == args.exercise)
        if not exercises:
            raise UsageError(f"lrtui lab check: --exercise {args.exercise!r} is not in the lab: allowed "
                             + ", ".join(e.id for e in lab.exercises))
    on = saved.get("exercise") if saved is not None and saved.get("title") == lab.title else None
    if args.exercise is not None and on is not None and on != args.exercise:
        raise UsageError(f"lrtui lab check: {args.session} was saved on exercise {on!r}: its runs are that "
                         f"exercise's (grade it with --exercise {on}, or {args.exercise} on a session saved there)")
    answers = (saved or {}).get("predictions", {})
    results = [grade(exercise, session, student, answers.get(exercise.id)) for exercise in exercises]
    json.dump({"lab": lab.title, "student": student, "exercises": [r.as_json() for r in results],
               "graded": [r.id for r in results],  # (a session holds one exercise's runs: the others are not)
               "score": round(sum(r.score for r in results), 6), "points": round(sum(r.points for r in results), 6),
               "lab_points": round(sum(e.points for e in lab.exercises), 6)},
              sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
