"""``lrtui map``: the outcome of many runs over two parameters (lrtui.analysis.maps), x the lr, y another: as
CSV or JSON (a row per cell), or with ``--plot`` the text picture the app's map shows."""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys

from lrtui.cli.parser import UsageError, grid_size
from lrtui.params import APP_MAX_EPOCHS, ConfigError
from lrtui.printable import MAX_MESSAGE, cut

CELLS = (60, 20)
"""The default grid: columns (lr) by rows (y)."""


def _pair(text: str, option: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in text.split(","))
    except ValueError:
        raise UsageError(f"lrtui map: {option}={text} is not allowed: LOW,HIGH, two numbers") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise UsageError(f"lrtui map: {option}={text} is not allowed: LOW,HIGH with LOW below HIGH")
    return low, high


def cmd_map(args: argparse.Namespace) -> int:
    from lrtui.analysis.maps import (ALLOWED_CHARS, LR, allowed_fields, checked_range, compute_map, default_range,
                                     default_y, field_names_map, fitted)
    from lrtui.cli.output import ProgressLine
    from lrtui.cli.runs import run_config
    from lrtui.sim.config import WORK_BUDGET, prepare

    prepared = prepare(run_config(args, max_epochs=APP_MAX_EPOCHS))  # (what --help says: the app's limit)
    if args.y in ("lr", LR):
        raise UsageError(f"lrtui map: --y {args.y} is the x axis: allowed another numeric parameter")
    y_field = field_names_map(prepared).get(args.y) if args.y else default_y(prepared)
    if y_field is None:  # (by its short name, as the app's prompt takes it, or group.name)
        start, where = f"lrtui map: --y={cut(args.y, 20)} is not allowed: one of ", " (lrtui list)"
        room = MAX_MESSAGE - len(start) - len(f" and 99 more{where}")  # (within the one line, not cut)
        raise ConfigError(start + allowed_fields(prepared, where, min(room, ALLOWED_CHARS)))
    y_default = default_range(prepared, y_field)
    columns, rows = grid_size(args.cells, "lrtui map: --cells", (2, 240), (2, 120))
    x_low, x_high, _ = default_range(prepared, LR)
    if args.x_range:
        x_low, x_high = _pair(args.x_range, "--x-range")
    y_low, y_high, y_log = y_default
    if args.y_range:
        y_low, y_high = _pair(args.y_range, "--y-range")
    if x_low <= 0:
        raise UsageError(f"lrtui map: --x-range={args.x_range} is not allowed: the lr's range is above 0 (log scale)")
    if args.x_range:
        checked_range(prepared, LR, x_low, x_high, f"lrtui map: --x-range={args.x_range}", "LOW,HIGH")
    if args.y_range:  # (within the parameter's bounds: a range outside them would be all blank)
        checked_range(prepared, y_field, y_low, y_high, f"lrtui map: --y-range={args.y_range}", "LOW,HIGH")
    ranges = (x_low, x_high), (y_low, y_high, y_log)
    _, x, y, seconds = fitted(prepared, y_field, *ranges, (columns, rows), (columns, rows), WORK_BUDGET)
    if seconds > WORK_BUDGET:  # (the cells that would fit, from the same estimate)
        fewer, *_, within = fitted(prepared, y_field, *ranges, (columns, rows), (2, 2), WORK_BUDGET)
        hint = f"--cells {fewer[0]}x{fewer[1]} fits, or" if within <= WORK_BUDGET else "fewer"
        raise ConfigError(f"a map of {columns}x{rows} cells of this run is about {seconds:,.0f} s of work: allowed "
                          f"about {WORK_BUDGET:.0f} s ({hint} fewer --epochs, or a narrower --y-range)")
    progress = ProgressLine("mapping (epochs over its rows)")  # (each row's epochs once: not cells, not runs)
    result = compute_map(prepared, x, y, progress)
    progress.close()
    if args.plot:
        from lrtui.plotting.map_text import map_lines, map_text
        from lrtui.plotting.terminal import shows_braille, use_colour

        ascii = args.ascii or not shows_braille()
        if use_colour() and not ascii:  # cells shaded by their final loss, two a line
            from rich.console import Console

            Console(highlight=False).print(map_text(result))
        else:  # a glyph a cell: nothing is told by colour alone
            print("\n".join(map_lines(result, ascii=ascii)))
        return 0
    cells = [{LR: float(xv), y_field: float(yv), "final_loss": None if math.isnan(f) else float(f),
              "class": result.class_of(k)}
             for i, yv in enumerate(y.values) for xv, f, k in zip(x.values, result.final[i], result.kind[i])]
    if args.format == "json":
        json.dump({"x": {"field": LR, "values": x.values.tolist(), "log": True},
                   "y": {"field": y_field, "values": y.values.tolist(), "log": y_log},
                   "edge_lr": [result.edge_lr(i) for i in range(len(y.values))], "cells": cells},
                  sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    writer = csv.DictWriter(sys.stdout, fieldnames=[LR, y_field, "final_loss", "class"], lineterminator="\n")
    writer.writeheader()
    writer.writerows({**c, "final_loss": "" if c["final_loss"] is None else repr(c["final_loss"])} for c in cells)
    return 0

