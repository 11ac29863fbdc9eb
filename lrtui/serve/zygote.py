"""The zygote of lrtui serve's sessions: one process that has imported the app, and forks each session's
process from itself (``python -m lrtui.serve.zygote SERVER_PID CONTROL_FD``, started by the server).

A session started as a command imports numpy, Textual and the app before it draws: 39 MiB of its own (60 MiB
RSS) and 0.5-0.9 s to its first screen. Forked from here, as preloading servers fork their workers, it shares
those pages with the zygote and the other sessions (copy-on-write: 21.5 MiB of its own, the pages it writes to)
and draws in 0.1-0.2 s (benchmarks/bench_serve.py). Only a process with one thread and no event loop forks
safely, so the server is never forked, only this process: it holds numpy's BLAS to one thread
(:data:`ONE_THREAD`, in its environment before numpy is imported) and refuses to serve if it has more.

The server talks to it over one end of a socketpair (``CONTROL_FD``, inherited: no path another user could
connect to). A request is one message, JSON ``{"argv": [...], "env": {...}, "cwd": "..."}``, carrying four
descriptors: the session's own socket, then its stdin, stdout and stderr. The zygote forks; the child makes
those its 0, 1 and 2, takes the environment and the folder, a session (setsid) of its own, dies with the zygote
(PR_SET_PDEATHSIG) and runs ``lrtui ARGV`` as the command would. On the session's socket the server gets
``{"pid": N}`` with a pidfd of the child, and, once the child has ended and been reaped, ``{"exit": CODE}``
(asyncio's returncode: negative for a signal). The zygote ends when the server closes its end, or dies
(PR_SET_PDEATHSIG again), and every session it forked ends with it.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import json
import os
import selectors
import signal
import socket
import sys
import traceback
from dataclasses import dataclass

PRELOADED = (
    "lrtui.cli", "lrtui.cli.start", "lrtui.ui.app", "lrtui.serve.driver", "lrtui.io.sandbox",
    "textual.drivers.web_driver", "textual.layouts.horizontal", "textual.layouts.stream", "textual.scrollbar",
    "rich.ansi", "numpy.random", "secrets", "hmac",
)
"""What a session imports before its first screen (``python -X importtime``: these pull in the rest), imported
once here so that every forked session shares it."""

ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""The zygote's environment keeps numpy's BLAS to one thread: a fork copies only the thread that forks, and a
pool of BLAS threads left behind would hang a session's first matrix product."""

NOT_FORKABLE = 3
"""The zygote's exit status when it cannot fork safely (a thread besides its own after the imports): the
server then starts every session as a command."""

MAX_REQUEST = 1 << 20
"""The longest request, in bytes (the environment is most of it)."""

PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15


@dataclass(frozen=True)
class Request:
    """What a session's process runs: lrtui's arguments, its environment and its working folder."""

    argv: list[str]
    env: dict[str, str]
    cwd: str

    @classmethod
    def read(cls, message: bytes) -> "Request | None":
        """The request in ``message``; None if it is not one."""
        try:
            given = json.loads(message)
            request = cls(list(given["argv"]), dict(given["env"]), str(given["cwd"]))
        except (ValueError, KeyError, TypeError):
            return None
        strings = [*request.argv, *request.env, *request.env.values()]
        return request if all(isinstance(s, str) for s in strings) else None


def forking_unavailable() -> str | None:
    """Why sessions cannot be forked here (None: they can): the zygote needs Linux's fork, prctl and pidfds
    (Linux 5.3), so that the server can wait for and signal a process that is not its child."""
    if not sys.platform.startswith("linux"):
        return f"sessions are forked only on Linux, not {sys.platform}"
    if not all(hasattr(os, name) for name in ("fork", "pidfd_open", "waitid", "P_PIDFD")) or \
            not hasattr(signal, "pidfd_send_signal") or not hasattr(socket, "send_fds"):
        return "this Python has no pidfds (os.pidfd_open)"
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError as error:
        return f"this kernel has no pidfds (Linux 5.3 does): {error.strerror or error}"
    return None


