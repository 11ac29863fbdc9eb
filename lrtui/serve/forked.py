"""Sessions forked by the zygote (:mod:`lrtui.serve.zygote`), as the server sees them: the zygote kept running
(:class:`ZygoteKeeper`), a session's process as asyncio's Process (:class:`ForkedProcess`), and textual-serve's
AppService starting its process that way (:class:`ForkedAppService`); the packet protocol over the process's
stdin and stdout is textual-serve's, unchanged.

A forked session is the zygote's child, not the server's: the server cannot wait for it as for its own. The
zygote sends a pidfd of each child (a descriptor that names that process and no other, even once its number is
reused), which the server signals (``pidfd_send_signal``), and reports how each ended. If the zygote dies first,
its sessions die with it (PR_SET_PDEATHSIG): the pidfd says when. Where sessions cannot be forked (not Linux,
no pidfds, a zygote that dies again and again) they start as commands, textual-serve's way, said in one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import sys
import time
from types import SimpleNamespace
from typing import Any, Callable

from textual_serve.app_service import AppService

from lrtui.serve.zygote import NOT_FORKABLE, ONE_THREAD, forking_unavailable

log = logging.getLogger("textual-serve")

FORK_SECONDS = 20.0
"""How long a page waits for the zygote's answer (the first pages wait for its imports: about a second) before
its session is started as a command."""
RESTARTS = 3
"""Deaths of the zygote within :data:`RESTART_WINDOW` seconds after which sessions are started as commands."""
RESTART_WINDOW = 60.0
STOPPING_SECONDS = 1.0
"""How long the zygote has to exit when the server stops, before it is killed."""


class ZygoteUnavailable(Exception):
    """This session could not be forked (the zygote died meanwhile, or could not fork): the reason."""


def session_environment(debug: bool) -> dict[str, str]:
    """textual-serve's environment for a session (its driver, colours and frame rate; the size aside): the zygote
    imports Textual in it, since Textual reads some of it once, when imported."""
    return AppService._build_environment(SimpleNamespace(debug=debug))  # (it reads only self.debug)


async def _ready(fd: int, add: Callable, remove: Callable) -> None:
    """Until ``fd`` is readable (``add``: the loop's add_reader) or writable (add_writer)."""
    ready = asyncio.get_running_loop().create_future()
    add(fd, lambda: ready.done() or ready.set_result(None))
    try:
        await ready
    finally:
        remove(fd)


async def _receive(sock: socket.socket) -> tuple[dict | None, list[int]]:
    """The next message on ``sock`` (a non-blocking SOCK_SEQPACKET) and the descriptors it carries; None at its
    end, or for a message that is not JSON."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(sock, 4096, 1)
        except BlockingIOError:
            await _ready(sock.fileno(), loop.add_reader, loop.remove_reader)
            continue
        except OSError:  # (reset: the zygote is gone)
            return None, []
        try:
            return (json.loads(message) if message else None), fds
        except ValueError:
            return None, fds


async def _send(sock: socket.socket, message: bytes, fds: list[int]) -> None:
    """Send ``message`` with ``fds`` on ``sock`` (non-blocking), waiting while its buffer is full."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            socket.send_fds(sock, [message], fds)
            return
        except BlockingIOError:
            await _ready(sock.fileno(), loop.add_writer, loop.remove_writer)


async def _streams(stdin: int, stdout: int, stderr: int) -> tuple[asyncio.StreamWriter, asyncio.StreamReader,
                                                                   asyncio.StreamReader]:
    """asyncio's streams over the server's ends of a session's pipes, as asyncio's subprocesses have them."""
    loop = asyncio.get_running_loop()
    readers = []
    for fd in (stdout, stderr):
        reader = asyncio.StreamReader(limit=2**16)  # (asyncio's subprocesses' limit)
        await loop.connect_read_pipe(lambda r=reader: asyncio.StreamReaderProtocol(r), open(fd, "rb", 0))
        readers.append(reader)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, open(stdin, "wb", 0))
    return asyncio.StreamWriter(transport, protocol, None, loop), readers[0], readers[1]


