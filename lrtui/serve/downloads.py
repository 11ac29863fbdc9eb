"""A session's files to its browser: each download served once and whole, under a header that names it right.

A session's app announces a file (textual-serve's ``DownloadManager`` records its key), the page asks for
``/download/{key}``, and the server pulls the file from the app chunk by chunk. textual-serve's own handler
wrote the file's name into ``Content-Disposition`` as it was (a name with ``;`` or ``"`` broke the header),
let two requests for one key take turns at its chunks (each got a part of the file, and the second's end
raised "task_done() called too many times"), and ended a body cut short (the app stopped answering) as if it
were whole. Here a key is served to one request, start to end: a request for a key being served gets 410,
for a key unknown or served already 404; a file cut short is never ended as whole (the connection is
dropped: the browser says the download failed). A session keeps at most OPEN_DELIVERIES files its page has not
fetched (:class:`SessionDownloads`): the app closes the oldest unread file when a new one comes
(lrtui.serve.driver), and the server forgets it.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from aiohttp import web
from textual_serve.download_manager import DOWNLOAD_CHUNK_SIZE, DOWNLOAD_TIMEOUT, Download, DownloadManager

from lrtui.serve.driver import OPEN_DELIVERIES

CHUNK_WAIT = 5 * DOWNLOAD_TIMEOUT
"""Seconds to wait for a piece of a file from a session's app: textual-serve's 4 s ran out on a loaded lab
machine (two cores, a session busy simulating), and the student got no file; a session that has ended says
so at once, so the wait only delays a busy one."""

ATTR_CHARS = "!#$&+-.^_`|~"
"""The characters RFC 5987's ext-value takes as they are, besides ASCII letters and digits."""


def content_disposition(file_name: str) -> str:
    """The ``Content-Disposition`` of a file, as RFC 6266 has it: its name as a quoted-string (``\\`` and
    ``"`` escaped, anything but printable ASCII as ``_``), and when that is not the name itself, the name
    whole as ``filename*`` (UTF-8, percent-encoded), which browsers take first. Always an attachment: a
    file a session wrote is never opened in the lab's own page (an HTML file there would run as the lab).

    >>> print(content_disposition('ok name; "q".toml'))
    attachment; filename="ok name; \\"q\\".toml"
    >>> print(content_disposition("ünï.csv"))
    attachment; filename="_n_.csv"; filename*=UTF-8''%C3%BCn%C3%AF.csv
    """
    plain = "".join(c if " " <= c <= "~" else "_" for c in file_name)
    quoted = plain.replace("\\", "\\\\").replace('"', '\\"')
    header = f'attachment; filename="{quoted}"'
    if plain != file_name:  # (a name from the disk may hold a surrogate: "?" then, as %3F)
        header += "; filename*=UTF-8''" + quote(file_name, safe=ATTR_CHARS, encoding="utf-8", errors="replace")
    return header


class SessionDownloads(DownloadManager):
    """textual-serve's record of the files sessions deliver, keeping at most OPEN_DELIVERIES a session's page
    has not fetched (the oldest go, as the app closes them); ``serving``: the keys on their way to a request."""

    def __init__(self) -> None:
        super().__init__()
        self.serving: set[str] = set()

    async def create_download(self, *, app_service, delivery_key: str, **announced) -> None:
        await super().create_download(app_service=app_service, delivery_key=delivery_key, **announced)
        waiting = [key for key, d in self._active_downloads.items()
                   if d.app_service is app_service and key not in self.serving]
        for key in waiting[: max(0, len(waiting) - OPEN_DELIVERIES)]:
            del self._active_downloads[key]


class Downloads:
    """The ``/download/{key}`` handler over the sessions' records (which it reads and removes)."""

    def __init__(self, manager: SessionDownloads) -> None:
        self.manager = manager
        self.serving = manager.serving  # keys whose file is on its way to a request

    async def handle(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        if key in self.serving:
            raise web.HTTPGone(text="This file is being downloaded already (each download is served once).")
        download = self.manager._active_downloads.get(key)
        if download is None:
            raise web.HTTPNotFound(text="No such file to download (each download is served once).")
        response = web.StreamResponse(headers={
            "Content-Type": (download.mime_type or "application/octet-stream")
            + (f"; charset={download.encoding}" if download.encoding else ""),
            "Content-Disposition": content_disposition(download.file_name),
            "X-Content-Type-Options": "nosniff"})  # (the browser takes the type given, never guesses HTML)
        if request.method == "HEAD":  # headers only: the file stays for the GET
            return response
        self.serving.add(key)
        try:
            return await self._serve(request, response, key, download)
        finally:
            self.serving.discard(key)
            if self.manager._active_downloads.get(key) is download:
                del self.manager._active_downloads[key]

    async def _serve(self, request: web.Request, response: web.StreamResponse, key: str,
                     download: Download) -> web.StreamResponse:
        chunk = await self._next_chunk(key, download)
        if chunk is None:  # nothing sent yet: a clean answer
            raise web.HTTPServiceUnavailable(text="The session did not send the file (it ended, or is busy): "
                                                  "save or export it again.")
        try:
            await response.prepare(request)
            while chunk:
                await response.write(chunk)
                chunk = await self._next_chunk(key, download)
        except ConnectionError:  # the browser went away: nothing to tell it
            return response
        if chunk is None:  # cut short: dropped, never ended as if whole (aiohttp's end then finds it closed)
            if request.transport is not None:
                request.transport.close()
            return response
        await response.write_eof()
        return response

    async def _next_chunk(self, key: str, download: Download) -> bytes | None:
        """The next piece of the file from the session's app (empty at its end), or None if the app cannot
        give it (the session ends, or nothing came within CHUNK_WAIT)."""
        asked = await download.app_service.send_meta(
            {"type": "deliver_chunk_request", "key": key, "size": DOWNLOAD_CHUNK_SIZE, "name": download.name})
        if not asked:
            return None
        try:
            return await asyncio.wait_for(download.incoming_chunks.get(), CHUNK_WAIT)
        except asyncio.TimeoutError:
            return None
