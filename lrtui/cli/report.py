"""``lrtui report RESULTS...``: the class table of a lab's results databases (several lab machines' merge):
per student and exercise the best score, the attempts (``600+``: capped, more were made) and the minutes to
pass."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from lrtui.printable import escaped


def cmd_report(args: argparse.Namespace) -> int:
    from lrtui.lab.results import class_table, read_events

    if args.watch:
        return _watch(args)

    notes: list[str] = []  # (what was left out of a database: said on stderr, the report is of the rest)
    events = read_events(args.results, notes)
    for note in notes:
        print(f"lrtui report: {escaped(note)}", file=sys.stderr)
    students, exercises, cells = class_table(events)
    rows = [{"student": s, "exercise": e, "score": round(c.score, 6), "points": round(c.points, 6),
             "attempts": c.attempts, "minutes_to_pass": None if c.minutes_to_pass is None
             else round(c.minutes_to_pass, 2), "hints": c.hints, "capped": c.capped}
            for s in students for e in exercises if (c := cells.get((s, e))) is not None]
    if args.format == "json":
        json.dump({"students": students, "exercises": exercises, "cells": rows}, sys.stdout, indent=1,
                  ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["student", "exercise"])
        writer.writeheader()
        writer.writerows(rows)
        return 0
    if not students:
        print("no results yet")
        return 0
    # a column per exercise: "score/points (attempts, minutes to pass)"; a name is shown escaped (it is typed)
    # (600+: a session recorded no more attempts of it, lrtui.ui.lab_actions.MAX_ATTEMPTS)
    shown = {(r["student"], r["exercise"]): f"{r['score']:g}/{r['points']:g} ({r['attempts']}"
             + ("+" if r["capped"] else "")
             + (f", {r['minutes_to_pass']:.1f}m)" if r["minutes_to_pass"] is not None else ")") for r in rows}
    names = [escaped(s) or "(no name)" for s in students]
    width = max(len(n) for n in [*names, "student"])
    columns = [max(len(e), *(len(shown.get((s, e), "-")) for s in students)) for e in exercises]
    print("student".ljust(width) + "  " + "  ".join(e.ljust(w) for e, w in zip(exercises, columns)))
    for student, name in zip(students, names):
        print(name.ljust(width) + "  " + "  ".join(shown.get((student, e), "-").ljust(w)
                                                    for e, w in zip(exercises, columns)))
    passed = {e: sum(1 for s in students if (c := cells.get((s, e))) and c.minutes_to_pass is not None)
              for e in exercises}
    print("passed".ljust(width) + "  " + "  ".join(f"{passed[e]}/{len(students)}".ljust(w)
                                                    for e, w in zip(exercises, columns)))
    return 0


def _watch(args: argparse.Namespace) -> int:
    """The live view (lrtui.ui.report_app); a file that is not there yet is waited for."""
    from lrtui.params import ConfigError
    from lrtui.plotting.terminal import Options

    if not 0.5 <= args.every <= 3600:
        raise ConfigError(f"--every={args.every:g}: allowed 0.5 to 3600 seconds")
    if args.format != "text":
        raise ConfigError(f"--format={args.format} does not apply to --watch (a live view): allowed text")
    from lrtui.ui.report_app import ReportApp

    ReportApp(args.results, args.every, Options.from_environment(args.ascii)).run()
    return 0
