"""Safe arithmetic expressions for the command line: parsed with ``ast`` against a whitelist.

Allowed: numbers, names bound by ``x=1`` arguments, ``+ - * / **``, unary ``-``/``+``,
and calls ``f(e)`` of the Value functions ``exp log tanh sigmoid relu sin cos sqrt abs``.
Everything else (attribute access, other calls, subscripts, lambdas, comprehensions,
strings ...) is refused with an :class:`ExpressionError` naming the problem; the text is
never passed to ``eval``.  Sizes are bounded so hostile input is refused fast: at most
``MAX_CHARS`` characters, ``MAX_DEPTH`` levels of nesting, literals up to ``MAX_LITERAL``
in size, and a ``**`` exponent must involve a variable or be a constant up to
``MAX_EXPONENT`` in size (``x**2**2`` is fine; ``9**9**9`` is refused, not computed).

>>> z = evaluate("(x + y)**2", {"x": 1.0, "y": 2.0})
>>> z.data, z.label
(9.0, '(x + y)**2')
"""

from __future__ import annotations

import ast
import math
from typing import Any, Dict, List, Mapping, Optional, Tuple

from autograd_lite import DomainError, Value, fmt

MAX_CHARS = 1000
MAX_DEPTH = 60
MAX_LITERAL = 1e15
MAX_EXPONENT = 100
MAX_LABEL = 24
FUNCTIONS = ("exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt", "abs")

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


class ExpressionError(ValueError):
    """The expression is not allowed (or not valid); the message says why, in one line."""


def _refuse(message: str) -> ExpressionError:
    return ExpressionError(message)


def _literal(node: ast.AST) -> Optional[float]:
    """The number of a literal (or a negated literal), else None."""
    sign = 1.0
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
            and not isinstance(node.value, bool):
        return sign * float(node.value)
    return None


