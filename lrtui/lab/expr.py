"""An exercise's goal conditions: small Python expressions over the runs on screen, evaluated safely.

An instructor writes what must hold as an expression a Python reader can read::

    final_loss < 0.005
    lr > 0.9 * stable_lr and verdict != "diverged"
    schedule == "cosine" and T_max >= epochs
    any(p.final_loss + 2 * p.final_se < min(q.final_loss for q in pinned if q.schedule == "constant")
        for p in pinned if p.schedule != "constant")

The names are the facts of the run shown (:class:`Facts`: its results, its parameters by name, the problem's
known quantities), ``run`` (the same run), ``pinned`` and ``runs`` (the pinned runs; the run and the pinned
runs); a run's facts are its attributes (``p.final_loss``). ``schedule``, ``problem`` and ``optimizer`` equal
their names and carry their parameters (``problem.L``). Functions: abs, min, max, len, sum, all, any, round,
log10, sqrt. Nothing else is reachable: :func:`compile_condition` accepts only these forms (no attribute
beginning with ``_``, no call but of those functions, no import, no assignment), at most
:data:`MAX_LENGTH` characters and :data:`MAX_NODES` parts, and refuses anything else in one line.

A fact a run does not have (the final loss of a run that diverged) is None: a comparison with None does not
hold, arithmetic on it gives None. :meth:`Condition.check` gives whether it holds and, for a comparison, what
was seen (``final_loss 0.012, goal < 0.005``). No Textual here.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Any, Callable

MAX_LENGTH = 600
"""The longest condition, in characters."""
MAX_NODES = 200
"""The most parts (names, numbers, operators...) a condition may have."""
MAX_ITEMS = 64
"""The most items a generator in a condition may go through (the runs on screen are at most 7)."""

_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_SYMBOL = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.In: "in",
           ast.NotIn: "not in"}
_ARITHMETIC: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.Pow: operator.pow, ast.Mod: operator.mod, ast.FloorDiv: operator.floordiv,
}


def _finite_only(f: Callable[..., float]) -> Callable[..., float | None]:
    def guarded(*args: Any) -> float | None:
        if any(a is None for a in args):
            return None
        try:
            return f(*args)
        except (ValueError, OverflowError, ZeroDivisionError):
            return None
    return guarded


def _present(values: Any) -> list[Any]:
    return [v for v in values if v is not None]


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": _finite_only(abs), "log10": _finite_only(math.log10), "sqrt": _finite_only(math.sqrt),
    "round": _finite_only(round),
    "min": lambda *a: min(_present(a[0] if len(a) == 1 else a), default=None),
    "max": lambda *a: max(_present(a[0] if len(a) == 1 else a), default=None),
    "len": lambda a: len(list(a)), "sum": lambda a: sum(_present(a)),
    "all": lambda a: all(bool(v) for v in a), "any": lambda a: any(bool(v) for v in a),
}
"""The functions a condition may call; min, max and sum skip None."""


class ConditionError(ValueError):
    """A condition that cannot be accepted: one line saying why."""


class Named:
    """A schedule, problem or optimizer in a condition: equal to its name, its parameters as attributes."""

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        self.name = name
        self.params = params

    def __eq__(self, other: object) -> bool:
        return self.name == (other.name if isinstance(other, Named) else other)

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return self.name

    def attribute(self, name: str) -> Any:
        if name == "name":
            return self.name
        if name not in self.params:
            raise ConditionError(f"{self.name} has no parameter {name}: it has " + ", ".join(sorted(self.params)))
        return self.params[name]


class Facts:
    """What a condition can read of one run: ``values`` by name (results, parameters, known quantities)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def attribute(self, name: str) -> Any:
        if name not in self.values:
            raise ConditionError(f"a run has no {name}: it has " + ", ".join(sorted(self.values)))
        return self.values[name]


@dataclass(frozen=True)
class Seen:
    """A condition checked: whether it ``holds``, and ``shown``: for a comparison that did not hold, what
    was seen against what was asked ("final_loss 0.012, goal < 0.005"); else the condition's text."""

    holds: bool
    shown: str


@dataclass(frozen=True)
class Condition:
    """A goal condition, accepted by :func:`compile_condition`."""

    text: str
    tree: ast.Expression

    def value(self, names: dict[str, Any]) -> Any:
        """What the expression gives with ``names`` (a prediction's answer: ``stable_lr``)."""
        return _evaluate(self.tree.body, names)

    def check(self, names: dict[str, Any]) -> Seen:
        """Evaluate with ``names`` (a run's facts by name, and ``run``, ``pinned``, ``runs``)."""
        body = self.tree.body
        holds = bool(_evaluate(body, names))
        failing = body
        if not holds and isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And):
            failing = next((v for v in body.values if not _evaluate(v, names)), body)
        if isinstance(failing, ast.Compare) and len(failing.ops) == 1:
            left = _evaluate(failing.left, names)
            right = failing.comparators[0]
            asked = ast.unparse(right) if isinstance(right, ast.Constant) else _show(_evaluate(right, names))
            shown = f"{ast.unparse(failing.left)} {_show(left)}, goal {_SYMBOL[type(failing.ops[0])]} {asked}"
            return Seen(holds, shown)
        return Seen(holds, self.text)


