"""Safe arithmetic over data elements: numbers, names, + - * /, parentheses, min() and max()."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext
from functools import lru_cache


class FormulaError(ValueError):
    pass


class MissingData(FormulaError):
    def __init__(self, names: list[str]):
        self.names = names
        super().__init__("missing: " + ", ".join(names))


_BINARY = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_FUNCTIONS = {"min", "max"}


@lru_cache(maxsize=1024)
def parse(formula: str) -> ast.Expression:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"invalid formula {formula!r}: {exc.msg}") from exc
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if (
                not (isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS)
                or node.keywords
            ):
                raise FormulaError(f"only min() and max() may be called in {formula!r}")
        elif isinstance(node, ast.BinOp):
            if not isinstance(node.op, _BINARY):
                raise FormulaError(f"operator not allowed in {formula!r}")
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise FormulaError(f"operator not allowed in {formula!r}")
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise FormulaError(f"only numbers are allowed in {formula!r}")
        elif not isinstance(
            node, (ast.Expression, ast.Name, ast.Load, *_BINARY, ast.USub, ast.UAdd)
        ):
            raise FormulaError(f"{type(node).__name__} is not allowed in {formula!r}")
    return tree


@lru_cache(maxsize=1024)
def _names(formula: str) -> tuple[str, ...]:
    tree = parse(formula)
    found = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in _FUNCTIONS]
    return tuple(sorted(set(found)))


def names(formula: str) -> list[str]:
    return list(_names(formula))


def evaluate(formula: str, values: Mapping[str, object]) -> Decimal:
    """The formula's value; names whose value is not a number count as missing."""
    return compiled(formula)(values)


Compiled = Callable[[Mapping[str, object]], Decimal]
_Node = Callable[[Mapping[str, Decimal]], Decimal]


@lru_cache(maxsize=1024)
def compiled(formula: str) -> Compiled:
    """The formula as a closure, built once: evaluating it walks no syntax tree."""
    tree = parse(formula)
    used = _names(formula)
    body = _compile(tree.body)

    def run(values: Mapping[str, object]) -> Decimal:
        missing = [n for n in used if not isinstance(values.get(n), Decimal)]
        if missing:
            raise MissingData(missing)
        with localcontext() as ctx:
            ctx.prec = 28
            try:
                return body(values)  # type: ignore[arg-type]
            except (DivisionByZero, InvalidOperation, ZeroDivisionError) as exc:
                raise FormulaError("division by zero") from exc

    return run


def _divide(left: Decimal, right: Decimal) -> Decimal:
    if right == 0:
        raise FormulaError("division by zero")
    return left / right


_OPERATORS: dict[type, Callable[[Decimal, Decimal], Decimal]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: _divide,
}


def _compile(node: ast.expr) -> _Node:
    if isinstance(node, ast.Constant):
        constant = Decimal(str(node.value))
        return lambda values: constant
    if isinstance(node, ast.Name):
        name = node.id
        return lambda values: values[name]
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand)
        if isinstance(node.op, ast.USub):
            return lambda values: -operand(values)
        return operand
    if isinstance(node, ast.BinOp):
        left, right = _compile(node.left), _compile(node.right)
        operator = _OPERATORS[type(node.op)]
        return lambda values: operator(left(values), right(values))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_compile(a) for a in node.args]
        if not args:
            name = node.func.id

            def no_arguments(values: Mapping[str, Decimal]) -> Decimal:
                raise FormulaError(f"{name}() needs arguments")

            return no_arguments
        pick = min if node.func.id == "min" else max
        return lambda values: pick(a(values) for a in args)
    raise FormulaError(f"cannot evaluate {ast.dump(node)}")


def interpret(formula: str, values: Mapping[str, Decimal]) -> Decimal:
    """The reference interpreter (walks the tree each time): tests check ``compiled`` by it."""
    tree = parse(formula)
    missing = [n for n in names(formula) if n not in values]
    if missing:
        raise MissingData(missing)
    with localcontext() as ctx:
        ctx.prec = 28
        try:
            return _eval(tree.body, values)
        except (DivisionByZero, InvalidOperation, ZeroDivisionError) as exc:
            raise FormulaError("division by zero") from exc


def _eval(node: ast.expr, values: Mapping[str, Decimal]) -> Decimal:
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if right == 0:
            raise FormulaError("division by zero")
        return left / right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_eval(a, values) for a in node.args]
        if not args:
            raise FormulaError(f"{node.func.id}() needs arguments")
        return min(args) if node.func.id == "min" else max(args)
    raise FormulaError(f"cannot evaluate {ast.dump(node)}")
