"""torch's ChainedScheduler, step by step: what a chain computes when its members do not simply multiply.

A ChainedScheduler calls every member's ``step()`` in turn, and each member's recursive ``get_lr`` updates
the lr it finds in the optimizer, the one the members before it left there. Every update torch has is
affine in that lr, ``lr <- a * lr + c``:

* a pure factor (ConstantLR, StepLR, MultiStepLR, ExponentialLR, LinearLR, PolynomialLR): c = 0;
* CosineAnnealingLR: a ratio of cosines around eta_min, and an added step at each trough;
* an overwrite (LambdaLR, CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts): a = 0, c = its own value;
* a SequentialLR: its current member's update, and an overwrite at a milestone, where the next member
  restarts at its closed form.

Composed in member order, the chain is one update per epoch, and the lr is the recurrence

    lr_t = A_t * lr_(t-1) + C_t,   lr_(-1) = the optimizer's lr,

where t = 0 holds the steps the members' constructors take. Each member's base lr (torch's ``base_lrs``)
is the optimizer's ``initial_lr`` when it is built: the lr before any scheduler, except that a OneCycleLR
rewrites it (max_lr / div_factor) and a CyclicLR built first sets it to its base_lr.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from lrtui.schedules import registry
from lrtui.schedules.registry import Schedule


@dataclass(frozen=True)
class Updates:
    """The updates ``lr <- a[t] * lr + c[t]``, one per epoch t = 0 .. n-1."""

    a: np.ndarray
    c: np.ndarray

    @staticmethod
    def identity(n: int) -> "Updates":
        return Updates(np.ones(n), np.zeros(n))

    def then(self, later: "Updates") -> "Updates":
        """These updates followed, at each epoch, by ``later``'s."""
        return Updates(later.a * self.a, later.a * self.c + later.c)


@dataclass
class ParamGroup:
    """What the optimizer's param group holds while the members are built: its lr and ``initial_lr``."""

    lr: float
    initial_lr: float | None = None

    def build(self, member: Schedule) -> float:
        """Record what building ``member`` does to the group, as torch's constructor does; return its base lr."""
        if member.name == "onecycle":
            self.initial_lr = member.params["max_lr"] / member.params["div_factor"]
        elif self.initial_lr is None:  # the first scheduler built sets it (CyclicLR sets the lr to base_lr first)
            self.initial_lr = member.params["base_lr"] if member.name == "cyclic" else self.lr
        return self.initial_lr


CHUNK = 1 << 16
"""Epochs computed at a time: the member updates of a long run never sit in memory all at once."""


@dataclass(frozen=True)
class Built:
    """A member as torch built it: its schedule, its base lr (a SequentialLR's: the initial_lr it resets the
    lr to), and its built members."""

    schedule: Schedule
    base: float
    members: tuple["Built", ...] = ()


def build(member: Schedule, group: ParamGroup) -> Built:
    """Build ``member`` on ``group`` as torch's constructors do, in torch's order (a sequential's cyclic
    member last, as lrtui's torch code builds it)."""
    if member.name == "chained":
        return Built(member, group.lr, tuple(build(inner, group) for inner in member.members))
    if member.name == "sequential":
        inner = member.members
        built: dict[int, Built] = {}
        for i in sorted(range(len(inner)), key=lambda i: inner[i].name == "cyclic"):
            built[i] = Built(inner[i], group.build(inner[i]))
        return Built(member, group.initial_lr, tuple(built[i] for i in range(len(inner))))
    return Built(member, group.build(member))


def chained_lrs(lr: float, members: tuple[Schedule, ...], n: int) -> np.ndarray:
    """The lr at epochs 0 .. n-1 of a torch ChainedScheduler of ``members`` (built in order) on an optimizer
    whose lr is ``lr``."""
    group = ParamGroup(lr)
    built = [build(member, group) for member in members]
    out = np.empty(n)
    for start in range(0, n, CHUNK):
        t = np.arange(start, min(start + CHUNK, n), dtype=np.int64)
        out[start:start + t.size] = run(_together(built, t), lr)
        lr = float(out[start + t.size - 1])
    return out


def updates(member: Built, t: np.ndarray) -> Updates:
    """The updates the built ``member`` makes at epochs ``t``."""
    schedule = member.schedule
    if schedule.name == "chained":
        return _together(member.members, t)
    if schedule.name == "sequential":
        return _sequential_updates(member, t)
    steps = leaf_updates(schedule, member.base, t)
    if schedule.name == "cyclic":
        # CyclicLR takes its constructor's step before it sets its own base_lrs: at t = 0 it writes the
        # optimizer's initial_lr (its base_lr only when it was built first, and so set initial_lr itself)
        steps.c[t == 0] = member.base
    return steps


