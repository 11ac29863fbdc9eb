"""Runs compared with the one on screen: the pinned runs and what simulating each gave (:class:`Pinned`),
and the scoreboard's rows for all of them (:func:`board_rows`). No Textual here.

Pinned runs share the current run's problem, problem parameters and seed (lrtui.analysis.compare.follow):
change them and every pinned run follows, and runs again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lrtui.analysis.compare import Score, describe, distinguish, follow, score
from lrtui.app_settings import MAX_PINNED
from lrtui.analysis.verdict import Verdict, judge
from lrtui.params import ConfigError
from lrtui.sim.config import Prepared, RunConfig, Trace, check_together, prepare
from lrtui.plotting.series import Look
from lrtui.ui.simulation import Outcome
from lrtui.ui.views import NOW_COLOUR, PIN_LOOKS

assert len(PIN_LOOKS) == MAX_PINNED


@dataclass(frozen=True)
class BoardRow:
    """A run's row: its marker and colour (as on the plots), label (``now`` or ``#2``), description and score."""

    marker: str
    colour: str | None
    label: str
    description: str
    score: Score | None  # None: no trace (still simulating, or the run cannot be simulated)
    verdict: str


class Pinned:
    """The pinned runs (``configs``, at most MAX_PINNED) and each one's outcome (``results``: a trace, the
    error that says why it cannot run, or None while it is not simulated yet), index by index."""

    def __init__(self, configs: tuple[RunConfig, ...] = (), current: RunConfig | None = None) -> None:
        if len(configs) > MAX_PINNED:
            raise ConfigError(f"pinned: {len(configs)} runs is too many: at most {MAX_PINNED}")
        self.configs: list[RunConfig] = [follow(c, current) if current else c for c in configs]
        self.results: list[Outcome | None] = [None] * len(self.configs)

    def __len__(self) -> int:
        return len(self.configs)

    @property
    def full(self) -> bool:
        return len(self.configs) >= MAX_PINNED

    def follow(self, current: RunConfig) -> None:
        """Every pinned run takes the current run's problem and seed."""
        self.configs = [follow(c, current) for c in self.configs]

    def check_follow(self, current: Prepared, what: str) -> None:
        """Refuse the change ``what`` that made ``current`` (validated) when the pinned runs that would follow it
        and run again make, with it, more work than one run may (lrtui.sim.config.check_together). A pinned
        run that cannot run there costs nothing: it shows its error."""
        again = []
        for pin in self.configs:
            moved = follow(pin, current.config)
            if moved != pin:
                try:
                    again.append(prepare(moved))
                except ConfigError:
                    pass
        if again:
            check_together([current, *again], what)

    def add(self, config: RunConfig, trace: Trace) -> None:
        self.configs.append(config)
        self.results.append(trace)

    def remove(self, index: int) -> None:
        del self.configs[index], self.results[index]

    def clear(self) -> None:
        self.configs, self.results = [], []

    def traces(self) -> tuple[tuple[int, Trace], ...]:
        """The pinned runs that have a trace, with their index (which sets their colour and marker)."""
        return tuple((i, r) for i, r in enumerate(self.results) if isinstance(r, Trace))

    def known(self) -> tuple[Trace, ...]:
        return tuple(t for _, t in self.traces())

    def take(self, simulated: tuple[RunConfig, ...], outcomes: tuple[Outcome, ...]) -> bool:
        """The outcomes of simulating the pinned runs ``simulated``: the pins may have changed while they ran
        (u, p), so each current pin takes the one made for it. Whether a pin is still without its run."""
        if simulated == tuple(self.configs):
            self.results = list(outcomes)
        else:
            known = [r for r in (*outcomes, *self.results) if isinstance(r, Trace)]
            self.results = [next((t for t in known if t.config == pin), None) for pin in self.configs]
        return any(r is None for r in self.results)

    def keep_simulated(self, current: RunConfig) -> None:
        """Back to ``current`` (a simulation was cancelled): the pinned runs that have their run for it."""
        kept = [(follow(c, current), r) for c, r in zip(self.configs, self.results)]
        kept = [(c, r) for c, r in kept if isinstance(r, Trace) and r.config == c]
        self.configs, self.results = [c for c, _ in kept], [r for _, r in kept]


def board_rows(trace: Trace, verdict: Verdict, pinned: Pinned, target: float, noisy: bool,
               look: Look) -> list[BoardRow]:
    """The scoreboard's rows: the current run (``now``) and each pinned one (``#1``...), each with its
    marker and colour as the plots draw it, its description (only what tells the runs apart), its score
    against ``target`` and its verdict."""
    colour = lambda rich_colour: None if look.mono else rich_colour  # noqa: E731
    runs = (trace.config, *pinned.configs)  # each is described beside the others: by the values it uses
    rows = [BoardRow(look.glyph(None), colour(NOW_COLOUR[1]), "now", describe(trace.config, beside=runs),
                     score(trace, target, noisy), verdict.brief(look.ascii))]
    for i, (pin, result) in enumerate(zip(pinned.configs, pinned.results)):
        pin_look = PIN_LOOKS[i]
        marker = look.glyph(pin_look.marker if look.plain else None)  # as the plots' legend names it
        if isinstance(result, Trace):
            rows.append(BoardRow(marker, colour(pin_look.rich_colour), f"#{i + 1}", describe(pin, beside=runs),
                                 score(result, target, noisy), judge(result).brief(look.ascii)))
        else:
            rows.append(BoardRow(marker, colour(pin_look.rich_colour), f"#{i + 1}", describe(pin, beside=runs) + (
                f" ({result})" if isinstance(result, ConfigError) else " (simulating)"), None, ""))
    short = distinguish([r.description for r in rows])
    return [replace(r, description=d) for r, d in zip(rows, short)]
