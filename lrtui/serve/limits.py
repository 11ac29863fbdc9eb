"""What one client may ask of lrtui serve, as token buckets: new sessions from one address
(:class:`ConnectLimits`), and what one page sends its session (:class:`PageLimits`): messages of every kind,
and keys; and a page's new sizes, reaching its app a few a second (:class:`SizesLater`). It imports neither
aiohttp nor Textual.

A bucket holds up to its burst and refills at its rate a second. Keys past their allowance are dropped (a
flood would keep the session's app busy for minutes). Messages past theirs are dropped too, and a page that
keeps on sending until it owes a whole burst more is closed: no browser page comes near it (a pointer swept
over the terminal sends a key message a frame), and each message, even one dropped, costs the server's one
thread some work that every other session waits for (a ping flood from one page raised the others' round
trip from under a millisecond to 300 ms).
"""

from __future__ import annotations

import asyncio
import time
from typing import Literal

KEY_BYTES_PER_SECOND = 4096
"""Keys a page may send, in bytes a second (an arrow key held down sends about 100)."""
KEY_BURST = 16384
"""...and at once (a pasted path or note)."""
FOCUS_BYTES = 256
"""What a page's focus or blur message counts against its keys' allowance (the app repaints for each: 2,000 at
once froze a session for 20 s); a page sends one when its window gains or loses focus."""
MESSAGES_PER_SECOND = 250
"""Messages of any kind a page may send a second (keys, the pointer, pings, resizes, focus, uploads, anything):
a pointer moved over the terminal sends one a frame, up to 240 on the fastest screens."""
MESSAGE_BURST = 500
"""...and at once. A message costs one, and one more for each :data:`MESSAGE_UNIT` bytes it has: the largest
upload (1 MB) costs 257, so one fits in the burst."""
MESSAGE_UNIT = 4096
CONNECTS_BURST = 60
"""New sessions one client address may open at once (a class behind one NAT address opens its pages together)..."""
CONNECTS_PER_SECOND = 0.2
"""...and then one every five seconds, on average (a session's start costs about 0.2 s of a core, forked, and
0.75 s started as a command: one a second from one address kept a core busy)."""

Verdict = Literal["take", "drop", "close"]
"""What becomes of a page's message: taken, dropped (past the allowance), or the page closed (it went a whole
burst past it)."""


class Allowance:
    """A token bucket: ``burst`` tokens at most, refilled at ``rate`` a second, full at first."""

    __slots__ = ("burst", "rate", "tokens", "counted")

    def __init__(self, burst: float, rate: float, now: float | None = None) -> None:
        self.burst, self.rate = burst, rate
        self.tokens = float(burst)
        self.counted = time.monotonic() if now is None else now  # when the tokens were last counted

    def _refill(self, now: float | None) -> None:
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.counted) * self.rate)
        self.counted = now

    def take(self, cost: float, now: float | None = None) -> bool:
        """Whether ``cost`` is within the allowance now: taken if so, nothing taken if not."""
        self._refill(now)
        if cost > self.tokens:
            return False
        self.tokens -= cost
        return True

    def charge(self, cost: float, now: float | None = None) -> bool:
        """``cost`` taken whether or not it is within the allowance (what is past it is owed, and paid back as the
        bucket refills); whether it was within it."""
        self._refill(now)
        self.tokens -= cost
        return self.tokens >= 0

    @property
    def owes_a_burst(self) -> bool:
        """Whether as much is owed as the bucket holds when full."""
        return self.tokens <= -self.burst


class PageLimits:
    """What one page may send its session: messages of any kind (:data:`MESSAGES_PER_SECOND`, a burst of
    :data:`MESSAGE_BURST`), and of them, keys (:data:`KEY_BYTES_PER_SECOND`, a burst of :data:`KEY_BURST`)."""

    def __init__(self, now: float | None = None) -> None:
        self.messages = Allowance(MESSAGE_BURST, MESSAGES_PER_SECOND, now)
        self.keys = Allowance(KEY_BURST, KEY_BYTES_PER_SECOND, now)
        self.dropped = 0  # messages dropped

    def message(self, size: int, now: float | None = None) -> Verdict:
        """What becomes of a message of ``size`` bytes from the page (any kind, before it is read)."""
        if self.messages.charge(1 + size // MESSAGE_UNIT, now):
            return "take"
        self.dropped += 1
        return "close" if self.messages.owes_a_burst else "drop"


class ConnectLimits:
    """New sessions per client address: a bucket of :data:`CONNECTS_BURST` that refills at
    :data:`CONNECTS_PER_SECOND`. Buckets that are full again are forgotten, so a flood from many addresses
    leaves nothing behind."""

    def __init__(self, burst: float = CONNECTS_BURST, rate: float = CONNECTS_PER_SECOND) -> None:
        self.burst, self.rate = burst, rate
        self.buckets: dict[str, Allowance] = {}

    def take(self, address: str, now: float | None = None) -> bool:
        """Whether ``address`` may open a session now (one token taken if so)."""
        now = time.monotonic() if now is None else now
        if len(self.buckets) > 1000:  # forget the addresses whose buckets are full again
            self.buckets = {a: b for a, b in self.buckets.items() if b.tokens + (now - b.counted) * b.rate < b.burst}
        bucket = self.buckets.setdefault(address, Allowance(self.burst, self.rate, now))
        return bucket.take(1, now)


RESIZE_SECONDS = 0.1
"""A page's new sizes reach its app at most this often, the last one always (a window dragged sends dozens a
second; the app repaints for each)."""


class SizesLater:
    """A page's new terminal sizes on their way to its session (``service``: what has ``set_terminal_size``),
    at most one each :data:`RESIZE_SECONDS`: a size sent meanwhile replaces the one waiting, and the last one
    always arrives."""

    def __init__(self, service) -> None:
        self.service = service
        self.waiting: tuple[int, int] | None = None
        self.sending: asyncio.Task | None = None

    def send(self, size: tuple[int, int]) -> None:
        """``size`` (columns, rows) to the session, now or after the last one's pause."""
        self.waiting = size
        if self.sending is None or self.sending.done():
            self.sending = asyncio.ensure_future(self._send_waiting())

    async def _send_waiting(self) -> None:
        while self.waiting is not None:
            size, self.waiting = self.waiting, None
            await self.service.set_terminal_size(*size)
            await asyncio.sleep(RESIZE_SECONDS)

    def cancel(self) -> None:
        """Send no more (the page is gone)."""
        if self.sending is not None:
            self.sending.cancel()
