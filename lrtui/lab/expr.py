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

Its cost is bounded, for a lab is graded at every key of every student: a number written in it is at most
1e308 in size and a power's written exponent at most :data:`MAX_POWER`; the steps its evaluation may take
(its parts, times the items its generators go through: ``runs`` at most 7, ``pinned`` 6, a list as written,
anything else :data:`MAX_ITEMS`) are at most :data:`MAX_STEPS`, counted when it is read (a lab that could take
more is refused then) and again as it is evaluated (beyond them: :class:`ConditionError`). Whole numbers
beyond :data:`MAX_BITS` bits are not made (``(10**100)**100`` overflows to None, as a float would), and
``round``'s digits are at most :data:`MAX_ROUND`.

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

from lrtui.app_settings import MAX_PINNED

MAX_LENGTH = 600
"""The longest condition, in characters."""
MAX_NODES = 200
"""The most parts (names, numbers, operators...) a condition may have."""
MAX_ITEMS = 64
"""The most items a generator in a condition may go through (the runs on screen are at most 7)."""
MAX_STEPS = 10_000
"""The most steps (a part evaluated once) a condition may take: about 10 ms in the slowest case (a goal of 20
conditions is checked at every key)."""
MAX_POWER = 100
"""The largest exponent of a power (``x ** 100``)."""
MAX_BITS = 1024
"""The largest whole number made, in bits (beyond it, a float's range): a larger one overflows to None."""
MAX_ROUND = 20
"""The most digits ``round`` keeps or drops."""
MAX_NUMBER = 1e308
"""The largest number written in a condition."""
_RUNS = {"runs": 1 + MAX_PINNED, "pinned": MAX_PINNED}
"""The most items of the lists a condition is given."""

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
        except ConditionError:
            raise
        except (ValueError, OverflowError, ZeroDivisionError):
            return None
    return guarded


def _present(values: Any) -> list[Any]:
    return [v for v in values if v is not None]


def _round(value: Any, digits: Any = None) -> Any:
    if digits is not None and (not isinstance(digits, int) or abs(digits) > MAX_ROUND):  # (round(5, -10**15):
        # 10**10**15 made first)
        raise ConditionError(f"round's digits are a whole number from -{MAX_ROUND} to {MAX_ROUND}, not "
                             f"{_show(digits)}")
    return round(value) if digits is None else round(value, digits)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": _finite_only(abs), "log10": _finite_only(math.log10), "sqrt": _finite_only(math.sqrt),
    "round": _finite_only(_round),
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
        return _evaluate(self.tree.body, names, _Budget(self.text))

    def check(self, names: dict[str, Any]) -> Seen:
        """Evaluate with ``names`` (a run's facts by name, and ``run``, ``pinned``, ``runs``)."""
        body = self.tree.body
        budget = _Budget(self.text, 2)  # (the check, then what it shows: each part evaluated twice at most)
        holds = bool(_evaluate(body, names, budget))
        failing = body
        if not holds and isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And):
            failing = next((v for v in body.values if not _evaluate(v, names, budget)), body)
        if isinstance(failing, ast.Compare) and len(failing.ops) == 1:
            left = _evaluate(failing.left, names, budget)
            right = failing.comparators[0]
            asked = ast.unparse(right) if isinstance(right, ast.Constant) else _show(_evaluate(right, names, budget))
            shown = f"{ast.unparse(failing.left)} {_show(left)}, goal {_SYMBOL[type(failing.ops[0])]} {asked}"
            return Seen(holds, shown)
        return Seen(holds, self.text)


class _Budget:
    """The steps an evaluation has left (:data:`MAX_STEPS`): beyond them it stops, naming the condition."""

    __slots__ = ("left", "text")

    def __init__(self, text: str, times: int = 1) -> None:
        self.left = times * MAX_STEPS
        self.text = text

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise ConditionError(f"{_cut(self.text)} takes more than {MAX_STEPS:,} steps: allowed at most that")