def check(text: str, names: Mapping[str, Any]) -> ast.Expression:
    """Parse ``text`` and check it against the whitelist; return the tree or raise ExpressionError."""
    if not isinstance(text, str):
        raise TypeError(f"expression: expected a str, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise _refuse(f"expression too long ({len(text)} characters; the limit is {MAX_CHARS})")
    if not text.strip():
        raise _refuse("expression is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise _refuse(f"not a valid expression: {e.msg} (column {e.offset})") from None
    except (MemoryError, RecursionError, ValueError):
        raise _refuse("expression too deeply nested to parse") from None
    # First the depth, iteratively: after this nothing may recurse deeper than MAX_DEPTH.
    nodes: List[ast.AST] = []
    stack: List[Tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _refuse(f"expression nested too deeply (more than {MAX_DEPTH} levels)")
        nodes.append(node)
        children = node.args if isinstance(node, ast.Call) else ast.iter_child_nodes(node)
        for child in children:
            if isinstance(child, (ast.operator, ast.unaryop, ast.expr_context)):
                continue
            stack.append((child, depth + 1))
    # Then every node against the whitelist, outermost first (the clearest message wins).
    for node in nodes:
        _check_node(node, names)
    # Last, constant exponents other than literals, innermost first: each is bounded by its
    # value (2**2**2 is fine, 9**9**9 is not).  Folding uses the library's float arithmetic
    # on already-checked subtrees: fast, and a huge value overflows instead of hanging.
    for node in reversed(nodes):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and _literal(node.right) is None \
                and not any(isinstance(s, ast.Name) for s in ast.walk(node.right)):
            try:
                n = _build(node.right, {}, None).data
            except (DomainError, ZeroDivisionError, OverflowError) as err:
                raise _refuse(f"the exponent cannot be computed ({err})") from None
            if not abs(n) <= MAX_EXPONENT:
                raise _refuse(f"exponent {fmt(n)} too large (the limit is {MAX_EXPONENT})")
    return tree


def _check_node(node: ast.AST, names: Mapping[str, Any]) -> None:
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _refuse(f"only numbers are allowed as literals, not {type(v).__name__} {v!r:.40}")
        if isinstance(v, int) and v.bit_length() > 64 or not abs(float(v)) <= MAX_LITERAL:
            raise _refuse(f"number literal too large (the limit is {fmt(MAX_LITERAL)})")
    elif isinstance(node, ast.Name):
        if node.id not in names:
            hint = " (write it as a call, e.g. exp(x))" if node.id in FUNCTIONS else \
                f"; bind it with {node.id}=<number>"
            raise _refuse(f"unknown name {node.id!r}{hint}")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            raise _refuse(f"operator {type(node.op).__name__} is not allowed (only + - * / **)")
        n = _literal(node.right) if isinstance(node.op, ast.Pow) else None
        if n is not None and not abs(n) <= MAX_EXPONENT:
            raise _refuse(f"exponent {fmt(n)} too large (the limit is {MAX_EXPONENT})")
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise _refuse(f"operator {type(node.op).__name__} is not allowed (only unary -)")
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            what = node.func.id if isinstance(node.func, ast.Name) else ast.dump(node.func)[:40]
            raise _refuse(f"call to {what!s} is not allowed; allowed functions: {', '.join(FUNCTIONS)}")
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            raise _refuse(f"{node.func.id}() takes exactly one argument")
    elif isinstance(node, ast.Attribute):
        raise _refuse("attribute access is not allowed")
    elif isinstance(node, ast.Subscript):
        raise _refuse("subscripts are not allowed")
    elif isinstance(node, ast.Lambda):
        raise _refuse("lambda is not allowed")
    elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        raise _refuse("comprehensions are not allowed")
    else:
        raise _refuse(f"{type(node).__name__} is not allowed in an expression")


def parse_bindings(items: List[str]) -> Dict[str, float]:
    """``["x=1", "y=2.5"]`` -> ``{"x": 1.0, "y": 2.5}``; anything malformed is an ExpressionError."""
    out: Dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise _refuse(f"expected name=number, got {item[:40]!r}")
        if name in FUNCTIONS:
            raise _refuse(f"{name!r} is a function name; pick another variable name")
        if len(value) > 40:
            raise _refuse(f"value of {name} too long")
        try:
            number = float(value)
        except ValueError:
            raise _refuse(f"value of {name} is not a number: {value[:40]!r}") from None
        if not math.isfinite(number) or abs(number) > MAX_LITERAL:
            raise _refuse(f"value of {name} must be a finite number up to {fmt(MAX_LITERAL)}, got {value!r}")
        out[name] = number
    return out


def evaluate(text: str, bindings: Mapping[str, float]) -> Value:
    """Build the graph of ``text`` with a leaf ``Value`` per variable (labelled by its name).

    Intermediate results are labelled with their source text when it is short.
    Math errors (``log(-1)``, ``1/0``, overflow) propagate as the library raises them.
    """
    tree = check(text, bindings)
    leaves = {name: Value(float(v), name) for name, v in bindings.items()}
    return _build(tree.body, leaves, text.strip())


def _constant(node: ast.AST) -> Optional[float]:
    """The value of a variable-free (checked) subtree, e.g. the ``2**2`` in ``x**2**2``, else None."""
    n = _literal(node)
    if n is None and not any(isinstance(s, ast.Name) for s in ast.walk(node)):
        n = _build(node, {}, None).data
    return n


def _build(node: ast.AST, leaves: Mapping[str, Value], source: Optional[str]) -> Value:
    """The graph of a checked expression tree (labels from ``source`` when given)."""
    n = _literal(node)
    if n is not None:
        return Value(n)
    if isinstance(node, ast.Name):
        return leaves[node.id]
    if isinstance(node, ast.UnaryOp):
        inner = _build(node.operand, leaves, source)
        out = -inner if isinstance(node.op, ast.USub) else inner
    elif isinstance(node, ast.BinOp):
        a = _build(node.left, leaves, source)
        op = _BINOPS[type(node.op)]
        n = _constant(node.right) if op == "**" else None
        if n is not None:
            out = a**n  # a constant exponent is a number: the op is "**n", one parent
        else:
            b = _build(node.right, leaves, source)
            out = {"+": a.__add__, "-": a.__sub__, "*": a.__mul__, "/": a.__truediv__,
                   "**": a.__pow__}[op](b)
    elif isinstance(node, ast.Call):
        fname = node.func.id if isinstance(node.func, ast.Name) else ""
        if fname not in FUNCTIONS:  # check() already refused this; kept for safety
            raise _refuse("only calls to the Value functions are allowed")
        out = getattr(_build(node.args[0], leaves, source), fname)()
    else:  # check() refused everything else
        raise _refuse(f"{type(node).__name__} is not allowed in an expression")
    if source is not None and not out.label and out.parents:
        segment = ast.get_source_segment(source, node)
        if segment and len(segment) <= MAX_LABEL:
            out.label = " ".join(segment.split())
    return out