def compile_condition(text: str) -> Condition:
    """``text`` parsed and checked to use only what a condition may (:class:`ConditionError` if not)."""
    if not isinstance(text, str):
        raise ConditionError(f"a condition is text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"a condition is at most {MAX_LENGTH} characters: this one has {len(text)}")
    source = " ".join(text.split())  # (its line breaks: a long condition may be written over lines)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        where = f"at column {err.offset}" if err.offset and err.offset <= len(source) else "at its end"
        raise ConditionError(f"{source!r} is not a condition: {err.msg} {where}") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ConditionError(f"a condition has at most {MAX_NODES} parts: this one has {len(nodes)}")
    for node in nodes:
        _allowed(node, source)
    return Condition(source, tree)


def free_names(condition: "Condition") -> set[str]:
    """The names a condition reads from its runs: every name but the functions and what its generators bind
    (``p`` in ``all(p.final_loss < 1 for p in pinned)``)."""
    bound = {t.id for node in ast.walk(condition.tree) if isinstance(node, ast.comprehension)
             for t in ast.walk(node.target) if isinstance(t, ast.Name)}
    return {n.id for n in ast.walk(condition.tree) if isinstance(n, ast.Name)} - bound - set(FUNCTIONS)


_FORMS = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.BinOp,
          ast.Compare, ast.Call, ast.Constant, ast.Name, ast.Load, ast.Store, ast.Attribute, ast.GeneratorExp,
          ast.ListComp, ast.comprehension, ast.List, ast.Tuple, ast.IfExp, *_COMPARE, *_ARITHMETIC)


def _allowed(node: ast.AST, source: str) -> None:
    where = ast.get_source_segment(source, node) if hasattr(node, "col_offset") else None
    if not isinstance(node, _FORMS):
        raise ConditionError(f"{where or type(node).__name__!r} cannot be in a condition: allowed comparisons, "
                             "arithmetic, and/or/not, names, numbers, text, calls of " + ", ".join(FUNCTIONS)
                             + " and generators (x for x in pinned)")
    if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
        raise ConditionError(f"{where!r} cannot be in a condition: no attribute begins with _")
    if isinstance(node, ast.Call) and (not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS
                                       or node.keywords):
        raise ConditionError(f"{where!r} cannot be in a condition: allowed calls of " + ", ".join(FUNCTIONS))
    if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str, bool, type(None))):
        raise ConditionError(f"{where!r} cannot be in a condition: allowed numbers, text, True, False, None")
    if isinstance(node, ast.comprehension) and (node.is_async or not isinstance(node.target, ast.Name)):
        raise ConditionError(f"{where or 'a generator'!r} cannot be in a condition: allowed for NAME in RUNS")


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _evaluate(node: ast.AST, names: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in names:
            return names[node.id]
        raise ConditionError(f"{node.id} is not a name a condition knows: allowed " + ", ".join(sorted(names)))
    if isinstance(node, ast.Attribute):
        owner = _evaluate(node.value, names)
        if not isinstance(owner, (Facts, Named)):
            raise ConditionError(f"{ast.unparse(node.value)} has no attributes: {ast.unparse(node)} is not a fact")
        return owner.attribute(node.attr)
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(_evaluate(v, names) for v in node.values)
        return any(_evaluate(v, names) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, names)
        if isinstance(node.op, ast.Not):
            return not value
        if value is None:
            return None
        return -value if isinstance(node.op, ast.USub) else +value
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, names), _evaluate(node.right, names)
        if left is None or right is None:
            return None
        if not all(isinstance(v, (int, float)) for v in (left, right)):  # ("x" * 10**9 is not a lab's business)
            raise ConditionError(f"{ast.unparse(node)}: arithmetic is on numbers, not {_show(left)} and {_show(right)}")
        if isinstance(node.op, ast.Pow) and isinstance(right, (int, float)) and abs(right) > 100:
            raise ConditionError(f"{ast.unparse(node)}: powers are at most 100")
        try:
            return _ARITHMETIC[type(node.op)](left, right)
        except (ZeroDivisionError, OverflowError):
            return None
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, names)
        for op, comparator in zip(node.ops, node.comparators):
            right = _evaluate(comparator, names)
            if (left is None or right is None) and not isinstance(op, (ast.Eq, ast.NotEq)):
                return False
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError:
                raise ConditionError(f"{ast.unparse(node)}: cannot compare {_show(left)} with {_show(right)}") \
                    from None
            left = right
        return True
    if isinstance(node, ast.IfExp):
        return _evaluate(node.body if _evaluate(node.test, names) else node.orelse, names)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_evaluate(e, names) for e in node.elts]
    if isinstance(node, ast.Call):
        args = [_evaluate(a, names) for a in node.args]
        try:
            return FUNCTIONS[node.func.id](*args)  # type: ignore[attr-defined]
        except TypeError as err:
            raise ConditionError(f"{ast.unparse(node)}: {err}") from None
    if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
        return list(_generate(node, 0, names))
    raise ConditionError(f"{ast.unparse(node)} cannot be evaluated")  # (compile_condition let none through)


def _generate(node: ast.GeneratorExp | ast.ListComp, index: int, names: dict[str, Any]):
    if index == len(node.generators):
        yield _evaluate(node.elt, names)
        return
    loop = node.generators[index]
    items = _evaluate(loop.iter, names)
    if not isinstance(items, list):
        raise ConditionError(f"{ast.unparse(loop.iter)} is not a list of runs or values to go through")
    if len(items) > MAX_ITEMS:
        raise ConditionError(f"{ast.unparse(loop.iter)} has more than {MAX_ITEMS} items")
    for item in items:
        inner = {**names, loop.target.id: item}  # type: ignore[union-attr]
        if all(_evaluate(test, inner) for test in loop.ifs):
            yield from _generate(node, index + 1, inner)
