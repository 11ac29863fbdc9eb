"""Schedules one after another: :func:`join_schedules`, the one join every composite schedule is built from (the
warmup option, ``sequential``, the transformers schedules' phases), as optax builds its own from its
``join_schedules``."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

Piece = Callable[[np.ndarray], np.ndarray]
"""A schedule as a piece of a join: float learning rates (or factors) of an int64 array of epochs."""


def join_schedules(pieces: Sequence[Piece | float], boundaries: Sequence[int]) -> Piece:
    """The schedules ``pieces`` one after another, the next one starting at each of ``boundaries``, where it
    sees its own epoch 0 (optax.join_schedules; torch's SequentialLR):

        lr(t) = pieces[i](t - b_i)   for b_i <= t < b_(i+1),   i = 0 ... k

    with b_0 = 0, boundaries b_1 <= ... <= b_k, b_(k+1) = infinity: ``len(pieces) == len(boundaries) + 1``, and
    the last piece runs for ever. A piece between two equal boundaries (or before a boundary at 0) has no epochs;
    a piece that is a number is that value on its epochs.
    Each piece is called once, on its own epochs only (a long run costs one pass, not one per piece), and not
    at all when it has none; the epochs it gets are exact integers, so a piece that wants the epoch of the whole
    schedule adds b_i back without rounding, and may be a view of ``t``, not to be written into. The result is
    float64, of t's shape.

    >>> import numpy as np
    >>> ramp_then_flat = join_schedules([lambda t: t / 4, 1.0], [4])
    >>> ramp_then_flat(np.arange(7)).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    >>> join_schedules([1.0], [3])
    Traceback (most recent call last):
    ...
    ValueError: 1 pieces need 0 boundaries, got 1
    """
    if len(pieces) != len(boundaries) + 1:
        raise ValueError(f"{len(pieces)} pieces need {len(pieces) - 1} boundaries, got {len(boundaries)}")
    starts = np.asarray((0, *boundaries), dtype=np.int64)
    if np.any(np.diff(starts) < 0):
        raise ValueError(f"boundaries must be non-decreasing epochs >= 0, got {list(boundaries)}")
    pieces = tuple(pieces)

    def joined(t: np.ndarray) -> np.ndarray:
        flat = np.asarray(t).reshape(-1)
        out = np.empty(flat.shape, dtype=np.float64)
        for piece, start, part in zip(pieces, starts, _parts(flat, starts)):
            x = flat[part]
            if not x.size:
                continue
            if callable(piece):
                out[part] = piece(x - start if start else x)
            else:  # a number: no epochs to shift, no array to fill and copy (a flat tail cost 8x its schedule)
                out[part] = piece
        return out.reshape(np.shape(t))

    return joined


def _parts(t: np.ndarray, starts: np.ndarray) -> list[slice] | list[np.ndarray]:
    """Where each piece's epochs are in the 1-D ``t``: slices when t is in order (np.arange, how a schedule is
    called), which cost no copy, else masks; starts[i] <= t < starts[i + 1] for piece i."""
    if t.size and np.all(t[1:] >= t[:-1]):
        edges = [0, *np.searchsorted(t, starts[1:], side="left").tolist(), t.size]
        return [slice(a, b) for a, b in zip(edges, edges[1:])]
    started = [t >= b for b in starts[1:]]
    later = started + [np.zeros(t.shape, dtype=bool)]
    return [~later[0]] + [here & ~after for here, after in zip(started, later[1:])]
