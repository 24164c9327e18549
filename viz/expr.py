"""Safe arithmetic expressions for the command line: parsed with ``ast`` against a whitelist.

Allowed: numbers, the constants ``pi`` and ``e``, names bound by ``x=1`` arguments,
``+ - * / **``, unary ``-``/``+``, and calls ``f(e)`` of the Value functions the op table offers
the command line (:data:`FUNCTIONS`: its ``cli`` rows, in table order).  Everything else
(attribute access, other calls, subscripts, lambdas, comprehensions, strings, ``^`` ...) is refused with an
:class:`ExpressionError` that quotes what was written and says what is allowed instead;
the text is never passed to ``eval``.  Sizes are bounded so hostile input is refused fast: at most
``MAX_CHARS`` characters, ``MAX_DEPTH`` levels of nesting, literals up to ``MAX_LITERAL``
in size, and a ``**`` exponent must involve a variable or be a constant up to
``MAX_EXPONENT`` in size (``x**2**2`` is fine; ``9**9**9`` is refused, not computed).

Intermediate results are labelled the way :func:`autograd_lite.explain` spells them in
its formulas (``x+y``, ``(w*x)+b``), so the picture, the table and the formulas agree.

>>> z = evaluate("(x + y)**2", {"x": 1.0, "y": 2.0})
>>> z.data, z.label, z.parents[0].label
(9.0, '(x+y)**2', 'x+y')
"""

from __future__ import annotations

import ast
import math
import re
from typing import Any, Dict, List, Mapping, Optional, Tuple

from autograd_lite import DomainError, Value, fmt, ops
from autograd_lite.reading import expression

MAX_CHARS = 1000
MAX_DEPTH = 60
MAX_LITERAL = 1e15
MAX_EXPONENT = 100
MAX_LABEL = 24
# The functions a learner may call: the table's rows for the command line that Value has.
FUNCTIONS = tuple(name for name, row in ops.OPS.items() if row.cli and "Value" in row.kinds)
CONSTANTS = {"pi": math.pi, "e": math.e}
ALLOWED = ("allowed: numbers, your variables, pi, e, + - * / **, unary -, and "
           + " ".join(f"{f}()" for f in FUNCTIONS))

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
# How the learner spelled an operator that is refused (ast names mean nothing to them).
_SYMBOLS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
            ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.Invert: "~", ast.Not: "not"}
_CONSTRUCTS = {ast.Attribute: "attribute access (.)", ast.Subscript: "subscripts ([])",
               ast.Lambda: "lambda", ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
               ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
               ast.Compare: "comparisons", ast.BoolOp: "and/or", ast.IfExp: "if/else",
               ast.NamedExpr: "assignments (:=)", ast.Tuple: "commas (tuples)", ast.List: "lists",
               ast.Dict: "dicts", ast.Set: "sets", ast.JoinedStr: "f-strings", ast.Starred: "* unpacking"}


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
    for k, ch in enumerate(text, 1):  # Python's parser would misname these (or fail to encode them)
        if "\ud800" <= ch <= "\udfff" or (ch < " " and ch not in "\t\n\r") or ch == "\x7f":
            what = "a lone surrogate" if ch >= "\ud800" else "a control character"
            raise _refuse(f"character {k} is {what} (U+{ord(ch):04X}), not part of an expression; "
                          "type the expression as plain text")
    source = text.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as e:
        where = f" (column {e.offset})" if e.offset else ""
        raise _refuse(f"not a valid expression: {e.msg}{where}{_syntax_hint(source)}") from None
    except (MemoryError, RecursionError):
        raise _refuse(f"expression too deeply nested to parse (the limit is {MAX_DEPTH} levels)") from None
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
        _check_node(node, names, source)
    # Last, constant exponents other than literals, innermost first: each is bounded by its
    # value (2**2**2 is fine, 9**9**9 is not).  Folding uses the library's float arithmetic
    # on already-checked subtrees: fast, and a huge value overflows instead of hanging.
    for node in reversed(nodes):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and _literal(node.right) is None \
                and _variable_free(node.right):
            try:
                n = _build(node.right, {}, label=False).data
            except (DomainError, ZeroDivisionError, OverflowError) as err:
                raise _refuse(f"the exponent cannot be computed ({err})") from None
            if not abs(n) <= MAX_EXPONENT:
                raise _refuse(f"exponent {fmt(n)} too large (the limit is {MAX_EXPONENT})")
    return tree