class ForkedProcess:
    """A session's process forked by the zygote, as asyncio's Process is used by textual-serve and the server:
    ``pid``, ``stdin`` (a writer), ``stdout`` and ``stderr`` (readers), ``returncode``, ``wait()``, ``kill()`` and
    ``send_signal()``."""

    def __init__(self, pid: int, pidfd: int, reports: socket.socket, stdin: asyncio.StreamWriter,
                 stdout: asyncio.StreamReader, stderr: asyncio.StreamReader) -> None:
        self.pid = pid
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.returncode: int | None = None
        self._pidfd = pidfd
        self._reports = reports  # the session's socket: the zygote says there how it ended
        self._ended = asyncio.Event()
        self._watch = asyncio.ensure_future(self._watch_end())

    async def wait(self) -> int:
        """Until the process has ended: its returncode."""
        await self._ended.wait()
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, number: int) -> None:
        """Signal the process; ProcessLookupError once it has ended (as asyncio's)."""
        if self.returncode is not None:
            raise ProcessLookupError(f"session process {self.pid} has ended")
        signal.pidfd_send_signal(self._pidfd, number)  # (its pidfd: never another process that took its number)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    async def _watch_end(self) -> None:
        try:
            report, _ = await _receive(self._reports)
            if isinstance(report, dict) and isinstance(report.get("exit"), int):
                code = report["exit"]
            else:  # the zygote is gone, and the process with it (PR_SET_PDEATHSIG): its pidfd says when
                loop = asyncio.get_running_loop()
                await _ready(self._pidfd, loop.add_reader, loop.remove_reader)
                code = self._reaped()
            self.returncode = code
            self.stdin.close()
            self._ended.set()
        finally:  # (also when the server's loop ends first)
            self._reports.close()
            os.close(self._pidfd)
            self._pidfd = -1

    def _reaped(self) -> int:
        """The returncode of the ended process, reaped here if it became the server's child when the zygote died
        (the server is the container's init, or a subreaper); else, unknown, as it was killed: -SIGKILL."""
        try:
            ended = os.waitid(os.P_PIDFD, self._pidfd, os.WEXITED | os.WNOHANG)
        except ChildProcessError:  # another's child: whoever adopted it reaps it
            ended = None
        if ended is None:
            return -signal.SIGKILL
        return ended.si_status if ended.si_code == os.CLD_EXITED else -ended.si_status


