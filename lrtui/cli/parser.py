"""The ``lrtui`` command line's parsers: the app's options (``lrtui`` with no command) and each command's."""

from __future__ import annotations

import argparse

from lrtui.params import APP_MAX_EPOCHS, MAX_EPOCHS, MAX_SIM_EPOCHS, Param
from lrtui.sim.optimizers import OPTIMIZERS

OPTIMIZER_HELP = ", ".join(OPTIMIZERS) + " (see lrtui list); default sgd"

EPOCHS = Param("epochs", "int", 100, "number of epochs in the run", 1, MAX_EPOCHS)


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit status 2."""


def grid_size(text: str, option: str, columns: tuple[int, int], rows: tuple[int, int], example: str = "") -> \
        tuple[int, int]:
    """``COLUMNSxROWS`` (``--size 120x40``, ``--cells 60x20``) within the bounds given, ASCII digits only (not
    "²" or "١٢", which int() takes); :class:`UsageError` naming ``option`` and the bounds otherwise."""
    wide, sep, high = text.lower().partition("x")
    digits = sep and wide.isascii() and high.isascii() and wide.isdigit() and high.isdigit()
    if not (digits and columns[0] <= int(wide) <= columns[1] and rows[0] <= int(high) <= rows[1]):
        raise UsageError(f"{option}={text} is not allowed: COLUMNSxROWS, {columns[0]} to {columns[1]} columns and "
                         f"{rows[0]} to {rows[1]} rows" + (f", e.g. {example}" if example else ""))
    return int(wide), int(high)


class Parser(argparse.ArgumentParser):
    """argparse for every lrtui command (``lrtui serve`` builds its own with it), but a usage error raises
    :class:`UsageError`: one line on stderr (no usage dump) and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        return super().parse_known_args(None if args is None else self.values_kept(list(args)), namespace)

    def values_kept(self, args: list[str]) -> list[str]:
        """``args`` with a value that starts with a dash joined to its option (``--size -80x24`` becomes
        ``--size=-80x24``, ``-o -x.svg`` ``-o-x.svg``), so our own check says what is wrong with the value:
        argparse takes anything but a plain negative number for an option and says "expected one argument".
        A token that names one of this parser's options stays an option."""
        takes_one = {s for a in self._actions if a.option_strings and a.nargs is None for s in a.option_strings}
        out: list[str] = []
        i = 0
        while i < len(args):
            token = args[i]
            if token == "--":
                out.extend(args[i:])
                break
            value = args[i + 1] if i + 1 < len(args) else ""
            if token in takes_one and value.startswith("-") and value != "-" and not self._names_option(value):
                out.append(f"{token}={value}" if token.startswith("--") else token + value)
                i += 2
                continue
            out.append(token)
            i += 1
        return out

    def _names_option(self, token: str) -> bool:
        name = token.split("=", 1)[0]
        return name in self._option_string_actions or (
            name.startswith("--") and any(s.startswith(name) for s in self._option_string_actions))


def _add_run_options(p: argparse.ArgumentParser, default_schedule: str | None, max_epochs: int) -> None:
    """The options that define a run, shared by the app, simulate and screenshot."""
    p.add_argument("assignments", nargs="*", metavar="param=value",
                   help="schedule parameters; problem.key=value; optimizer.key=value")
    p.add_argument("--schedule",  # (its default is filled in by run_config: None says it was not given)
                   help="schedule name (see lrtui list)"
                   + (f"; default {default_schedule}" if default_schedule else ""))
    p.add_argument("--spec", metavar="FILE", help="the schedule as a JSON or TOML spec file (- reads it from stdin)")
    # the defaults (RUN_DEFAULTS) are filled in by run_config: None says the option was not given
    p.add_argument("--problem", help="teaching problem (see lrtui list); default quadratic")
    p.add_argument("--optimizer", help=OPTIMIZER_HELP)
    p.add_argument("--epochs", help=f"number of epochs, 1 to {max_epochs:,} (default 100)")
    p.add_argument("--seed", help="seed of the run's noise, batches and initial weights (default 0)")
    p.add_argument("--seeds", help="run over N seeds (seed, seed+1, ...), 1 to 256: the loss is their mean, with "
                   "its band and standard error; default auto: 1 where the run is deterministic, 16 with noise "
                   "(8 on data problems)")
    p.add_argument("--steps-per-epoch", help="optimizer steps per epoch on analytic problems (default 1)")
    p.add_argument("--plateau-metric", choices=("end", "running", "heldout"),
                   help="what the plateau schedule watches after each epoch (default end: the loss the epoch ended at)")
    _add_unit_options(p)