def _written(source: str, node: ast.AST) -> str:
    """What the learner wrote for ``node``, at most 40 characters."""
    text = " ".join((ast.get_source_segment(source, node) or "").split())
    return text if len(text) <= 40 else text[:39] + "…"


def _segment(source: str, node: ast.AST) -> str:
    return repr(_written(source, node))


def _check_node(node: ast.AST, names: Mapping[str, Any], source: str) -> None:
    seg = _segment(source, node)
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _refuse(f"{seg}: only numbers are allowed as literals, not a {type(v).__name__}; {ALLOWED}")
        if isinstance(v, int) and v.bit_length() > 64 or not abs(float(v)) <= MAX_LITERAL:
            raise _refuse(f"number literal too large (the limit is {fmt(MAX_LITERAL)})")
    elif isinstance(node, ast.Name):
        if node.id not in names and node.id not in CONSTANTS:
            same = [n for n in names if n.lower() == node.id.lower()]
            hint = f" (write it as a call, e.g. {node.id}(x))" if node.id in FUNCTIONS else \
                f"; names are case-sensitive: did you mean {same[0]}?" if same else \
                f"; bind it with {node.id}=<number>"
            raise _refuse(f"unknown name {node.id!r}{hint}")
    elif isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.BitXor):
            raise _refuse(f"{seg}: ^ is not a power here; write {_written(source, node).replace('^', '**')}")
        if type(node.op) not in _BINOPS:
            raise _refuse(f"{seg}: operator {_SYMBOLS.get(type(node.op), '?')} is not allowed; {ALLOWED}")
        n = _literal(node.right) if isinstance(node.op, ast.Pow) else None
        if n is not None and not abs(n) <= MAX_EXPONENT:
            raise _refuse(f"exponent {fmt(n)} too large (the limit is {MAX_EXPONENT})")
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise _refuse(f"{seg}: operator {_SYMBOLS.get(type(node.op), '?')} is not allowed; {ALLOWED}")
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            what = f"{node.func.id}() is not a known function" if isinstance(node.func, ast.Name) \
                else "only these functions can be called"
            if isinstance(node.func, ast.Name) and node.func.id in _INSTEAD:
                what += f" ({_INSTEAD[node.func.id]})"
            if isinstance(node.func, ast.Constant):  # 3(x+1): paper's product
                what = f"a product needs *: write {_written(source, node.func)}*(…)"
            raise _refuse(f"{seg}: {what}; allowed functions: {', '.join(FUNCTIONS)}")
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            raise _refuse(f"{seg}: {node.func.id}() takes exactly one argument, e.g. {node.func.id}(x)")
    else:
        what = _CONSTRUCTS.get(type(node), type(node).__name__)
        raise _refuse(f"{seg}: no {what} in an expression; {ALLOWED}")


# Functions learners write from other notations, and what this one says instead.
_INSTEAD = {"ln": "the natural logarithm is log(x)", "max": "max(x, 0) is relu(x)",
            "min": "min(x, 0) is -relu(-x)", "pow": "a power is x**n", "sqr": "a square is x**2",
            "fabs": "write abs(x)", "arctanh": "write it with log: 0.5*log((1+x)/(1-x))"}


def _syntax_hint(source: str) -> str:
    """A hint for the syntax errors learners make from the notation of paper: 2x, 3(x+1)."""
    m = re.search(r"(?<![A-Za-z_0-9.])([0-9][0-9.]*)\s*([A-Za-z_(])", source)
    if m:
        number, what = m.group(1), m.group(2)
        return f"; a product needs *: write {number}*{what}{'…' if what == '(' else ''}"
    return ""


