"""lrtui serve's settings and their defaults, without textual-serve (so the CLI can check them, and say
how to install the extra, when it is missing)."""

from __future__ import annotations

import errno
import os
import re
import socket
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

from lrtui.params import ConfigError, Param
from lrtui.printable import cut

SESSION_MIB = 256
"""Memory of one session's app process at the most a student can make it hold (benchmarks/bench_session_peak.py,
2026-12-06: at 160x50, a 100,000-epoch noisy run over 256 seeds, six such runs pinned, another seed (all seven
run again at once, a few at a time), the scoreboard, the runs exported, the range test: 247 MiB at peak, 257
before the engine ran large runs a few at a time). An ordinary session peaks far lower: 52 MiB at its first
screen, 21.5 MiB of it its own (forked from the zygote: the rest is shared; 61 MiB started as a command,
benchmarks/bench_serve.py), 64-70 MiB after 2,000 keys of editing at 120x40, 36-41 MiB of it its own (73-76 MiB
as a command, benchmarks/bench_soak.py)."""

MEMORY_FOR_SESSIONS = 0.75
"""The share of the machine's memory the default lab size gives its sessions (the rest: the system, the server)."""


def default_max_sessions() -> int:
    """Sessions that fit in :data:`MEMORY_FOR_SESSIONS` of this machine's memory at :data:`SESSION_MIB` each, every
    one at its heaviest: no student can take the lab's memory. Between 2 and 32."""
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8
    return max(2, min(32, int(memory * MEMORY_FOR_SESSIONS / (SESSION_MIB * 2**20))))


PORT = Param("port", "int", 8000, "the port to listen on", 1, 65535)
MAX_SESSIONS = Param("max-sessions", "int", 8, "sessions at once; the next page is told the lab is full", 1, 1000)
IDLE_MINUTES = Param("idle-minutes", "float", 30.0, "a session with no input for this long ends", 0.1, 1440.0)
MAX_SESSION_HOURS = Param("max-session-hours", "float", 4.0, "a session ends this long after it began, whatever "
                          "its input (warned 10 minutes ahead, to save; its page offers a new one)", 0.1, 168.0)
MAX_PER_ADDRESS = Param("max-per-address", "int", None, "sessions at once from one client address (a lab behind "
                        "one NAT address needs room for the whole class)", 1, 1000, optional=True)


def join_code(text: str) -> str:
    """``--join-code`` checked: 4 to 64 letters, digits, - or _ (it goes in the address students open)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{4,64}", text):
        raise ConfigError(f"--join-code={cut(text)} is not allowed: 4 to 64 letters, digits, - or _ "
                          "(it goes in the address the students open)")
    return text


def public_url(text: str) -> str:
    """``--public-url`` checked and normalized: http or https, a host, an optional port and path, nothing
    after them; no trailing slash. :class:`ConfigError` otherwise (the students would get a broken page)."""
    parts = urlsplit(text.strip())
    scheme = parts.scheme.lower()
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
        well_formed = scheme in ("http", "https") and parts.hostname and not (parts.query or parts.fragment)
    except ValueError:
        well_formed = False
    if not well_formed or not text.isprintable():
        raise ConfigError(f"--public-url={cut(text)} is not allowed: a URL such as https://lab.example.edu/lrtui "
                          "(http or https, a host, an optional port and path)")
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def page_url(host: str, port: int, public_url: str | None, code: str | None = None) -> str:
    """The address to hand out: the public URL when given, else this machine's name when the server listens
    on every interface; with the join code in it when the lab has one."""
    if public_url:
        return public_url + (f"/?code={code}" if code else "")
    if host in ("", "0.0.0.0", "::"):
        host = socket.gethostname()
    return f"http://{host}:{port}/" + (f"?code={code}" if code else "")


OPEN_TO_ALL = ("lrtui serve: without --join-code, anyone who reaches this address takes a place, and a script can "
               "hold them all: on a network you do not control, give a join code")
"""What the server says at start when it listens beyond this machine without a join code."""


def only_this_machine(host: str) -> bool:
    """Whether a server listening on ``host`` can be reached from this machine only (a loopback address)."""
    return host == "localhost" or host == "::1" or host.startswith("127.")


def cannot_listen(host: str, port: int, error: OSError) -> str:
    """Why the server cannot listen on ``host`` and ``port``, in one line that names the option at fault
    and its value (the error is from resolving the host or binding the socket)."""
    shown = cut(host)
    if isinstance(error, socket.gaierror):
        return f"lrtui serve: --host {shown} is unknown: {error.strerror or error}"
    why = os.strerror(error.errno) if error.errno else str(error)  # (aiohttp's own text repeats the address)
    if error.errno == errno.EADDRINUSE:
        return f"lrtui serve: --port {port} is in use: {why} (another server has it: choose another --port)"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"lrtui serve: --host {shown} is not an address of this machine: {why}"
    if error.errno == errno.EACCES:
        return f"lrtui serve: --port {port} is not allowed to this user: {why} (ports below 1024 need root)"
    return f"lrtui serve: cannot listen on --host {shown} --port {port}: {why}"


def terminal_size(given: Mapping[str, Any]) -> tuple[int, int]:
    """The columns and rows a browser asks for, kept to what a screen can show (20-500 x 8-200)."""
    def number(key: str, default: int) -> int:
        try:
            return int(str(given.get(key, default)))
        except ValueError:
            return default

    return max(20, min(500, number("width", 80))), max(8, min(200, number("height", 24)))
