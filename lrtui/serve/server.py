"""The lab server: textual-serve's, with a limit on sessions, an end to idle ones, and a page that works
without internet.

Every browser page that connects gets its own app process: forked from a zygote that has imported the app
(``fork_argv``: lrtui's arguments; :mod:`lrtui.serve.forked`), or started as ``command`` through ``/bin/sh``
(it begins with ``exec`` so no shell stays behind) where it cannot be forked or ``fork_argv`` is None. A page
that would go past ``max_sessions`` gets a short page saying the lab is full instead of a session; a place is
free again only once its process has ended (killed if it does not quit). A session with no key from its
browser for ``idle_seconds`` is ended as q ends it, and so is one older than ``max_age_seconds``, warned
ahead (:mod:`lrtui.serve.lifetimes`): its page says why, and offers a new one. A page's messages, of every
kind, and of them its keys, are limited in rate, and in size (:mod:`lrtui.serve.limits`); a page that floods
is closed. A stop (ctrl+c, SIGTERM, SIGHUP) ends every session within seconds; the server
removes the folder of any it had to kill.

Against one client holding the lab: a join code (``join_code``: a page or a websocket without it is refused;
the page that has it in its address keeps it in a cookie for its websocket), an optional cap on the sessions
of one client address (``max_per_address``), and new sessions limited in rate per address
(:class:`ConnectLimits`); a websocket that says nothing as a page does is closed (:data:`FIRST_MESSAGE_SECONDS`),
and a server open to the network without a join code says so at start. A request whose headers do not arrive within
:data:`HALF_OPEN_SECONDS` is closed, the limit on open files is raised to what the system allows, and an
error repeated in a flood is logged once a minute with its count (:class:`RepeatedOnce`).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hmac
import json
import logging
import resource
import signal
import sys
import time
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp_jinja2
import jinja2
from aiohttp import WSCloseCode, WSMessage, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from lrtui.params import ConfigError
from lrtui.serve.downloads import Downloads, SessionDownloads
from lrtui.serve.forked import ForkedAppService, ZygoteKeeper, session_environment
from lrtui.serve.lifetimes import Lifetime, duration
from lrtui.serve.limits import FOCUS_BYTES, ConnectLimits, PageLimits, SizesLater
from lrtui.serve.settings import (MAX_SESSION_HOURS, OPEN_TO_ALL, cannot_listen, only_this_machine, page_url,
                                  terminal_size)
from lrtui.io.sandbox import remove_ended

log = logging.getLogger("textual-serve")

ENDING_SECONDS = 3.0
"""How long a session's app has to quit (and then as long again to exit) before its process is killed."""
STOPPING_SECONDS = 1.0
"""...when the server stops (ctrl+c, SIGTERM): it is gone within 5 s, every session's folder removed."""
TELL_SECONDS = 1.0
"""How long the server waits for a session's app to take a message of its own (a quit, a warning)."""
MAX_MESSAGE = 1 << 20
"""The longest websocket message taken (aiohttp's default is 4 MiB)."""
STOPPED = "The lab's server stopped: reload the page once it is back."
"""What the pages of the sessions a stop ends say."""
FLOODING = "this page sent more messages than a browser does: reload it for a new session"
"""Why a page that floods its session is closed (its websocket's close reason, at most 123 bytes)."""
SILENT = "this websocket sent nothing, as no page of the lab does: reload the page for a new session"
"""Why a websocket that never speaks is closed (a page pings as it opens)."""
FIRST_MESSAGE_SECONDS = 30.0
"""How long a new session's websocket may stay silent before it is closed, its place freed (a page speaks at once:
textual.js pings as its websocket opens)."""
CLOSING_SECONDS = 0.1
"""How long a page closed for breaking the rules is waited for to close its side (a flood is read meanwhile, as the
other sessions wait: 1 s of it put 200 ms on their round trip)."""
HALF_OPEN_SECONDS = 10.0
"""A connection that has not sent a whole request by then is closed (aiohttp waits 75 s: slowloris)."""
REPEATS_LOGGED_EVERY = 60.0
"""Seconds: an error repeated within them is counted, not logged again (a flood of 'too many open files')."""
JOIN_COOKIE = "lrtui-join"

TEMPLATES = Path(__file__).parent / "templates"