def _together(members: Iterable[Built], t: np.ndarray) -> Updates:
    """A ChainedScheduler's step: each member's update at each epoch, in order."""
    total = Updates.identity(t.size)
    for member in members:
        total = total.then(updates(member, t))
    return total


def writes_own_value(member: Schedule) -> bool:
    """Whether torch steps ``member`` by writing its own value, whatever lr it finds (LambdaLR, CyclicLR,
    OneCycleLR, CosineAnnealingWarmRestarts): a plain schedule with no chainable form."""
    return member.definition.build is None and member.definition.chainable is None


def leaf_updates(member: Schedule, base: float, t: np.ndarray) -> Updates:
    """The updates of a plain (not composed) member with base lr ``base`` at its epochs ``t``."""
    if writes_own_value(member):
        return Updates(np.zeros(t.shape), value_from(member, base, t))
    definition = member.definition
    params = {p.name: member.params[p.name] for p in definition.params if p.name != "lr"}
    return Updates(*definition.chainable(t, base, **params))


def value_from(member: Schedule, base: float, t: np.ndarray) -> np.ndarray:
    """``member``'s own value at its epochs ``t`` when torch gives it the base lr ``base``."""
    lr = member.params.get("lr")
    if lr is None or lr == base:  # cyclic and onecycle have their own lrs
        return member.formula(t)
    if member.definition.family in ("transformers", "keras") and lr != 0:
        # LambdaLR: base * lam(t), and lam may read the optimizer's own lr (warmup_polynomial's lr_end / lr)
        return member.formula(t) * (base / lr)
    return registry.build(member.name, {**member.params, "lr": base}).formula(t)


def _sequential_updates(sequential: Built, t: np.ndarray) -> Updates:
    """SequentialLR as a member: at t = 0 it resets the lr to its initial_lr and its first member takes its
    first step; at a milestone the next member restarts at its closed form at its own epoch 0; in between,
    the current member steps on from the lr it finds."""
    starts = np.asarray((0,) + tuple(sequential.schedule.params["milestones"]), dtype=np.int64)
    current = np.searchsorted(starts[1:], t, side="right")
    a, c = np.empty(t.shape), np.empty(t.shape)
    for i, member in enumerate(sequential.members):
        here = current == i
        if not here.any():
            continue
        local = leaf_updates(member.schedule, member.base, t[here] - starts[i])
        a[here], c[here] = local.a, local.c
        if i > 0:
            restart = t == starts[i]
            a[restart] = 0.0
            c[restart] = value_from(member.schedule, member.base, np.zeros(1, dtype=np.int64))[0]
    first = t == 0
    c[first] = a[first] * sequential.base + c[first]
    a[first] = 0.0
    return Updates(a, c)


BLOCK = 32
"""Epochs the recurrence solves at once (within a block, in closed form); blocks are joined one by one."""


def run(steps: Updates, lr: float) -> np.ndarray:
    """The recurrence ``lr_t = a[t] * lr_(t-1) + c[t]`` from ``lr``, every lr_t.

    Within a block of :data:`BLOCK` epochs it is closed: with P_t the running product of a since the block
    began, ``lr_t = P_t * lr_start + P_t * sum_(u <= t) c_u / P_u``, all blocks at once; then the blocks' ends
    are joined in order. A block where P reaches 0 or underflows (an overwrite, a = 0, or gamma 0) steps
    one epoch at a time instead.
    """
    a, c = steps.a, steps.c
    n = a.size
    if n and not a.any():  # an overwrite at every epoch: the lr is the last writer's value
        return c.copy()
    blocks = -(-n // BLOCK)
    pad = blocks * BLOCK - n
    a = np.concatenate([a, np.ones(pad)]).reshape(blocks, BLOCK)
    c = np.concatenate([c, np.zeros(pad)]).reshape(blocks, BLOCK)
    with np.errstate(all="ignore"):
        prod = np.cumprod(a, axis=1)
        added = prod * np.cumsum(c / prod, axis=1)
    closed = np.all(np.isfinite(added) & (np.abs(prod) > 1e-150), axis=1)
    out = np.empty((blocks, BLOCK))
    starts = np.empty(blocks)
    for k, (is_closed, p_end, z_end) in enumerate(zip(closed.tolist(), prod[:, -1].tolist(), added[:, -1].tolist())):
        starts[k] = lr
        if is_closed:
            lr = p_end * lr + z_end
        else:
            out[k] = _one_by_one(a[k], c[k], lr)
            lr = float(out[k, -1])
    out[closed] = prod[closed] * starts[closed, None] + added[closed]
    return out.reshape(-1)[:n]


def _one_by_one(a: np.ndarray, c: np.ndarray, lr: float) -> np.ndarray:
    out = []
    for a_t, c_t in zip(a.tolist(), c.tolist()):
        lr = c_t if a_t == 0.0 else a_t * lr + c_t
        out.append(lr)
    return np.asarray(out, dtype=np.float64)