class ZygoteKeeper:
    """The zygote, kept running for the server: started with it, asked for a session per page (:meth:`fork`),
    started again when it dies (:data:`RESTARTS` times a minute at most, then sessions start as commands)."""

    def __init__(self, argv: list[str], environment: dict[str, str]) -> None:
        self.argv = argv  # lrtui's arguments for a session: --serve-session and the app's options
        self.environment = {**environment, **ONE_THREAD}
        self.process: asyncio.subprocess.Process | None = None
        self.control: socket.socket | None = None  # the server's end of the zygote's socketpair
        self.unusable: str | None = None  # why sessions are started as commands instead (said once)
        self.deaths: list[float] = []
        self._started = asyncio.Event()  # a zygote runs (cleared while one is started again)
        self._keeping: asyncio.Task | None = None

    async def start(self) -> None:
        """Start the zygote, or say in one line why sessions start as commands instead."""
        self.unusable = forking_unavailable()
        if self.unusable is not None:
            log.warning("sessions start as processes of their own: %s", self.unusable)
            return
        try:
            await self._start()
        except OSError as error:  # (out of processes or files: the server serves all the same)
            self.unusable = f"the session zygote could not be started: {error.strerror or error}"
            log.warning("sessions start as processes of their own: %s", self.unusable)
            return
        self._keeping = asyncio.ensure_future(self._restart_when_gone())

    async def _start(self) -> None:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "lrtui.serve.zygote", str(os.getpid()), str(theirs.fileno()),
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, env=self.environment,
                pass_fds=(theirs.fileno(),), start_new_session=True)  # (ctrl+c is the server's to handle)
        except BaseException:
            mine.close()
            raise
        finally:
            theirs.close()
        mine.setblocking(False)
        self.control = mine
        self._started.set()

    async def _restart_when_gone(self) -> None:
        while True:
            assert self.process is not None and self.control is not None
            code = await self.process.wait()
            self._started.clear()
            self.control.close()
            now = time.monotonic()
            self.deaths = [*(t for t in self.deaths if now - t < RESTART_WINDOW), now]
            if code == NOT_FORKABLE or len(self.deaths) >= RESTARTS:
                why = "it cannot fork here" if code == NOT_FORKABLE else f"it died {len(self.deaths)} times in a minute"
                self.unusable = f"the session zygote ended (exit status {code}): {why}"
                log.warning("sessions start as processes of their own from now on: %s", self.unusable)
                self._started.set()
                return
            log.warning("the session zygote ended (exit status %s), and its sessions with it: started again", code)
            try:
                await self._start()
            except OSError as error:
                self.unusable = f"the session zygote could not be started again: {error.strerror or error}"
                log.warning("sessions start as processes of their own from now on: %s", self.unusable)
                self._started.set()  # (pages waiting for it go on, as commands)
                return

    async def fork(self, environment: dict[str, str], cwd: str) -> ForkedProcess:
        """A session's process forked by the zygote, in ``environment`` and ``cwd``; ZygoteUnavailable if it cannot
        be (the caller then starts it otherwise)."""
        if self.unusable is None and self.process is not None and not self._started.is_set():  # (started again)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._started.wait(), FORK_SECONDS)
        if self.unusable is not None or self.control is None or not self._started.is_set():
            raise ZygoteUnavailable(self.unusable or "the session zygote is not running")
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        (child_in, our_in), (our_out, child_out), (our_err, child_err) = os.pipe(), os.pipe(), os.pipe()
        try:
            pid, pidfd = await self._ask(self.control, mine, theirs, [child_in, child_out, child_err],
                                         {"argv": self.argv, "env": environment, "cwd": cwd})
        except BaseException:
            mine.close()
            for fd in (our_in, our_out, our_err):
                os.close(fd)
            raise
        return ForkedProcess(pid, pidfd, mine, *await _streams(our_in, our_out, our_err))

    @staticmethod
    async def _ask(control: socket.socket, mine: socket.socket, theirs: socket.socket, stdio: list[int],
                   request: dict) -> tuple[int, int]:
        """Send the zygote ``request`` with the session's socket (``theirs``) and ``stdio`` (closed here: the
        zygote has its own now); the child's pid and pidfd, answered on ``mine``."""
        try:
            mine.setblocking(False)
            await _send(control, json.dumps(request).encode(), [theirs.fileno(), *stdio])
        except OSError as error:
            raise ZygoteUnavailable(f"the zygote took no request: {error.strerror or error}") from None
        finally:
            theirs.close()
            for fd in stdio:
                os.close(fd)
        try:
            answer, fds = await asyncio.wait_for(_receive(mine), FORK_SECONDS)
        except asyncio.TimeoutError:
            raise ZygoteUnavailable(f"the zygote did not answer within {FORK_SECONDS:g} s") from None
        if isinstance(answer, dict) and isinstance(answer.get("pid"), int) and len(fds) == 1:
            return answer["pid"], fds[0]
        for fd in fds:
            os.close(fd)
        why = answer.get("error") if isinstance(answer, dict) else None
        raise ZygoteUnavailable(why or "the zygote ended before it answered")

    async def stop(self) -> None:
        """End the zygote (the server stops; its sessions have ended)."""
        if self._keeping is not None:
            self._keeping.cancel()
        if self.control is not None:
            self.control.close()  # (it exits at its end)
        if self.process is not None and self.process.returncode is None:
            try:
                await asyncio.wait_for(self.process.wait(), STOPPING_SECONDS)
            except asyncio.TimeoutError:  # (still importing the app: it reads its end only then)
                self.process.kill()
                await self.process.wait()


class ForkedAppService(AppService):
    """textual-serve's AppService, its app's process forked by the zygote (else started as its command)."""

    def __init__(self, command: str, *, zygote: ZygoteKeeper, **options: Any) -> None:
        super().__init__(command, **options)
        self.zygote = zygote

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        if self.zygote.unusable is None:
            try:
                process = await self.zygote.fork(self._build_environment(width, height), os.getcwd())
            except ZygoteUnavailable as why:
                log.warning("a session started as a process of its own: %s", why)
            else:
                self._process, self._stdin = process, process.stdin
                return process
        return await super()._open_app_process(width, height)