REFUSED_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>lrtui: {title}</title></head>
<body style="font-family: monospace; background: #0c181f; color: #eee; padding: 3em; font-size: 16px">
<p>{text}</p></body></html>
"""
NO_CODE = ("This lab needs its join code: open the address your instructor handed out (it ends in "
           "?code=...).")
TOO_MANY_HERE = "Your address already has {sessions} sessions of this lab, its limit: close one first."
TOO_FAST = "Too many new sessions from your address: wait a minute, then reload."

FULL_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>lrtui: the lab is full</title></head>
<body style="font-family: monospace; background: #0c181f; color: #eee; padding: 3em; font-size: 16px">
<p>This lab server already runs {sessions} sessions, its limit. Try again in a few minutes (idle sessions
end after {idle}), or ask your instructor.</p>
<p><button type="button" autofocus onclick="window.location.reload()">Try again</button></p>
</body></html>
"""


class LabServer(Server):
    def __init__(self, command: str, *, host: str, port: int, public_url: str | None, max_sessions: int,
                 idle_seconds: float, max_age_seconds: float = MAX_SESSION_HOURS.default * 3600,
                 title: str = "lrtui", join_code: str | None = None, max_per_address: int | None = None,
                 fork_argv: list[str] | None = None) -> None:
        super().__init__(command, host=host, port=port, title=title, public_url=public_url,
                         templates_path=TEMPLATES)
        self.given_public_url = public_url  # None: the page takes its addresses from the browser's
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self.lifetime = Lifetime(idle_seconds, max_age_seconds)
        self.last_input: dict[AppService, float] = {}  # the sessions running, and when each last had input
        self.began: dict[AppService, float] = {}  # when each session began
        self.warned: set[AppService] = set()  # the sessions told they are near their maximum age
        self.why_ended: dict[AppService, str] = {}  # why the server ended a session, for its page
        self.refused = 0  # pages turned away because the lab was full
        self.dropped_keys = 0  # bytes of keys past a page's allowance
        self.dropped_messages = 0  # messages past a page's allowance (counted when the page goes)
        self.pages: dict[AppService, web.WebSocketResponse] = {}  # each session's page
        self._ending: dict[AppService, asyncio.Future] = {}  # sessions being ended
        self.download_manager = SessionDownloads()  # (textual-serve's, keeping a session's unread files few)
        self.downloads = Downloads(self.download_manager)
        self.listening = False  # the sockets are bound
        self.join_code = join_code
        self.max_per_address = max_per_address
        self.addresses: dict[AppService, str] = {}  # each session's client address
        self.uploads: dict[AppService, int] = {}  # files each session's page sent
        self.folders: dict[AppService, Path] = {}  # the folder of each session a page sent a file to
        self.connects = ConnectLimits()
        self.fork_argv = fork_argv
        self.zygote: ZygoteKeeper | None = None  # (started with the server when sessions are forked)

    def initialize_logging(self) -> None:
        logging.basicConfig(level="WARNING", format="lrtui serve: %(message)s")
        for handler in logging.getLogger().handlers:
            handler.addFilter(RepeatedOnce())

    def serve(self, debug: bool = False) -> None:
        """textual-serve's, saying the address once the server listens (not before)."""
        self.debug = debug
        self.initialize_logging()
        warning = file_limit_warning(raise_file_limit())
        if warning:
            print(warning, file=sys.stderr, flush=True)
        loop = asyncio.new_event_loop()
        # (SIGHUP: the instructor's terminal closed; the sessions, in sessions of their own, do not get it)
        for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(stop, self.request_exit)
        try:
            web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                        print=lambda _: self.say_ready(), shutdown_timeout=STOPPING_SECONDS,
                        keepalive_timeout=HALF_OPEN_SECONDS)
        except OSError as error:
            if self.listening:
                raise
            raise ConfigError(cannot_listen(self.host, self.port, error)) from None

    async def _make_app(self) -> web.Application:
        """textual-serve's routes, the static files without a listing of their folder, and behind a join code
        every path: the page and its websocket say why they refuse (:meth:`_refusal`); its files and downloads
        (fetched by the page, which holds the code in a cookie) answer 403 without it."""
        app = web.Application(middlewares=[self._files_need_the_code])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws", self.handle_websocket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, show_index=False, name="static"),
        ])
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def _files_need_the_code(self, request: web.Request, handler) -> web.StreamResponse:
        if self.join_code is not None and request.path not in ("/", "/ws"):
            given = request.cookies.get(JOIN_COOKIE) or request.query.get("code") or ""
            if not hmac.compare_digest(given.encode(), self.join_code.encode()):
                self.refused += 1
                return web.Response(status=403, text=NO_CODE)
        return await handler(request)

    def say_ready(self) -> None:
        self.listening = True  # (an OSError before this is the host's or the port's)
        url = page_url(self.host, self.port, self.given_public_url, self.join_code)
        places = f"{self.max_sessions} session" + ("s" if self.max_sessions != 1 else "")
        print(f"lrtui serve: students open {url} (up to {places}; one idle for "
              f"{duration(self.idle_seconds)} ends); ctrl+c stops", flush=True)
        if self.join_code is None and not only_this_machine(self.host):
            print(OPEN_TO_ALL, flush=True)

    async def on_startup(self, app: web.Application) -> None:
        self._idle_watch = asyncio.create_task(self._watch_lifetimes())
        if self.fork_argv is not None:
            self.zygote = ZygoteKeeper(self.fork_argv, session_environment(self.debug))
            await self.zygote.start()

    def new_service(self, write_bytes, write_str, close) -> AppService:
        """A session's AppService (not started): its process forked by the zygote, else started as the command."""
        options: dict[str, Any] = dict(write_bytes=write_bytes, write_str=write_str, close=close,
                                       download_manager=self.download_manager, debug=self.debug)
        if self.zygote is not None:
            return ForkedAppService(self.command, zygote=self.zygote, **options)
        return AppService(self.command, **options)

    async def on_shutdown(self, app: web.Application) -> None:
        """The server stops (it no longer listens): every session ends now, its app asked to quit and
        killed soon after if it does not (busy, or stuck), its folder removed, then its page closed. Only
        then does aiohttp wait for its handlers (for :data:`STOPPING_SECONDS`, not its default minute). The zygote
        ends last."""
        self._idle_watch.cancel()
        services = list(self.last_input)
        for service in services:
            self.why_ended.setdefault(service, STOPPED)
        endings = [self._end_soon(service, STOPPING_SECONDS) for service in services]
        if endings:
            await asyncio.wait(endings, timeout=2 * STOPPING_SECONDS + 0.5)
        for service in services:  # (one whose ending began before the stop has a longer patience)
            if service._process is not None and service._process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    service._process.kill()
        if endings:
            await asyncio.wait(endings, timeout=STOPPING_SECONDS)
        closing = [asyncio.wait_for(page.close(code=WSCloseCode.GOING_AWAY, message=b"the server stops"),
                                    STOPPING_SECONDS) for page in self.pages.values()]
        await asyncio.gather(*closing, return_exceptions=True)  # (a page that does not read is not waited for)
        if self.zygote is not None:
            await self.zygote.stop()

    def _refusal(self, request: web.Request, code_given: str | None) -> tuple[int, str, str] | None:
        """Why this client gets no session, as (HTTP status, title, text); None: it may have one."""
        if self.join_code is not None and not hmac.compare_digest((code_given or "").encode(), self.join_code.encode()):
            return 403, "join code needed", NO_CODE
        address = request.remote or ""
        if self.max_per_address is not None:
            here = sum(1 for a in self.addresses.values() if a == address)
            if here >= self.max_per_address:
                return 503, "one address, too many sessions", TOO_MANY_HERE.format(sessions=here)
        return None

    async def handle_index(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        refused = self._refusal(request, request.query.get("code"))
        if refused is not None:
            status, title, text = refused
            self.refused += 1
            page = REFUSED_PAGE.format(title=title, text=text)
            return web.Response(status=status, content_type="text/html", text=page)
        if len(self.last_input) >= self.max_sessions:
            self.refused += 1
            return web.Response(status=503, content_type="text/html", text=FULL_PAGE.format(
                sessions=len(self.last_input), idle=duration(self.idle_seconds)))
        public = self.given_public_url or ""  # checked and normalized: scheme://host[:port][/path]
        websocket = None
        if public:
            websocket = ("wss:" if public.startswith("https:") else "ws:") + public.split(":", 1)[1] + "/ws"
        context = {"title": self.title, "static_url": f"{public}/static/", "websocket_url": websocket,
                   "download_url": f"{public}/download/" if public else None,
                   "font_size": to_int(request.query.get("fontsize", "16"), 16)}
        page = aiohttp_jinja2.render_template("app_index.html", request, context)
        if self.join_code is not None:  # the page's websocket carries it (a browser sends the cookie with it)
            page.set_cookie(JOIN_COOKIE, self.join_code, httponly=True, samesite="Strict",
                            secure=(self.given_public_url or "").startswith("https:"))
        return page

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        """A file a session delivers, served once and whole (:mod:`lrtui.serve.downloads`)."""
        return await self.downloads.handle(request)

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        """textual-serve's, counting the sessions (a place is free only once its process is gone) and when
        each last had a key."""
        refused = self._refusal(request, request.cookies.get(JOIN_COOKIE) or request.query.get("code"))
        if refused is None and not self.connects.take(request.remote or ""):
            refused = 429, "too many sessions", TOO_FAST
        if refused is not None:  # before the upgrade: a plain HTTP refusal, no process started
            self.refused += 1
            status, _, text = refused
            return web.Response(status=status, text=text)
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE, autoping=False)
        width, height = terminal_size(request.query)
        await websocket.prepare(request)
        if len(self.last_input) >= self.max_sessions:  # two pages raced for the last place
            self.refused += 1
            await websocket.close(code=1013, message=b"the lab is full")
            return websocket
        # (its app's end closes the page, saying why the server ended it, if it did: ``service`` is read then)
        service = self.new_service(websocket.send_bytes, websocket.send_str,
                                   lambda: self._close_page(websocket, service))
        self.last_input[service] = self.began[service] = time.monotonic()
        self.addresses[service] = request.remote or ""
        self.pages[service] = websocket
        watcher: asyncio.Future | None = None
        try:
            await service.start(width, height)
            watcher = asyncio.ensure_future(self._close_when_gone(service, websocket))
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except ConnectionResetError:  # the page went while it was answered (a pong to a page gone): nothing wrong
            pass
        except Exception as error:  # as textual-serve: one session's failure is logged, the server goes on
            log.exception(error)
        finally:
            if watcher is not None:
                watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):  # to its end, even if this handler is cancelled
                await asyncio.shield(self._end_soon(service))
            self.pages.pop(service, None)
        return websocket

    async def _close_when_gone(self, service: AppService, websocket: web.WebSocketResponse) -> None:
        """A session's app that ends without saying so (killed: the OOM killer, kill -9) closes its page, so
        that its place and its folder are freed (textual-serve waits for an exit message that never comes)."""
        process = service._process
        if process is None:
            return
        await process.wait()
        with contextlib.suppress(Exception):
            await self._close_page(websocket, service, WSCloseCode.GOING_AWAY, "the session ended")

    async def _close_page(self, websocket: web.WebSocketResponse, service: AppService,
                          code: int = WSCloseCode.OK, why: str = "") -> None:
        """Close a session's page, saying why the server ended the session if it did (the page shows it)."""
        why = self.why_ended.get(service, why)
        await websocket.close(code=code, message=why.encode()[:123])

    def _end_soon(self, service: AppService, patience: float = ENDING_SECONDS) -> asyncio.Future:
        """The ending of a session (:meth:`_end`), begun now or already under way."""
        if service not in self._ending:
            self._ending[service] = asyncio.ensure_future(self._end(service, patience))
            self._ending[service].add_done_callback(lambda _: self._ending.pop(service, None))
        return self._ending[service]

    async def _end(self, service: AppService, patience: float = ENDING_SECONDS) -> None:
        """End a session: ask its app to quit as q does; a process still there after ``patience`` seconds,
        and as long again (busy, or stuck writing to a page that is gone), is killed. Its downloads are
        forgotten, then its place freed, then the folder of one killed removed (an app that quits removes its
        own)."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(service.stop(), patience)
        process = service._process  # textual-serve keeps it private; nothing else ends it
        if process is not None:
            if process.returncode is None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(process.wait(), patience)
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
            await process.wait()
        downloads = self.download_manager._active_downloads  # textual-serve never removes an ended session's
        for key in [k for k, d in downloads.items() if d.app_service is service]:
            del downloads[key]
        self.last_input.pop(service, None)
        self.addresses.pop(service, None)
        self.uploads.pop(service, None)
        self.folders.pop(service, None)
        self.began.pop(service, None)
        self.warned.discard(service)
        self.why_ended.pop(service, None)
        if process is not None and process.returncode != 0:  # (an app that quits removes its own folder)
            # found by a listing of the temporary folder, which can hold a million files: in a thread (sh execs
            # the app: its pid is the app's)
            await asyncio.to_thread(remove_ended, process.pid)

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """textual-serve's, noting the time of each key, within the page's limits (:class:`PageLimits`): every
        message, of any kind, counts; one past the allowance is dropped unread, and a page that floods is
        closed (:data:`FLOODING`). Of what is taken, keys and focus changes count against the keys' allowance
        too, and new sizes reach the app at most every :data:`RESIZE_SECONDS`."""
        limits = PageLimits()
        sizes = SizesLater(app_service)
        address = self.addresses.get(app_service, "?")
        try:
            async with contextlib.aclosing(self._page_messages(websocket, address)) as messages:
                async for message in messages:
                    verdict = limits.message(len(message.data) if isinstance(message.data, (str, bytes)) else 0)
                    if verdict == "close":
                        log.warning("a page closed: it sent more messages than a browser does (%s dropped; from "
                                    "%s)", f"{limits.dropped:,}", address)
                        await self._close_now(websocket, FLOODING)
                        break
                    if verdict == "drop":
                        continue
                    if message.type == WSMsgType.PING:  # (autoping is off: a flood of pings counts as any message)
                        await websocket.pong(message.data)
                    elif message.type == WSMsgType.TEXT:
                        await self._take(websocket, app_service, message.data, limits, sizes)
        finally:
            self.dropped_messages += limits.dropped
            sizes.cancel()

    async def _page_messages(self, websocket: web.WebSocketResponse, address: str) -> AsyncIterator[WSMessage]:
        """The messages from a session's page until it closes. A page speaks at once (textual.js pings as its
        websocket opens): a websocket that sends no text within :data:`FIRST_MESSAGE_SECONDS` is no page, and
        is closed (:data:`SILENT`), its place freed. (A websocket client's answers to the server's heartbeat
        pings are not speaking: every library sends them by itself.)"""
        deadline: float | None = time.monotonic() + FIRST_MESSAGE_SECONDS
        while True:
            try:  # (a timeout of 0 is none to aiohttp)
                message = await websocket.receive(None if deadline is None else
                                                  max(0.001, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                log.warning("a websocket closed: it sent nothing in %s s, as no page does (from %s)",
                            f"{FIRST_MESSAGE_SECONDS:g}", address)
                await self._close_now(websocket, SILENT)
                return
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                return
            if message.type == WSMsgType.TEXT:
                deadline = None
            yield message

    @staticmethod
    async def _close_now(websocket: web.WebSocketResponse, why: str) -> None:
        """Close a page that broke the rules, saying ``why``, without waiting long for its own close (meanwhile
        what it sends is read: a flood, as the other sessions wait)."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(websocket.close(code=WSCloseCode.POLICY_VIOLATION, message=why.encode()),
                                   CLOSING_SECONDS)

    async def _take(self, websocket: web.WebSocketResponse, app_service: AppService, text: str, limits: PageLimits,
                    sizes: SizesLater) -> None:
        """One message from the page, within its message allowance: ``[kind, data]`` as textual.js sends it."""
        try:
            kind, data = json.loads(text)
        except Exception:  # not a [kind, data] pair (or JSON nested past Python's recursion limit)
            return
        if kind == "stdin" and isinstance(data, str):
            # JSON lets a page send a lone surrogate ("\\ud800"), which no encoding takes: dropped here,
            # at the border (a replacement "?" would be a key of its own)
            keys = data.encode("utf-8", "ignore")
            if not keys:  # Textual's parser takes an empty read for the end of its input: the app would end
                return
            if not limits.keys.take(len(keys)):
                self.dropped_keys += len(keys)
                return
            self.last_input[app_service] = time.monotonic()
            await app_service.send_bytes(keys)
        elif kind == "upload":
            await self._upload(app_service, data)
        elif kind == "resize" and isinstance(data, dict):
            sizes.send(terminal_size(data))
        elif kind == "ping":
            await websocket.send_json(["pong", str(data)[:100]])
        elif kind in ("blur", "focus"):  # each costs the app a repaint: counted as keys are (a flood froze it)
            if not limits.keys.take(FOCUS_BYTES):
                self.dropped_keys += FOCUS_BYTES
                return
            await (app_service.blur() if kind == "blur" else app_service.focus())

    async def _upload(self, service: AppService, data: Any) -> None:
        """A file from the page into its session's folder (lrtui.serve.uploads), in a thread (the folder is
        found, once a session, by a listing of the temporary folder, which can hold a million files); what is
        refused is logged in one line, and the session goes on."""
        from lrtui.serve.uploads import UPLOADS_PER_SESSION, session_folder, store_upload

        count = self.uploads.get(service, 0)
        process = service._process
        folder = self.folders.get(service)
        if folder is None and process is not None and count < UPLOADS_PER_SESSION:
            folder = await asyncio.to_thread(session_folder, process.pid)
        if folder is None or count >= UPLOADS_PER_SESSION:
            log.warning("an upload refused: %s", "no session folder" if folder is None else "too many uploads")
            return
        self.folders[service] = folder
        self.uploads[service] = count + 1
        try:
            await asyncio.to_thread(store_upload, folder, data)
        except (ConfigError, OSError) as err:
            log.warning("an upload refused: %s", str(err)[:200])

    async def _watch_lifetimes(self) -> None:
        """End each session idle for too long, or too old (warned ahead), as :class:`Lifetime` says: as q ends
        it, its page told why; one too old is killed if it does not quit."""
        while True:
            await asyncio.sleep(self.lifetime.checked_every)
            now = time.monotonic()
            for service, last in list(self.last_input.items()):
                began = self.began.get(service, now)
                due = self.lifetime.due(now - began, now - last, service in self.warned)
                if due == "warned":
                    self.warned.add(service)
                    await self._tell(service, {"type": "notice", "text": self.lifetime.warning(now - began)})
                elif due == "ends old" and service not in self._ending:
                    self.why_ended[service] = self.lifetime.why(due)
                    self._end_soon(service)
                elif due == "ends idle" and service not in self.why_ended:  # (asked once: the app is ending)
                    self.why_ended[service] = self.lifetime.why(due)
                    await self._tell(service, {"type": "quit"})

    @staticmethod
    async def _tell(service: AppService, meta: dict) -> None:
        """Send a session's app ``meta``, waiting at most :data:`TELL_SECONDS` for its input to take it (an app
        that reads none, stuck, would hold up every other session's end)."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(service.send_meta(meta), TELL_SECONDS)


class RepeatedOnce(logging.Filter):
    """Log an error once per :data:`REPEATS_LOGGED_EVERY` seconds; its repeats meanwhile are counted, and the
    next one logged says how many there were (without the traceback the first one had)."""

    def __init__(self, every: float = REPEATS_LOGGED_EVERY) -> None:
        super().__init__()
        self.every = every
        self.seen: dict[tuple, tuple[float, int]] = {}  # (logger, message, error type): (logged at, repeats since)

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        key = (record.name, str(record.msg)[:200], error)
        if record.exc_info and isinstance(record.exc_info[1], OSError) and \
                record.exc_info[1].errno in (errno.EMFILE, errno.ENFILE):  # wherever it struck: one error
            record.name, record.msg, record.args = "lrtui", OUT_OF_FILES.format(limit=file_limit()), ()
            record.exc_info, record.exc_text = None, None
            key = ("out of files",)
        now = time.monotonic()
        logged, repeats = self.seen.get(key, (None, 0))
        if logged is not None and now - logged < self.every:
            self.seen[key] = (logged, repeats + 1)
            return False
        if len(self.seen) > 1000:
            self.seen.clear()
        self.seen[key] = (now, 0)
        if repeats:
            record.msg = f"{record.msg} (and {repeats:,} times more in the last {now - logged:.0f} s)"
            record.exc_info, record.exc_text = None, None
        return True


OUT_OF_FILES = ("out of open files (the limit is {limit:,}): pages and sessions are refused until some close; "
                "raise the limit (LimitNOFILE in the service, ulimit -n)")
"""What running out of files logs, wherever it struck (accepting a connection, a page's template, a session's
pipes): one line, never a traceback each."""


def file_limit() -> int:
    """The process's limit on open files now."""
    with contextlib.suppress(ValueError, OSError):
        return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return 0


LOW_FILE_LIMIT = 4096
"""Open files below which a lab can be held: one client's half-open requests (each a file until
HALF_OPEN_SECONDS) use them up and pages cannot load meanwhile."""


def raise_file_limit() -> int:
    """Open files up to the system's hard limit (systemd gives 1,024: a few hundred pages and half-open
    requests would use them up); the limit now."""
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY:
            hard = max(soft, 1 << 20)
        if soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def file_limit_warning(limit: int) -> str | None:
    """What the server says at start when it can open too few files (None: enough)."""
    if limit == resource.RLIM_INFINITY or limit >= LOW_FILE_LIMIT:
        return None
    return (f"lrtui serve: warning: this process may open {limit} files and the system allows no more: one client "
            f"holding that many half-open requests keeps pages from loading for {HALF_OPEN_SECONDS:g} s at a time; "
            f"raise the limit (systemd: LimitNOFILE=65536; a shell: ulimit -n 65536)")


def run(command: str, **settings: Any) -> None:
    """Serve ``command`` (or sessions forked from a zygote: ``fork_argv``) until ctrl+c or SIGTERM."""
    LabServer(command, **settings).serve()