def parse_bindings(items: List[str]) -> Dict[str, float]:
    """``["x=1", "y=2.5"]`` -> ``{"x": 1.0, "y": 2.5}``; anything malformed is an ExpressionError."""
    out: Dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise _refuse(f"expected name=number, got {item[:40]!r}")
        if "," in value and "=" in value:
            spaced = item[:40].replace(",", " ")
            raise _refuse(f"one binding per argument, separated by spaces: write {spaced}, not {item[:40]!r}")
        if name in FUNCTIONS:
            raise _refuse(f"{name!r} is a function name; pick another variable name")
        if name in CONSTANTS:
            raise _refuse(f"{name!r} is the constant {fmt(CONSTANTS[name])}; pick another variable name")
        if name in out:
            raise _refuse(f"{name} is given twice ({name}={fmt(out[name])} and {item[:40]}); give it once")
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

    ``pi`` and ``e`` are constants (unlabelled leaves, like a number).  Intermediate results
    are labelled as :func:`autograd_lite.explain.expression` spells them, when that is short.
    Math errors (``log(-1)``, ``1/0``, overflow) propagate as the library raises them.
    """
    tree = check(text, bindings)
    leaves = {name: Value(float(v), name) for name, v in bindings.items()}
    return _build(tree.body, leaves, label=True)


def _variable_free(node: ast.AST) -> bool:
    """No variable in the (checked) subtree: numbers, pi and e only."""
    return not any(isinstance(s, ast.Name) and s.id not in CONSTANTS for s in ast.walk(node))


def _constant(node: ast.AST) -> Optional[float]:
    """The value of a variable-free (checked) subtree, e.g. the ``2**2`` in ``x**2**2``, else None."""
    n = _literal(node)
    if n is None and _variable_free(node):
        n = _build(node, {}, label=False).data
    return n


def _name(v: Value) -> Optional[str]:
    """The name explain gives ``v`` when it is known here: its label, or a constant's number."""
    return v.label or (fmt(v.data) if not v.parents else None)


def _build(node: ast.AST, leaves: Mapping[str, Value], label: bool) -> Value:
    """The graph of a checked expression tree (intermediate results labelled when ``label``)."""
    n = _literal(node)
    if n is not None:
        return Value(n)
    if isinstance(node, ast.Name):
        return Value(CONSTANTS[node.id]) if node.id in CONSTANTS else leaves[node.id]
    if isinstance(node, ast.UnaryOp):
        inner = _build(node.operand, leaves, label)
        out = -inner if isinstance(node.op, ast.USub) else inner
    elif isinstance(node, ast.BinOp):
        a = _build(node.left, leaves, label)
        op = _BINOPS[type(node.op)]
        n = _constant(node.right) if op == "**" else None
        if n is not None:
            out = a**n  # a constant exponent is a number: the op is "**n", one parent
        else:
            b = _build(node.right, leaves, label)
            out = {"+": a.__add__, "-": a.__sub__, "*": a.__mul__, "/": a.__truediv__,
                   "**": a.__pow__}[op](b)
    elif isinstance(node, ast.Call):
        fname = node.func.id if isinstance(node.func, ast.Name) else ""
        if fname not in FUNCTIONS:  # check() already refused this; kept for safety
            raise _refuse("only calls to the Value functions are allowed")
        out = getattr(_build(node.args[0], leaves, label), fname)()
    else:  # check() refused everything else
        raise _refuse(f"{type(node).__name__} is not allowed in an expression")
    if label and not out.label and out.parents:
        names = {p: name for p in out.parents for name in [_name(p)] if name}
        if len(names) == len(set(out.parents)):  # every parent has its name: spell the node
            spelled = expression(out, names)
            if len(spelled) <= MAX_LABEL:
                out.label = spelled
    return out
