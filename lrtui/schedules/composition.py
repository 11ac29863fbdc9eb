"""Schedules built from schedules: ``sequential`` (torch SequentialLR) and ``chained`` (ChainedScheduler).

Members are nested specs ``{"name": ..., "params": {...}}``; they share the composition's ``lr`` (one
optimizer in torch), so a member never sets ``lr`` itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lrtui.params import MAX_EPOCHS, ConfigError, Param
from lrtui.schedules import registry, stepping
from lrtui.schedules.join import join_schedules
from lrtui.schedules.registry import LR, Schedule, ScheduleDef

SCHEDULERS_HELP = "member schedules as nested specs (in a --spec file)"


MAX_NESTING = 8
"""Compositions inside compositions at most this deep (torch's own recipes nest two)."""


MAX_MEMBERS = 64
"""Member schedules in one composition, nested members counted too: every member is evaluated at every epoch
(and a chain's recurrence steps each one), so a thousand members made one key press cost minutes (issue 24).
torch's recipes use two or three."""


def count_members(specs: Any) -> int:
    """The member specs in ``specs`` (a list of specs), nested compositions' members included; text and
    anything else that is not yet a spec counts as one (its own composition counts its members again)."""
    if not isinstance(specs, (list, tuple)):
        return 0
    return sum(1 + (count_members(spec.get("params", {}).get("schedulers"))
                    if isinstance(spec, dict) and isinstance(spec.get("params"), dict) else 0) for spec in specs)


def _members(params: dict[str, Any], prefix: str, owner: str) -> list[Schedule]:
    if prefix.count("schedulers[") >= MAX_NESTING:
        raise ConfigError(f"{prefix}schedulers nests schedules more than {MAX_NESTING} deep: "
                          f"allowed at most {MAX_NESTING}")
    count = count_members(params["schedulers"])
    if count > MAX_MEMBERS:
        raise ConfigError(f"{prefix}schedulers has {count:,} member schedules (nested ones counted): allowed at "
                          f"most {MAX_MEMBERS}")
    members = []
    for i, spec in enumerate(params["schedulers"]):
        where = f"{prefix}schedulers[{i}]."
        member_params = dict(spec["params"])
        definition = registry.get(spec["name"], where)
        if definition.name == "plateau":
            raise ConfigError(f"{where[:-1]} is plateau: allowed members of {owner} are epoch schedules, not plateau")
        if "lr" in member_params:
            raise ConfigError(f"{where}lr is set by the {owner} schedule: allowed no lr on a member")
        if any(p.name == "lr" for p in definition.all_params):
            member_params["lr"] = params["lr"]
        members.append(registry.build(spec["name"], member_params, where))
    return members


# torch's SequentialLR restarts a member at a milestone through its closed form; these members have none
# that works there (a nested SequentialLR or ChainedScheduler raises NotImplementedError), or, like
# OneCycleLR, rewrite the optimizer's initial lr and so shift every other member.
_NOT_IN_SEQUENTIAL = {
    "sequential": "torch cannot restart a nested SequentialLR at a milestone",
    "chained": "torch cannot restart a ChainedScheduler at a milestone",
    "onecycle": "torch's OneCycleLR rewrites the optimizer's initial lr, which shifts the other members",
}


def _build_sequential(params: dict[str, Any], prefix: str) -> Schedule:
    milestones = params["milestones"]
    members = _members(params, prefix, "sequential")
    for i, member in enumerate(members):
        if member.name in _NOT_IN_SEQUENTIAL:
            raise ConfigError(
                f"{prefix}schedulers[{i}] is {member.name}, which sequential cannot hold "
                f"({_NOT_IN_SEQUENTIAL[member.name]}): allowed any other epoch schedule"
            )
        if member.params.get("warmup"):
            raise ConfigError(
                f"{prefix}schedulers[{i}].warmup={member.params['warmup']} is a nested SequentialLR, which torch "
                "cannot restart at a milestone: allowed warmup=0 on a member "
                "(make the warmup a linear member of its own)"
            )
    if len(milestones) != len(members) - 1:
        raise ConfigError(
            f"{prefix}milestones={','.join(map(str, milestones)) or 'none'} does not fit {len(members)} schedulers: "
            f"allowed exactly {len(members) - 1} milestones, one per switch"
        )
    if any(b <= a for a, b in zip(milestones, milestones[1:])):
        raise ConfigError(f"{prefix}milestones={','.join(map(str, milestones))} is not allowed: "
                          "allowed strictly increasing epochs")
    formula = join_schedules([member.formula for member in members], milestones)
    return Schedule("sequential", params, formula, members=tuple(members))  # no horizon: onecycle is excluded


def factor_schedules() -> list[str]:
    """The schedules whose torch update in a chain is a pure factor (chained itself among them)."""
    return [n for n in registry.names() if registry.get(n).multiplicative]


def is_product(schedule: Schedule) -> bool:
    """True when torch's chainable update of ``schedule`` is a pure factor, so that in a chain the closed
    forms multiply: the factor schedules, and chains of them, without a warmup."""
    return (schedule.definition.multiplicative and not schedule.params.get("warmup")
            and all(is_product(m) for m in schedule.members))


def _build_chained(params: dict[str, Any], prefix: str) -> Schedule:
    members = tuple(_members(params, prefix, "chained"))
    for i, member in enumerate(members):
        if member.params.get("warmup"):
            raise ConfigError(
                f"{prefix}schedulers[{i}].warmup={member.params['warmup']} is not allowed on a member of chained: "
                "allowed warmup=0 (make the warmup a sequential member: linear, then the schedule)"
            )
    lr = params["lr"]
    if all(is_product(m) for m in members):
        def formula(t: np.ndarray) -> np.ndarray:
            out = np.full(t.shape, lr, dtype=np.float64)
            if lr == 0:
                return out
            for member in members:
                out *= member.formula(t) / lr
            return out
    else:
        computed = [np.empty(0)]  # the longest run computed so far: the recurrence starts at epoch 0

        def formula(t: np.ndarray) -> np.ndarray:
            n = int(t.max()) + 1 if t.size else 0
            lrs = computed[0]
            if lrs.size < n:
                lrs = stepping.chained_lrs(lr, members, n)
                computed[0] = lrs
            return lrs[t]

    bounded = [(m.horizon, f"schedulers[{i}].{m.horizon_param}") for i, m in enumerate(members)
               if m.horizon is not None]
    horizon, horizon_param = min(bounded) if bounded else (None, "total_steps")
    return Schedule("chained", params, formula, horizon, horizon_param, members=members)


_DEFAULT_SEQUENTIAL = (
    {"name": "linear", "params": {"start_factor": 0.1, "total_iters": 5}},
    {"name": "cosine", "params": {"T_max": 95}},
)
_DEFAULT_CHAINED = (
    {"name": "constant", "params": {"factor": 0.5, "total_iters": 20}},
    {"name": "exponential", "params": {"gamma": 0.98}},
)

registry.register_def(
    ScheduleDef(
        name="sequential",
        family="composition",
        params=(
            LR,
            Param("schedulers", "specs", _DEFAULT_SEQUENTIAL, SCHEDULERS_HELP),
            Param("milestones", "int_list", (5,), "epochs where the next member starts (at its own epoch 0)", 1,
                  MAX_EPOCHS),
        ),
        formula=None,
        summary="Members one after another, each restarting at its own epoch 0 (torch SequentialLR).",
        doc=(
            "Members one after another, each restarting at its own epoch 0 (torch SequentialLR).\n\n"
            "    lr(t) = member_i(t - m_i)   for m_i <= t < m_(i+1),   milestones m_1 < ... < m_k, m_0 = 0\n\n"
            "Equivalent to optax.join_schedules. Members are the schedules torch can restart at a milestone:\n"
            "not sequential, chained or onecycle, and without the warmup option (make it a linear member)."
        ),
        build=_build_sequential,
    )
)

registry.register_def(
    ScheduleDef(
        name="chained",
        family="composition",
        params=(LR, Param("schedulers", "specs", _DEFAULT_CHAINED, SCHEDULERS_HELP)),
        formula=None,
        summary="Members stepped together, each updating the lr the others left (torch ChainedScheduler).",
        doc=(
            "Members stepped together, each updating the lr the others left (torch ChainedScheduler).\n\n"
            "When every member's torch update is a pure factor (constant, step, multistep, exponential,\n"
            "linear, polynomial, and chains of them), the factors multiply:\n\n"
            "    lr(t) = lr * prod_i (member_i(t) / lr)\n\n"
            "Otherwise the lr is torch's recurrence, member by member at each epoch: cosine multiplies the\n"
            "lr by a ratio of cosines (linear x cosine peaks below lr), and cyclic, onecycle, cosine_restarts,\n"
            "the transformers schedules and sequential overwrite it with their own value."
        ),
        build=_build_chained,
        multiplicative=True,
    )
)
