"""The lab server: textual-serve's, with a limit on sessions, an end to idle ones, and a page that works
without internet.

Every browser page that connects gets its own app process (``command``, started through ``/bin/sh``; it
begins with ``exec`` so no shell stays behind). A page that would go past ``max_sessions`` gets a short
page saying the lab is full instead of a session; a place is free again only once its process has ended
(killed if it does not quit). A session with no key from its browser for ``idle_seconds`` is ended as q
ends it (the page offers a new one). A page's keys are limited in rate, its messages in size. A stop
(ctrl+c, SIGTERM) ends every session within seconds; the server removes the folder of any it had to kill.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from lrtui.params import ConfigError
from lrtui.serve.downloads import Downloads
from lrtui.serve.settings import cannot_listen, page_url, terminal_size
from lrtui.io.sandbox import remove_orphans

log = logging.getLogger("textual-serve")

ENDING_SECONDS = 3.0
"""How long a session's app has to quit (and then as long again to exit) before its process is killed."""
STOPPING_SECONDS = 1.0
"""...when the server stops (ctrl+c, SIGTERM): it is gone within 5 s, every session's folder removed."""
KEY_BYTES_PER_SECOND = 4096
"""Keys a page may send, in bytes a second (an arrow key held down sends about 100)."""
KEY_BURST = 16384
"""...and at once (a pasted path or note)."""
MAX_MESSAGE = 1 << 20
"""The longest websocket message taken (aiohttp's default is 4 MiB)."""

TEMPLATES = Path(__file__).parent / "templates"