def _add_unit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--batch-size",
                   help="samples per optimizer step: lengths may then be given in samples (50k samples)")
    p.add_argument("--tokens-per-step", help="tokens per optimizer step (GPT-3: 524288): lengths may then be given "
                   "in tokens (num_warmup_steps='375M tokens' is 715 epochs of one step)")


RUN_DEFAULTS = {"problem": "quadratic", "optimizer": "sgd", "epochs": "100", "seed": "0", "seeds": None,
                "steps_per_epoch": "1",
                "plateau_metric": "end", "batch_size": None, "tokens_per_step": None}


def _add_start_options(p: argparse.ArgumentParser) -> None:
    """Where the app starts instead of the run options: a preset or a saved session."""
    p.add_argument("--preset", metavar="NAME", help="open a teaching scenario or recipe (lrtui presets lists them); "
                   "with --epochs N, scaled to N epochs")
    p.add_argument("--load", metavar="FILE", help="open a saved session (.toml or .json)")


def _add_lab_options(p: argparse.ArgumentParser) -> None:
    """A lab's exercises instead of the run options."""
    p.add_argument("--lab", metavar="FILE", help="open a lab: its exercises, checked as you go (a TOML file, or "
                   "the name of a lab lrtui ships: first-lab)")
    p.add_argument("--student", default="", help="with --lab: your name (each student has their own variant)")
    p.add_argument("--results", metavar="PATH", help="with --lab: the SQLite file the checks are recorded in "
                   "(default: beside the lab, LAB.results.sqlite; a shipped lab's here); lrtui report reads it")


APP_DESCRIPTION = (
    "See and feel how learning-rate schedules shape training, in the terminal. With no command, lrtui opens "
    "the app on the run the options describe (bare key=value pairs set schedule parameters, problem.key=value "
    "and optimizer.key=value the others)."
)