def _cut(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[:most - 3] + "..."


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
    steps = _steps(tree.body)
    if steps > MAX_STEPS:
        raise ConditionError(f"{_cut(source)} may take {steps:,} steps: allowed at most {MAX_STEPS:,} (its "
                             f"generators go through runs: {_RUNS['runs']} items, pinned: {_RUNS['pinned']}, a list "
                             f"as written, anything else {MAX_ITEMS}; each one inside another multiplies)")
    return Condition(source, tree)


def _steps(node: ast.AST) -> int:
    """The most steps evaluating ``node`` may take: each part once, a generator's parts once per item (the
    items of :func:`_items`); more than the evaluation counts, never fewer."""
    if not isinstance(node, (ast.GeneratorExp, ast.ListComp)):
        return 1 + sum(_steps(child) for child in ast.iter_child_nodes(node))
    total, times = 1, 1  # times: how often the clause at hand is reached
    for loop in node.generators:
        total += times * (_steps(loop.iter) + 2)
        times *= _items(loop.iter)
        total += times * (2 + sum(_steps(test) for test in loop.ifs))
    return total + times * _steps(node.elt)


def _items(node: ast.AST) -> int:
    """The most items a generator's ``for`` may go through: runs and pinned as many as there are at most, a list
    as written, a generator's as many as it makes, anything else :data:`MAX_ITEMS` (all the evaluation allows)."""
    if isinstance(node, ast.Name) and node.id in _RUNS:
        return _RUNS[node.id]
    if isinstance(node, (ast.List, ast.Tuple)):
        return len(node.elts)
    if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
        return min(math.prod(_items(loop.iter) for loop in node.generators), MAX_ITEMS)
    return MAX_ITEMS


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
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not abs(node.value) <= MAX_NUMBER:
        raise ConditionError(f"{_cut(where or '')!r} cannot be in a condition: a number is at most 1e308 in size")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and _written(node.right):
        try:  # (an exponent written out, 10 ** 10 ** 10, is refused now: not at a student's every key)
            exponent = _evaluate(node.right, {}, _Budget(source))
        except ConditionError:
            exponent = None
        if isinstance(exponent, (int, float)) and not abs(exponent) <= MAX_POWER:
            raise ConditionError(f"{_cut(where or '')!r} cannot be in a condition: an exponent is at most "
                                 f"{MAX_POWER}")


def _written(node: ast.AST) -> bool:
    """Whether ``node`` is numbers and arithmetic alone: its value is known as the condition is read."""
    return all(isinstance(n, (ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop)) for n in ast.walk(node))


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _evaluate(node: ast.AST, names: dict[str, Any], budget: _Budget) -> Any:
    budget.spend()
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in names:
            return names[node.id]
        raise ConditionError(f"{node.id} is not a name a condition knows: allowed " + ", ".join(sorted(names)))
    if isinstance(node, ast.Attribute):
        owner = _evaluate(node.value, names, budget)
        if not isinstance(owner, (Facts, Named)):
            raise ConditionError(f"{ast.unparse(node.value)} has no attributes: {ast.unparse(node)} is not a fact")
        return owner.attribute(node.attr)
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(_evaluate(v, names, budget) for v in node.values)
        return any(_evaluate(v, names, budget) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, names, budget)
        if isinstance(node.op, ast.Not):
            return not value
        if value is None:
            return None
        return -value if isinstance(node.op, ast.USub) else +value
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, names, budget), _evaluate(node.right, names, budget)
        if left is None or right is None:
            return None
        if not all(isinstance(v, (int, float)) for v in (left, right)):  # ("x" * 10**9 is not a lab's business)
            raise ConditionError(f"{ast.unparse(node)}: arithmetic is on numbers, not {_show(left)} and {_show(right)}")
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_POWER:
            raise ConditionError(f"{_cut(ast.unparse(node))}: an exponent is at most {MAX_POWER}")
        try:
            if isinstance(node.op, ast.Pow) and isinstance(left, int) and isinstance(right, int) \
                    and left.bit_length() * right > MAX_BITS:
                left = float(left)  # (a whole number that large is not made: the float overflows to None; the
                # hostile retry's 1024-bit left side overflowed right here, outside the try, and ended every session)
            value = _ARITHMETIC[type(node.op)](left, right)
        except (ZeroDivisionError, OverflowError):
            return None
        if isinstance(value, complex):  # ((-8) ** 0.5: no real value)
            return None
        return None if isinstance(value, int) and value.bit_length() > MAX_BITS else value
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, names, budget)
        for op, comparator in zip(node.ops, node.comparators):
            right = _evaluate(comparator, names, budget)
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
        return _evaluate(node.body if _evaluate(node.test, names, budget) else node.orelse, names, budget)
    if isinstance(node, (ast.List, ast.Tuple)):
        return _flat([_evaluate(e, names, budget) for e in node.elts], node)
    if isinstance(node, ast.Call):
        args = [_evaluate(a, names, budget) for a in node.args]
        try:
            return FUNCTIONS[node.func.id](*args)  # type: ignore[attr-defined]
        except TypeError as err:
            raise ConditionError(f"{ast.unparse(node)}: {err}") from None
    if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
        return _flat(list(_generate(node, 0, names, budget)), node)
    raise ConditionError(f"{ast.unparse(node)} cannot be evaluated")  # (compile_condition let none through)


def _flat(values: list, node: ast.AST) -> list:
    """A list a condition makes holds runs or values, never lists: lists of lists sharing their items grew
    exponentially in a few hundred steps (the hostile retry: a goal that passed lab check built a 3 GB string in
    228 s at its first check); a goal has no use for them."""
    if any(isinstance(v, list) for v in values):
        raise ConditionError(f"{_cut(ast.unparse(node))}: a list holds runs or values, not lists")
    return values


def _generate(node: ast.GeneratorExp | ast.ListComp, index: int, names: dict[str, Any], budget: _Budget):
    if index == len(node.generators):
        yield _evaluate(node.elt, names, budget)
        return
    loop = node.generators[index]
    items = _evaluate(loop.iter, names, budget)
    if not isinstance(items, list):
        raise ConditionError(f"{ast.unparse(loop.iter)} is not a list of runs or values to go through")
    if len(items) > MAX_ITEMS:
        raise ConditionError(f"{ast.unparse(loop.iter)} has more than {MAX_ITEMS} items")
    for item in items:
        inner = {**names, loop.target.id: item}  # type: ignore[union-attr]
        if all(_evaluate(test, inner, budget) for test in loop.ifs):
            yield from _generate(node, index + 1, inner, budget)