FULL_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>lrtui: the lab is full</title></head>
<body style="font-family: monospace; background: #0c181f; color: #eee; padding: 3em; font-size: 16px">
<p>This lab server already runs {sessions} sessions, its limit. Try again in a few minutes (idle sessions
end after {idle} minutes), or ask your instructor.</p>
<p><button type="button" autofocus onclick="window.location.reload()">Try again</button></p>
</body></html>
"""


class LabServer(Server):
    def __init__(self, command: str, *, host: str, port: int, public_url: str | None, max_sessions: int,
                 idle_seconds: float, title: str = "lrtui") -> None:
        super().__init__(command, host=host, port=port, title=title, public_url=public_url,
                         templates_path=TEMPLATES)
        self.given_public_url = public_url  # None: the page takes its addresses from the browser's
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self.last_input: dict[AppService, float] = {}  # the sessions running, and when each last had input
        self.refused = 0  # pages turned away because the lab was full
        self.dropped_keys = 0  # bytes of keys past a page's allowance
        self.pages: dict[AppService, web.WebSocketResponse] = {}  # each session's page
        self._ending: dict[AppService, asyncio.Future] = {}  # sessions being ended
        self.downloads = Downloads(self.download_manager)
        self.listening = False  # the sockets are bound

    def initialize_logging(self) -> None:
        logging.basicConfig(level="WARNING", format="lrtui serve: %(message)s")

    def serve(self, debug: bool = False) -> None:
        """textual-serve's, saying the address once the server listens (not before)."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for stop in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop, self.request_exit)
        try:
            web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                        print=lambda _: self.say_ready(), shutdown_timeout=STOPPING_SECONDS)
        except OSError as error:
            if self.listening:
                raise
            raise ConfigError(cannot_listen(self.host, self.port, error)) from None

    def say_ready(self) -> None:
        self.listening = True  # (an OSError before this is the host's or the port's)
        url = page_url(self.host, self.port, self.given_public_url)
        print(f"lrtui serve: students open {url} (up to {self.max_sessions} sessions; one idle for "
              f"{self.idle_seconds / 60:g} minutes ends); ctrl+c stops", flush=True)

    async def on_startup(self, app: web.Application) -> None:
        self._idle_watch = asyncio.create_task(self._end_idle_sessions())

    async def on_shutdown(self, app: web.Application) -> None:
        """The server stops (it no longer listens): every session ends now, its app asked to quit and
        killed soon after if it does not (busy, or stuck), its folder removed, then its page closed. Only
        then does aiohttp wait for its handlers (for :data:`STOPPING_SECONDS`, not its default minute)."""
        self._idle_watch.cancel()
        services = list(self.last_input)
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

    async def handle_index(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        if len(self.last_input) >= self.max_sessions:
            self.refused += 1
            return web.Response(status=503, content_type="text/html", text=FULL_PAGE.format(
                sessions=len(self.last_input), idle=f"{self.idle_seconds / 60:g}"))
        public = self.given_public_url or ""  # checked and normalized: scheme://host[:port][/path]
        websocket = None
        if public:
            websocket = ("wss:" if public.startswith("https:") else "ws:") + public.split(":", 1)[1] + "/ws"
        context = {"title": self.title, "static_url": f"{public}/static/", "websocket_url": websocket,
                   "download_url": f"{public}/download/" if public else None,
                   "font_size": to_int(request.query.get("fontsize", "16"), 16)}
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        """A file a session delivers, served once and whole (:mod:`lrtui.serve.downloads`)."""
        return await self.downloads.handle(request)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's, counting the sessions (a place is free only once its process is gone) and when
        each last had a key."""
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        width, height = terminal_size(request.query)
        await websocket.prepare(request)
        if len(self.last_input) >= self.max_sessions:  # two pages raced for the last place
            self.refused += 1
            await websocket.close(code=1013, message=b"the lab is full")
            return websocket
        service = AppService(self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                             close=websocket.close, download_manager=self.download_manager, debug=self.debug)
        self.last_input[service] = time.monotonic()
        self.pages[service] = websocket
        try:
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # as textual-serve: one session's failure is logged, the server goes on
            log.exception(error)
        finally:
            with contextlib.suppress(asyncio.CancelledError):  # to its end, even if this handler is cancelled
                await asyncio.shield(self._end_soon(service))
            self.pages.pop(service, None)
        return websocket

    def _end_soon(self, service: AppService, patience: float = ENDING_SECONDS) -> asyncio.Future:
        """The ending of a session (:meth:`_end`), begun now or already under way."""
        if service not in self._ending:
            self._ending[service] = asyncio.ensure_future(self._end(service, patience))
            self._ending[service].add_done_callback(lambda _: self._ending.pop(service, None))
        return self._ending[service]

    async def _end(self, service: AppService, patience: float = ENDING_SECONDS) -> None:
        """End a session: ask its app to quit as q does; a process still there after ``patience`` seconds,
        and as long again (busy, or stuck writing to a page that is gone), is killed, and its folder removed
        (an app that quits removes its own). Its downloads are forgotten, then its place freed."""
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
            remove_orphans(pid=process.pid)  # the session's folder (sh execs the app: its pid is the app's)
        downloads = self.download_manager._active_downloads  # textual-serve never removes an ended session's
        for key in [k for k, d in downloads.items() if d.app_service is service]:
            del downloads[key]
        self.last_input.pop(service, None)

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """textual-serve's, noting the time of each key, and passing at most :data:`KEY_BYTES_PER_SECOND`
        of keys (a burst of :data:`KEY_BURST`) to the app: a flood from one page would keep its process
        busy for minutes."""
        allowance, last = float(KEY_BURST), time.monotonic()
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                kind, data = message.json()
            except Exception:  # not a [kind, data] pair (or JSON nested past Python's recursion limit)
                continue
            if kind == "stdin" and isinstance(data, str):
                now = time.monotonic()
                allowance = min(KEY_BURST, allowance + (now - last) * KEY_BYTES_PER_SECOND)
                last = now
                # JSON lets a page send a lone surrogate ("\\ud800"), which no encoding takes: dropped here,
                # at the border (a replacement "?" would be a key of its own)
                keys = data.encode("utf-8", "ignore")
                if not keys:  # Textual's parser takes an empty read for the end of its input: the app would end
                    continue
                if len(keys) > allowance:
                    self.dropped_keys += len(keys)
                    continue
                allowance -= len(keys)
                self.last_input[app_service] = now
                await app_service.send_bytes(keys)
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(*terminal_size(data))
            elif kind == "ping":
                await websocket.send_json(["pong", str(data)[:100]])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    async def _end_idle_sessions(self) -> None:
        every = max(1.0, min(30.0, self.idle_seconds / 4))
        while True:
            await asyncio.sleep(every)
            now = time.monotonic()
            for service, last in list(self.last_input.items()):
                if now - last > self.idle_seconds:
                    self.last_input[service] = now  # asked once: the app is ending
                    await service.send_meta({"type": "quit"})


def run(command: str, **settings: Any) -> None:
    """Serve ``command`` until ctrl+c or SIGTERM."""
    LabServer(command, **settings).serve()
