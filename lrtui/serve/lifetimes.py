"""When a session of lrtui serve ends by itself, and what its student is told: one with no key for the idle
time ends; one older than the lab's longest session is warned ahead (its app shows a notification: time to
save) and then ends, whatever its input (a key every half hour held a place for ever). Each ends as q ends it,
and its page says why, with a button for a new session. It imports neither aiohttp nor Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AGE_WARNING_SECONDS = 600.0
"""How long before its maximum age a session is warned (half its age, for a shorter one)."""
WARNING_SHOWN_SECONDS = 60.0
"""How long the warning stays on the student's screen."""

Due = Literal["ends old", "warned", "ends idle"]
"""What a session is due now: to end at its maximum age, to be warned of it, or to end idle."""


def duration(seconds: float) -> str:
    """``seconds`` for a person, in the largest unit that says it to a tenth: 45 seconds, 1 minute, 2.5 minutes,
    10 minutes, 1.5 hours (2.5 minutes read "2 minutes"); else "about" it (100 s: about 1.7 minutes)."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and abs(seconds / size - round(seconds / size, 1)) < 1e-9:
            return _counted(seconds / size, unit)
    if seconds < 90:
        return _counted(seconds, "second")
    unit, size = ("hour", 3600) if seconds >= 90 * 60 else ("minute", 60)
    return "about " + _counted(seconds / size, unit)


def _counted(amount: float, unit: str) -> str:
    text = f"{amount:.1f}".removesuffix(".0")
    return f"{text} {unit}" + ("" if text == "1" else "s")


@dataclass(frozen=True)
class Lifetime:
    """How long a session may go without a key (``idle_seconds``), and in all (``max_age_seconds``)."""

    idle_seconds: float
    max_age_seconds: float

    @property
    def warned_before(self) -> float:
        """Seconds before its maximum age that a session is warned."""
        return min(AGE_WARNING_SECONDS, self.max_age_seconds / 2)

    @property
    def checked_every(self) -> float:
        """Seconds between two looks at the sessions: a quarter of the shortest time watched, 1 to 30 s."""
        return max(1.0, min(30.0, self.idle_seconds / 4, self.warned_before / 2))

    def due(self, age: float, idle: float, warned: bool) -> Due | None:
        """What a session ``age`` seconds old, without a key for ``idle`` seconds and ``warned`` of its end or
        not, is due now (None: nothing)."""
        if age >= self.max_age_seconds:
            return "ends old"
        if not warned and age >= self.max_age_seconds - self.warned_before:
            return "warned"
        if idle > self.idle_seconds:
            return "ends idle"
        return None

    def warning(self, age: float) -> str:
        """What a session ``age`` seconds old is told ahead of its end (a notification in its app)."""
        left = duration(max(0.0, self.max_age_seconds - age))
        return (f"This session ends in {left}: a lab session lasts {duration(self.max_age_seconds)} at most. "
                "ctrl+s saves your work (it downloads); then reload the page for a new session.")

    def why(self, due: Due) -> str:
        """Why a session ended, as its page says it (a websocket's close reason: at most 123 bytes)."""
        if due == "ends old":
            return f"This session reached the lab's limit of {duration(self.max_age_seconds)} and ended."
        return f"This session had no key for {duration(self.idle_seconds)} and ended."