COMMANDS_EPILOG = (
    "commands:  lrtui list | curve | simulate | range-test | map | code | presets | screenshot | lab | report | "
    "serve  "
    "(lrtui COMMAND -h for each).  Examples:  lrtui --preset T5   |   "
    "lrtui --schedule cosine lr=0.1 T_max=100   |   lrtui curve cosine T_max=100 --epochs 200 --plot   |   "
    "lrtui simulate --problem ravine --optimizer momentum lr=0.6 optimizer.momentum=0.5"
)


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The app's parser (lrtui with no command) and each command's own parser. All are parsed
    intermixed: options and param=value pairs may come in any order."""
    parser = Parser(prog="lrtui", description=APP_DESCRIPTION, epilog=COMMANDS_EPILOG)
    _add_run_options(parser, None, APP_MAX_EPOCHS)
    _add_start_options(parser)
    _add_lab_options(parser)
    parser.add_argument("--ascii", action="store_true",
                        help="plain ASCII plots (automatic when the locale is not UTF-8)")
    parser.add_argument("--serve-session", action="store_true", help=argparse.SUPPRESS)  # one of lrtui serve's

    p_list = Parser(prog="lrtui list", description="Every schedule, problem and optimizer with its parameters, "
                     "defaults, ranges and help; with a name, that one (a schedule also with its formula).")
    p_list.add_argument("name", nargs="?", help="one schedule, problem or optimizer, e.g. lrtui list cosine")
    p_list.add_argument("--format", choices=("text", "json"), default="text")

    p_curve = Parser(
        prog="lrtui curve",
        description="Print a schedule's learning rate per epoch. Parameters as key=value "
        "(lists comma-separated, booleans true/false), e.g. lrtui curve multistep milestones=30,60 --epochs 90",
    )
    p_curve.add_argument("name", nargs="?", help="schedule name (see lrtui list); optional with --spec")
    p_curve.add_argument("--schedule", dest="schedule_option", metavar="NAME",
                        help="the schedule name, as simulate and the app take it (the same as giving it first)")
    p_curve.add_argument("assignments", nargs="*", metavar="param=value", help="schedule parameters")
    p_curve.add_argument("--epochs", default="100", help=f"number of epochs, 1 to {MAX_EPOCHS:,} (default 100)")
    p_curve.add_argument("--format", choices=("table", "csv", "json"), help="output format (default table)")
    p_curve.add_argument("--spec", metavar="FILE",
                         help="a JSON or TOML schedule spec (nested specs for sequential/chained)")
    p_curve.add_argument("--plot", action="store_true", help="draw the curve with plotext instead of printing numbers")
    p_curve.add_argument("--ascii", action="store_true", help="plain ASCII plot (no braille, no box drawing)")
    _add_unit_options(p_curve)

    p_sim = Parser(
        prog="lrtui simulate",
        description="Run an optimizer under a schedule on a teaching problem and print lr and loss per epoch "
        "(loss[t] is the loss at the parameters epoch t starts from). Bare key=value pairs set schedule "
        "parameters; optimizer.key=value and problem.key=value set the others, e.g. "
        "lrtui simulate --problem ravine --optimizer momentum --schedule cosine lr=0.4 T_max=50 optimizer.momentum=0.9",
    )
    _add_run_options(p_sim, "constant", MAX_SIM_EPOCHS)
    _add_start_options(p_sim)
    p_sim.add_argument("--format", choices=("table", "csv", "json"), help="output format (default table)")
    p_sim.add_argument("--plot", action="store_true", help="draw lr and loss with plotext instead of printing numbers")
    p_sim.add_argument("--ascii", action="store_true", help="plain ASCII plot (no braille, no box drawing)")

    p_shot = Parser(
        prog="lrtui screenshot",
        description="Render the app headless on the run the options describe, optionally after pressing keys, "
        "and save Textual's SVG screenshot.",
    )
    _add_run_options(p_shot, None, APP_MAX_EPOCHS)
    _add_start_options(p_shot)
    _add_lab_options(p_shot)
    p_shot.add_argument("-o", "--output", required=True, metavar="FILE.svg", help="where to write the SVG")
    p_shot.add_argument("--size", default="120x40", help="terminal size as COLSxROWS (default 120x40)")
    p_shot.add_argument("--press", default="", metavar="KEYS",
                        help="keys to press first, comma-separated Textual key names, e.g. right,right,l")
    p_shot.add_argument("--ascii", action="store_true", help="plain ASCII plots")
    p_range = Parser(
        prog="lrtui range-test",
        description="The learning-rate range test (fastai's lr_find): grow the lr exponentially from --lr-min "
        "to --lr-max over --steps steps on the problem and optimizer, stop when the loss blows up, and print "
        "the loss per lr with the usual suggestions and, where the curvature is known, the true stable limit.",
    )
    p_range.add_argument("assignments", nargs="*", metavar="param=value", help="problem.key=value; optimizer.key=value")
    p_range.add_argument("--problem", default="quadratic", help="teaching problem (see lrtui list); default quadratic")
    p_range.add_argument("--optimizer", default="sgd", help=OPTIMIZER_HELP)
    p_range.add_argument("--steps", default="100", help="steps of the test, 10 to 10000 (default 100)")
    p_range.add_argument("--lr-min", default="1e-7", help="the first lr (default 1e-7)")
    p_range.add_argument("--lr-max", default="10", help="the last lr (default 10)")
    p_range.add_argument("--seed", default="0", help="seed of the noise and batches")
    p_range.add_argument("--format", choices=("table", "csv", "json"), help="output format (default table)")
    p_range.add_argument("--plot", action="store_true", help="draw loss against lr with plotext")
    p_range.add_argument("--ascii", action="store_true", help="plain ASCII plot")
    p_code = Parser(prog="lrtui code", description="Print the run as code: with torch, a training script (the "
                     "run's optimizer and its parameters, its schedule, and a loop that steps them in the right "
                     "order, once an epoch); --schedule-only, a torch fragment that leaves `optimizer` and "
                     "`scheduler` stepping through lrtui's curve, or transformers' or optax's own function.")
    p_code.add_argument("name", nargs="?", help="schedule name (see lrtui list); optional with --spec")
    p_code.add_argument("--schedule", dest="schedule_option", metavar="NAME",
                        help="the schedule name, as simulate and the app take it (the same as giving it first)")
    p_code.add_argument("assignments", nargs="*", metavar="param=value",
                        help="schedule parameters; problem.key=value; optimizer.key=value")
    p_code.add_argument("--spec", metavar="FILE", help="a JSON or TOML schedule spec")
    p_code.add_argument("--framework", choices=("torch", "transformers", "optax"), default="torch")
    p_code.add_argument("--schedule-only", action="store_true", help="the schedule alone, not the run")
    p_code.add_argument("--reproduce", action="store_true", help="torch: a script that defines the run's analytic "
                        "problem itself and prints the loss each epoch, lrtui simulate's trace (its first seed)")
    for option, text in (("--problem", "teaching problem; default quadratic"),
                         ("--optimizer", "the run's optimizer: " + OPTIMIZER_HELP),
                         ("--epochs", "number of epochs (default 100)"), ("--seed", "seed (default 0)"),
                         ("--seeds", "seeds (default auto)"),
                         ("--steps-per-epoch", "optimizer steps per epoch (default 1): the loop's inner length")):
        p_code.add_argument(option, help=text)
    p_code.add_argument("--plateau-metric", choices=("end", "running", "heldout"),
                        help="what plateau's scheduler.step(metric) is given (default end)")
    _add_unit_options(p_code)
    _add_start_options(p_code)
    p_code.set_defaults(ascii=False)
    p_presets = Parser(prog="lrtui presets", description="The teaching scenarios and published recipes, one per "
                        "line, name first; open one with lrtui --preset NAME (its id, such as T5 or r4, is enough).")
    p_presets.add_argument("--format", choices=("text", "json"), default="text")
    p_lab = Parser(prog="lrtui lab", description="Labs: exercises the app checks (a TOML file an instructor "
                   "writes). lrtui lab check LAB --session FILE grades a saved session on the lab's exercises, as "
                   "an autograder would, and prints JSON: per exercise its id, score, points, whether it passed, "
                   "and each goal condition with whether it held and the value seen. A session saved in the lab is "
                   "graded on the exercise it was on, for the student it names, unless --exercise or --student say.")
    p_lab.add_argument("action", choices=("check",), help="check: grade a saved session")
    p_lab.add_argument("file", metavar="LAB", help="the lab file (.toml)")
    p_lab.add_argument("--session", metavar="FILE", help="the saved session to grade (.toml or .json); without "
                       "it, the lab file alone is checked")
    p_lab.add_argument("--student", default="", help="the student's name (their variant of the exercises)")
    p_lab.add_argument("--exercise", metavar="ID", help="grade this exercise only")
    p_map = Parser(prog="lrtui map", description="A map of many runs: the run the options describe, over a grid of "
                   "two parameters, x its lr (log scale), y another (--y; default momentum where the optimizer has "
                   "one): each cell's final loss and class (converges, oscillates, diverges), as CSV, JSON or with "
                   "--plot the picture, with the analytic edge of stability where it is known.")
    _add_run_options(p_map, "constant", APP_MAX_EPOCHS)
    p_map.add_argument("--y", metavar="FIELD", help="the y axis: a numeric parameter by its name (momentum, noise, "
                       "warmup, epochs) or as a lab names it (optimizer.momentum, problem.batch_size)")
    p_map.add_argument("--x-range", metavar="LOW,HIGH", help="the lr's range (default: around the stable edge)")
    p_map.add_argument("--y-range", metavar="LOW,HIGH", help="the y axis' range (default: its parameter's)")
    p_map.add_argument("--cells", default="60x20", metavar="COLUMNSxROWS", help="the grid (default 60x20)")
    p_map.add_argument("--format", choices=("csv", "json"), help="output format (default csv: a row a cell)")
    p_map.add_argument("--plot", action="store_true", help="draw the map as text instead of printing numbers")
    p_map.add_argument("--ascii", action="store_true", help="plain ASCII picture")
    p_report = Parser(prog="lrtui report", description="The class table of a lab: per student and exercise the "
                      "best score, the attempts and the minutes to pass, from one or several results databases "
                      "(lrtui --lab records them; several lab machines' merge).")
    p_report.add_argument("results", nargs="+", metavar="RESULTS", help="results databases (.results.sqlite)")
    p_report.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p_report.add_argument("--watch", action="store_true", help="a live view for the instructor, read again every "
                          "few seconds: pass rate per exercise, who is stuck where, the values students tried")
    p_report.add_argument("--every", type=float, default=2.0, metavar="SECONDS",
                          help="with --watch: seconds between two readings (default 2, allowed 0.5 to 3600)")
    p_report.add_argument("--ascii", action="store_true", help="with --watch: plain ASCII")
    return parser, {"list": p_list, "curve": p_curve, "simulate": p_sim, "screenshot": p_shot,
                    "range-test": p_range, "code": p_code, "presets": p_presets, "lab": p_lab, "report": p_report,
                    "map": p_map}