def _prctl(option: int, value: int | bytes) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    argument = ctypes.c_char_p(value) if isinstance(value, bytes) else ctypes.c_ulong(value)
    if libc.prctl(option, argument, ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def die_with_parent(parent: int, name: bytes) -> None:
    """Be killed (SIGKILL) when ``parent``, the process that forked this one, ends; end now if it already has.
    ``name``: what ps and top call this process (its comm)."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the prctl
        os._exit(1)
    _prctl(PR_SET_NAME, name)


class Zygote:
    """The zygote's loop: a session forked for each request on ``control``, the end of each reported."""

    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.selector = selectors.DefaultSelector()
        self.children: dict[int, tuple[int, socket.socket]] = {}  # pidfd: (pid, the session's socket)

    def serve(self) -> Request:
        """Fork a session for each request and report each one's end, until the server closes its end (the
        process then exits). Returns only in a forked child, its descriptors the session's and none of the
        zygote's left open: the request it is to run."""
        self.selector.register(self.control, selectors.EVENT_READ)
        while True:
            for key, _ in self.selector.select():
                if key.fileobj is self.control:
                    request = self._take()
                    if request is not None:
                        return request
                else:
                    self._report_end(key.fd)

    def _take(self) -> Request | None:
        """Read a request and fork its session: in the child, the request; in the zygote, None."""
        message, fds, flags, _ = socket.recv_fds(self.control, MAX_REQUEST, 4)
        if not message and not fds:  # the server closed its end: it has stopped
            sys.exit(0)
        request = Request.read(message)
        if request is None or len(fds) != 4 or flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
            for fd in fds:  # (the server, seeing its session's socket closed unanswered, starts it otherwise)
                os.close(fd)
            return None
        session, stdio = socket.socket(fileno=fds[0]), fds[1:]
        session.setblocking(False)
        sys.stdout.flush()
        sys.stderr.flush()
        gc.freeze()  # what the zygote made since: out of the child's collections too
        zygote = os.getpid()
        try:
            pid = os.fork()
        except OSError as error:
            self._answer(session, {"error": f"fork: {error.strerror or error}"})
            session.close()
            for fd in stdio:
                os.close(fd)
            return None
        if pid == 0:
            try:
                self._become(zygote, request, session, stdio)
            except BaseException:  # never back into the zygote's loop
                traceback.print_exc()
                os._exit(1)
            return request
        for fd in stdio:
            os.close(fd)
        pidfd = os.pidfd_open(pid)  # (before the child can be reaped: it is this pid's, for certain)
        self._answer(session, {"pid": pid}, pidfd)
        self.children[pidfd] = (pid, session)
        self.selector.register(pidfd, selectors.EVENT_READ)
        return None

    def _become(self, zygote: int, request: Request, session: socket.socket, stdio: list[int]) -> None:
        """In the forked child: the session's process, as the command would have started it."""
        die_with_parent(zygote, b"lrtui-session")
        self.selector.close()
        self.control.close()
        session.close()
        for pidfd, (_, other) in self.children.items():
            os.close(pidfd)
            other.close()
        os.setsid()  # (a terminal's ctrl+c and the zygote's process group are not the session's)
        for target, fd in enumerate(stdio):
            os.dup2(fd, target)
        for fd in stdio:
            if fd > 2:  # (always: the zygote's own 0, 1 and 2 are open)
                os.close(fd)
        os.chdir(request.cwd)
        os.environ.clear()
        os.environ.update(request.env)
        sys.argv = ["lrtui", *request.argv]
        gc.enable()

    def _report_end(self, pidfd: int) -> None:
        """A session's process has ended: reap it, and tell the server how it ended."""
        pid, session = self.children.pop(pidfd)
        self.selector.unregister(pidfd)
        _, status = os.waitpid(pid, 0)
        os.close(pidfd)
        self._answer(session, {"exit": os.waitstatus_to_exitcode(status)})
        session.close()

    @staticmethod
    def _answer(session: socket.socket, message: dict, pidfd: int | None = None) -> None:
        with contextlib.suppress(OSError):  # the server is gone, or no longer waits for it
            data = json.dumps(message).encode()
            if pidfd is None:
                session.send(data)
            else:
                socket.send_fds(session, [data], [pidfd])


def main(argv: list[str] | None = None) -> None:
    """The zygote: import the app, then fork sessions until the server ends; in a forked child, run the
    session's lrtui and exit as it does."""
    parent, control = (int(arg) for arg in (sys.argv[1:] if argv is None else argv))
    die_with_parent(parent, b"lrtui-zygote")
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # (ignored by whoever started the server: no child to reap)
    gc.disable()  # no collections while importing: no holes in its pages for sessions' objects to fill (copying them)
    for name in PRELOADED:
        importlib.import_module(name)
    threads = len(os.listdir("/proc/self/task"))
    if threads > 1:
        print(f"lrtui serve: the session zygote has {threads} threads once the app is imported: it cannot fork "
              "safely", file=sys.stderr)
        sys.exit(NOT_FORKABLE)
    gc.freeze()  # kept out of every collection: a collection writes to each object it visits (a copied page)
    request = Zygote(socket.socket(fileno=control)).serve()
    from lrtui.cli import main as lrtui

    sys.exit(lrtui(request.argv))


if __name__ == "__main__":
    main()
