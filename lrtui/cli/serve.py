"""``lrtui serve``: the app in a browser for a lab (the optional serve extra, textual-serve).

Every option the app takes (a preset, a session to load, a schedule and its run) sets what each student's
session opens on; they are checked once here, so a typo fails at start and not in every session.
"""

from __future__ import annotations

import argparse
import importlib.util
import shlex
import sys

from lrtui.cli.parser import UsageError, Parser
from lrtui.cli.start import app_start
from lrtui.params import coerce
from lrtui.serve.settings import (IDLE_MINUTES, MAX_PER_ADDRESS, MAX_SESSION_HOURS, MAX_SESSIONS, PORT,
                                  SESSION_MIB, default_max_sessions, join_code, public_url)
from lrtui.io.sandbox import remove_orphans

SERVE_DESCRIPTION = (
    "Serve the app to browsers: each page that opens the URL gets its own session (its own process and files; "
    "what a student saves or exports downloads to their browser). Every option of the app (lrtui -h) sets what "
    "the sessions open on, e.g. lrtui serve --host 0.0.0.0 --preset T5. Needs pip install 'lrtui[serve]'."
)


def build_serve_parser() -> argparse.ArgumentParser:
    p = Parser(prog="lrtui serve", description=SERVE_DESCRIPTION, allow_abbrev=False)
    p.add_argument("--host", default="localhost",
                   help="the interface to listen on (default localhost; 0.0.0.0 for every one, a lab's)")
    p.add_argument("--port", default=str(PORT.default), help="the port (default 8000)")
    p.add_argument("--public-url", metavar="URL",
                   help="the address students use, when a proxy or another name stands in front of the server")
    p.add_argument("--max-sessions", metavar="N", help=f"{MAX_SESSIONS.help} (default {default_max_sessions()} "
                   f"here: three quarters of the memory at {SESSION_MIB} MiB a session, its most)")
    p.add_argument("--idle-minutes", default="30", metavar="MIN",
                   help="end a session after this long without input (default 30)")
    p.add_argument("--max-session-hours", default=str(MAX_SESSION_HOURS.default), metavar="H",
                   help=f"{MAX_SESSION_HOURS.help} (default {MAX_SESSION_HOURS.default:g})")
    p.add_argument("--join-code", metavar="CODE",
                   help="a code the address must carry (the one printed: ...?code=CODE); pages without it are refused")
    p.add_argument("--max-per-address", metavar="N",
                   help="sessions at once from one client address (default: no limit; a lab behind one NAT "
                   "address is one client address)")
    p.add_argument("--no-preload", action="store_true",
                   help="start each session as a command that imports the app itself, instead of forking it from "
                   "a process that has (39 MiB of its own and a first screen in 0.5-0.9 s, against 21.5 MiB and "
                   "0.1-0.2 s forked; a system that cannot fork sessions starts them so anyway)")
    return p


def session_argv(app_argv: list[str]) -> list[str]:
    """lrtui's arguments for one session's app: the app's options, in a browser session."""
    return ["--serve-session", *app_argv]


def session_command(app_argv: list[str]) -> str:
    """The shell command that starts one session's app (exec: no shell stays behind)."""
    return f"exec {shlex.quote(sys.executable)} -m lrtui {shlex.join(session_argv(app_argv))}"


def _with_absolute_lab(app_argv: list[str], app_args: argparse.Namespace) -> list[str]:
    """The sessions' options with the lab and its results file as absolute paths (the results beside the lab
    unless --results gives them)."""
    from pathlib import Path

    from lrtui.lab.spec import default_results, find_lab

    lab = find_lab(app_args.lab).resolve()
    results = Path(app_args.results or default_results(lab)).resolve()
    out, skip = [], False
    for i, arg in enumerate(app_argv):
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in ("--lab", "--results"):
            skip = "=" not in arg
            continue
        out.append(arg)
    return [*out, "--lab", str(lab), "--results", str(results)]


def cmd_serve(argv: list[str], app_parser: argparse.ArgumentParser) -> int:
    options, app_argv = build_serve_parser().parse_known_args(argv)
    if "--serve-session" in app_argv:
        raise UsageError("lrtui serve: --serve-session is lrtui serve's own: allowed the app's options (lrtui -h)")
    port = coerce(PORT, options.port, "--")
    try:
        options.host.encode("idna")  # (a..b or a 64-letter label: the resolver raises a UnicodeError, not OSError)
    except UnicodeError:
        raise UsageError(f"lrtui serve: --host={options.host[:80]} is not a host name or address: allowed a name "
                         "such as lab.example.edu, an address such as 0.0.0.0, or localhost") from None
    sessions = default_max_sessions() if options.max_sessions is None else coerce(MAX_SESSIONS, options.max_sessions,
                                                                                  "--")
    idle = coerce(IDLE_MINUTES, options.idle_minutes, "--")
    max_age = coerce(MAX_SESSION_HOURS, options.max_session_hours, "--")
    public = None if options.public_url is None else public_url(options.public_url)
    code = None if options.join_code is None else join_code(options.join_code)
    per_address = None if options.max_per_address is None else coerce(MAX_PER_ADDRESS, options.max_per_address, "--")
    app_args = app_parser.parse_intermixed_args(app_argv)
    start = app_start(app_args)  # a bad preset, file or value fails now, once
    if app_args.lab is not None:  # every session reads the lab and writes one results file, wherever it runs
        app_argv = _with_absolute_lab(app_argv, app_args)
        lab = start.lab.lab
        results = app_argv[app_argv.index("--results") + 1]
        print(f"lrtui serve: the lab {lab.title!r} ({len(lab.exercises)} exercises); results in {results} "
              f"(lrtui report --watch {shlex.quote(results)})", flush=True)
    if importlib.util.find_spec("textual_serve") is None:
        raise UsageError("lrtui serve needs textual-serve, which is not installed: pip install 'lrtui[serve]'")
    from lrtui.serve import server

    remove_orphans()  # the folders of sessions that died without removing theirs (a crash, SIGKILL)
    server.run(session_command(app_argv), host=options.host, port=port, public_url=public,
               max_sessions=sessions, idle_seconds=idle * 60, max_age_seconds=max_age * 3600, join_code=code,
               max_per_address=per_address,
               fork_argv=None if options.no_preload else session_argv(app_argv))
    return 0
