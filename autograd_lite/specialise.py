"""Value's op methods, generated from the op table's rows at import.

A row holds its op once: the forward on floats (``inline`` text such as ``a * b``, or ``scalar``,
math's function) and each local derivative as text (``b``, ``1.0 - out * out``; see
:func:`autograd_lite.ops.code`).  Here each row becomes a method of ``Value`` whose body is
that text, written out in place: no call for the forward, none for the local derivative, none
to make the node.  Most of a scalar graph is built by these methods, so they are as fast as
code written by hand, and they cannot drift from the rules that ``create_graph=True``, forward
mode, ``explain`` and the pictures use: there is no other copy.

>>> from autograd_lite import Value
>>> print(Value.__mul__.source)  # the method, as generated from the row "*"
def __mul__(self, other):
    a = self.data
    if type(other) is float or (type(other) is not Value and not isinstance(other, Value)):
        if type(other) is not float:
            other = _number(other, '*')
        b = k = other
        r = a * b
        out = _object_new(Value)
        out.data = r
        out.grad = 0.0
        out.op = kept
        out.label = ''
        out._b = None
        if _engine._threads_without_grad and not _engine.is_grad_enabled():
            out.op = tag
            out._a = None
            out._la = out._lb = 0.0
        else:
            out._a = self
            out._la = b
            out._lb = k
        _next_order()
        out._order = _next_order()
        return out
    b = other.data
    r = a * b
    out = _object_new(Value)
    out.data = r
    out.grad = 0.0
    out.op = tag
    out.label = ''
    if _engine._threads_without_grad and not _engine.is_grad_enabled():
        out._a = out._b = None
        out._la = out._lb = 0.0
    else:
        out._a = self
        out._b = other
        out._la = b
        out._lb = a
    out._order = _next_order()
    return out
<BLANKLINE>
"""

from __future__ import annotations

import math
import re
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import engine as _engine
from . import generic as _generic
from . import ops as _ops
from .format import fmt
from .numeric import DomainError
from .numeric import _check_number as _number

__all__ = ["binary_method", "reflected_method", "unary_method", "node_function", "tensor_rule", "FLOAT_FORMS",
           "ARRAY_FORMS"]

#: How a function of the rules' vocabulary reads on a float, where that is one expression: the
#: generated methods write it out instead of calling it (``tests/test_specialise.py`` checks
#: each against the function itself on every kind of float).
FLOAT_FORMS: Dict[str, str] = {
    "step": "(1.0 if {x} > 0.0 else 0.0)",
    "recip": "(1.0 / {x} if {x} != 0.0 else math.copysign(math.inf, {x}))",
}

#: The same for the arrays of a Tensor rule (a boolean mask moves less memory than a float one;
#: ``value_of``: the array behind a Tensor, as the rule also runs on Tensors, as graph).
ARRAY_FORMS: Dict[str, str] = {
    "step": "(value_of({x}) > 0.0)",
    "is_zero": "(value_of({x}) == 0.0)",
}

#: The rules written as functions, by the names the generated code calls them.
BOUND: Dict[str, Callable[..., Any]] = {}

_NODE = """\
    out = _object_new({cls})
    out.data = r
    out.grad = 0.0
    out.op = {tag}
    out.label = ''
    if _engine._threads_without_grad and not _engine.is_grad_enabled():
        out._a = out._b = None
        out._la = out._lb = 0.0
    else:
        out._a = {a}
        out._b = {b}
        out._la = {la}
        out._lb = {lb}
    out._order = _next_order()
    return out
"""


# A node whose other operand is a plain number keeps that number (``_lb``) instead of a leaf for
# it: one object per op, not two (Python's cyclic GC visits every object it tracks, and a leaf
# per constant was a third of a scalar graph). Its tag (``row.kept[i]``) says where the number
# sits; Value makes the leaf the first time a reader asks for the node's parents, with the
# creation index kept for it here (the one before the node's), so pictures are the same.
_KEPT = """\
    out = _object_new(Value)
    out.data = r
    out.grad = 0.0
    out.op = {tag}
    out.label = ''
    out._b = None
    if _engine._threads_without_grad and not _engine.is_grad_enabled():
        out.op = tag
        out._a = None
        out._la = out._lb = 0.0
    else:
        out._a = self
        out._la = {la}
        out._lb = k
    _next_order()
    out._order = _next_order()
    return out
"""


def node_function(value_cls: Any) -> Callable[..., Any]:
    """``_new(data, op, a, local_a, b=None, local_b=0.0, cls=None)``: a graph node made the way
    every generated method makes it (the same lines), for the ops whose forward is their own
    (``**``, ``%``, a division at a pole, a user's Function: ``cls`` is its node class)."""
    source = ("def _new(data, op, a, local_a, b=None, local_b=0.0, cls=None):\n"
              "    r = data\n"
              + _NODE.format(cls="cls or Value", tag="op", a="a", b="b", la="local_a", lb="local_b"))
    namespace = {"Value": value_cls, "_object_new": object.__new__, "_engine": _engine,
                 "_next_order": _engine.next_order}
    return _compile(source, "_new", namespace)


def _local(rule: Callable[..., Any], names: Dict[str, str], forms: Optional[Dict[str, str]] = None) -> str:
    """A rule's text with the row's parameter names replaced by the method's variables, and the
    vocabulary's float forms written out."""
    text = getattr(rule, "code", None)
    if text is None:  # a rule written as a function (a limit at a point): called, bound by name
        bound = f"_rule_{id(rule)}"
        BOUND[bound] = rule
        params = list(_arguments(rule))
        return f"{bound}({', '.join(names.get(p, p) for p in params)})"
    text = re.sub(r"\b[A-Za-z_]\w*\b", lambda m: names.get(m.group(0), m.group(0)), text)
    for fn, form in (FLOAT_FORMS if forms is None else forms).items():
        text = re.sub(rf"\b{fn}\((\w+)\)", partial(_fill, form), text)
    return text


def _params(rule: Callable[..., Any]) -> Tuple[str, ...]:
    """A rule's parameter names: the parents' and ``out``, in order."""
    return getattr(rule, "params", None) or _arguments(rule)


def _arguments(rule: Callable[..., Any]) -> Tuple[str, ...]:
    """A Python function's parameter names (without importing inspect: ~8 ms of start-up)."""
    code = rule.__code__
    return tuple(code.co_varnames[:code.co_argcount])


def _fill(form: str, m: "re.Match[str]") -> str:
    return form.format(x=m.group(1))


def _compile(source: str, name: str, namespace: Dict[str, Any]) -> Callable[..., Any]:
    exec(compile(source, f"<autograd_lite.specialise {name}>", "exec"), namespace)  # noqa: S102
    method = namespace[name]
    method.source = source
    method.__qualname__ = f"{namespace['Value'].__name__}.{name}"
    return method


def _namespace(value_cls: Any, const: Callable[..., Any], row: _ops.Op) -> Dict[str, Any]:
    return {**_ops.VOCABULARY, **BOUND, "__builtins__": __builtins__, "Value": value_cls, "_const": const,
            "_object_new": object.__new__, "_engine": _engine, "_next_order": _engine.next_order,
            "tag": row.tag, "kept": row.kept[1] if row.kept else None,
            "kept_first": row.kept[0] if row.kept else None, "_number": _number,
            "math": math, "fmt": fmt, "DomainError": DomainError,
            "_forward": row.scalar}


def binary_method(value_cls: Any, const: Callable[..., Any], row: _ops.Op, name: str, before: str = "",
                  after: str = "", names: Optional[Dict[str, Any]] = None,
                  forward: Optional[Callable[[float, float], float]] = None) -> Callable[..., Any]:
    """``Value.<name>`` (``__add__``, ...) for a two-parent row with an ``inline`` forward;
    ``before`` and ``after`` (lines of code, with the functions they call in ``names``) are the
    caller's policy around the forward ``r`` of the floats ``a`` and ``b`` (a pole, an overflow);
    ``forward``: the float forward where the row has no ``inline`` text (``math.hypot``)."""
    if row.arity != 2 or not (row.inline or forward):
        raise ValueError(f"op table: the row {row.name!r} has no inline two-parent forward")
    renames = dict(zip(_params(row.rules[0]), ("a", "b", "r")))
    la, lb = (_local(rule, renames) for rule in row.rules)
    compute = before + f"    r = {row.inline or '_forward2(a, b)'}\n" + after
    source = (f"def {name}(self, other):\n"
              f"    a = self.data\n"
              f"    if type(other) is float or (type(other) is not Value and not isinstance(other, Value)):\n"
              f"        if type(other) is not float:\n"
              f"            other = _number(other, {row.name!r})\n"
              f"        b = k = other\n"
              + _indent(compute) + _indent(_KEPT.format(tag="kept", la=la)) +
              "    b = other.data\n"
              + compute + _NODE.format(cls="Value", tag="tag", a="self", b="other", la=la, lb=lb))
    namespace = {**_namespace(value_cls, const, row), **(names or {}), "_forward2": forward}
    method = _compile(source, name, namespace)
    method.__doc__ = f"{row.doc}: {row.expr.format(a='self', b='other')}"
    return method


def reflected_method(value_cls: Any, const: Callable[..., Any], row: _ops.Op, name: str, before: str = "",
                     after: str = "", names: Optional[Dict[str, Any]] = None) -> Callable[..., Any]:
    """``Value.<name>`` (``__radd__``, ...): ``number <op> self``, the number kept in the node at
    the first place (``row.kept[0]``); the local derivative is the row's second rule. ``names``
    holds ``_ordinary``, the op's own method (for a Value's subclass on the right)."""
    renames = dict(zip(_params(row.rules[0]), ("a", "b", "r")))
    source = (f"def {name}(self, other):\n"
              f"    if type(other) is not float:\n"
              f"        if isinstance(other, Value):  # a Value's subclass on the right\n"
              f"            return _ordinary(other, self)\n"
              f"        other = _number(other, {row.name!r})\n"
              f"    a = k = other\n"
              f"    b = self.data\n"
              + before + f"    r = {row.inline}\n" + after
              + _KEPT.format(tag="kept_first", la=_local(row.rules[1], renames)))
    method = _compile(source, name, {**_namespace(value_cls, const, row), **(names or {})})
    method.__doc__ = f"{row.doc}: {row.expr.format(a='other', b='self')}"
    return method


def _indent(lines: str) -> str:
    return "".join("    " + line if line.strip() else line for line in lines.splitlines(True))


def unary_method(value_cls: Any, const: Callable[..., Any], row: _ops.Op, name: str) -> Callable[..., Any]:
    """``Value.<name>`` for a one-parent row: its float forward with the numeric policy (math's
    ValueError is the domain error, or NaN outside any stated domain; an OverflowError from a
    finite x is refused where the row says the op overflows), its local derivative inline."""
    if row.arity != 1 or (row.scalar is None and not row.inline):
        raise ValueError(f"op table: the row {row.name!r} has no float forward (its 'scalar')")
    renames = dict(zip(_params(row.rules[0]), ("a", "r")))
    if row.inline:
        forward = f"    r = {row.inline}\n"
    else:
        needs = f"{row.name}: needs {row.domain[0]}, got x = {{fmt(a)}}" if row.domain else ""
        on_domain = (f"        raise DomainError(f'{needs}') from None\n" if needs
                     else "        r = math.nan\n")
        forward = ("    try:\n"
                   "        r = _forward(a)\n"
                   "    except ValueError:\n"
                   f"{on_domain}"
                   "    except OverflowError:\n"
                   "        r = math.inf\n")
        if row.overflows:  # a finite x whose result is infinite (a derivative as graph may be)
            forward += ("    if r - r != 0.0 and a - a == 0.0 and r == r and not _engine.in_rule():\n"
                        f"        raise OverflowError(f'{row.name}: result too large for a float "
                        f"({row.name}({{fmt(a)}}))')\n")
    source = (f"def {name}(self):\n"
              "    a = self.data\n"
              + forward + _NODE.format(cls="Value", tag="tag", a="self", b="None",
                                       la=_local(row.rules[0], renames), lb="0.0"))
    method = _compile(source, name, _namespace(value_cls, const, row))
    method.__doc__ = f"{row.doc}; d/dx = {row.local[0].format(a='x')}."
    return method


def vjp_text(row: _ops.Op, index: int, forms: Optional[Dict[str, str]] = None) -> str:
    """What a Tensor op sends parent ``index``: the upstream ``g`` times the row's local
    derivative, as text in ``g``, the parents ``a`` (``b``) and ``out`` (and the row's number
    ``n``).  A local 1 or -1 sends ``g`` or ``-g`` (no product); ``g * recip(x)`` is written
    ``g / x``, as numpy and PyTorch divide.  ``forms``: the vocabulary written out (default
    :data:`ARRAY_FORMS`).

    >>> from autograd_lite import ops
    >>> [vjp_text(ops.OPS["/"], i) for i in (0, 1)]
    ['g / b', 'g * (-(out / b))']
    """
    return _send(_local_text(row, index, forms))


def _local_text(row: _ops.Op, index: int, forms: Optional[Dict[str, str]] = None) -> str:
    rule = row.rules[index]
    params = _params(rule)
    names = ("a", "out", "n") if row.param else ("a", "b", "out") if len(params) == 3 else ("a", "out")
    return _local(rule, dict(zip(params, names)), ARRAY_FORMS if forms is None else forms).strip()


def _send(local: str) -> str:
    """``g`` times the local derivative ``local`` (text), written as numpy and PyTorch write it."""
    if local in ("1.0", "1"):
        return "g"
    if local in ("-1.0", "-1"):
        return "-g"
    quotient = re.fullmatch(r"recip\((\w+)\)", local)
    if quotient:
        return f"g / {quotient.group(1)}"
    atom = re.fullmatch(r"\w+|\d+\.\d*", local) or _enclosed(local)
    return f"g * {local}" if atom else f"g * ({local})"


def _cases(local: str) -> Tuple[List[Tuple[str, str]], str]:
    """A local derivative's text split at its conditionals on the row's number ``n`` alone:
    ``[(test, local), ...]`` and the general case (``0.0 if n == 0.0 else n * a`` ->
    ``[('n == 0.0', '0.0')], 'n * a'``), so a Tensor rule tests the number once, not per element."""
    import ast  # (only a Tensor rule of a row with a number needs it: not at Value's import)

    tree = ast.parse(local, mode="eval").body
    cases = []
    while isinstance(tree, ast.IfExp) and {x.id for x in ast.walk(tree.test)
                                           if isinstance(x, ast.Name)} == {"n"}:  # tests of n alone
        cases.append((ast.unparse(tree.test), ast.unparse(tree.body)))
        tree = tree.orelse
    return cases, ast.unparse(tree)


def _enclosed(text: str) -> bool:
    """True when ``text`` is one parenthesised expression: ``(a > 0.0)``, not ``(a) * (b)``."""
    depth = 0
    for k, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and k < len(text) - 1:
            return False
    return text.startswith("(") and depth == 0


def _rule_function(name: str, source: str, value_of: Callable[[Any], Any]) -> Callable[..., Any]:
    namespace = {**_ops.VOCABULARY, **BOUND, "__builtins__": __builtins__, "value_of": value_of}
    if "_errstate" in source:
        namespace["_errstate"] = _generic._numpy().errstate
    exec(compile(source, f"<autograd_lite.specialise {name}>", "exec"), namespace)  # noqa: S102
    rule = namespace[name]
    rule.source = source
    return rule


#: The line a ``quiet`` rule's general case runs under: a slope may be infinite or NaN (``a ** -0.5``
#: at 0), and the rule gives IEEE's numbers there without numpy's warnings, as a Value's does.
_QUIET = "with _errstate(divide='ignore', invalid='ignore'):"


def tensor_rule(row: _ops.Op, value_of: Callable[[Any], Any], quiet: bool = False) -> Callable[..., Any]:
    """The Tensor rule (vector-Jacobian product) of a one-parent row, generated from its text:
    ``rule(g, a, out, saved)``, on arrays, or on Tensors as graph (``create_graph=True``;
    ``value_of``: the array behind a Tensor, for the forms of :data:`ARRAY_FORMS`).  A row with a
    number (``a ** n``) has it in ``saved``; its text's cases on the number alone become tests of
    it, ahead of the general case (``quiet``: that case runs under :data:`_QUIET`).

    >>> from autograd_lite import ops
    >>> print(tensor_rule(ops.OPS["**n"], lambda x: x, quiet=True).source)
    def pow_n_rule(g, a, out, saved):
        n = saved
        if n == 0.0:
            return g * 0.0
        if n == 1.0:
            return g
        if n == 2.0:
            return g * (a + a)
        with _errstate(divide='ignore', invalid='ignore'):
            return g * (n * power(a, n - 1.0))
    <BLANKLINE>
    """
    if row.arity != 1 or not row.rules:
        raise ValueError(f"op table: the row {row.name!r} is not a one-parent row with a rule")
    name = ("pow_n" if row.name == "**n" else re.sub(r"\W", "_", row.name)) + "_rule"
    if not row.param:
        send = f"return {vjp_text(row, 0)}\n"
        body = f"    {_QUIET}\n        {send}" if quiet else f"    {send}"
        return _rule_function(name, f"def {name}(g, a, out, saved):\n{body}", value_of)
    cases, general = _cases(_local_text(row, 0))
    lines = [f"def {name}(g, a, out, saved):", "    n = saved"]
    for test, local in cases:
        lines += [f"    if {test}:", f"        return {_send(local)}"]
    send = f"return {_send(general)}"
    lines += [f"    {_QUIET}", f"        {send}"] if quiet else [f"    {send}"]
    return _rule_function(name, "\n".join(lines) + "\n", value_of)


def tensor_binary_rule(row: _ops.Op, value_of: Callable[[Any], Any],
                       quiet: bool = False) -> Callable[..., Any]:
    """The Tensor rule of a two-parent row, generated from its text:
    ``rule(g, a, b, out, saved, wa, wb) -> (ca, cb)``, None for a parent that wants no grad
    (a contribution may keep the broadcast shape: the engine sums it back); ``quiet``: it runs
    under :data:`_QUIET`."""
    if row.arity != 2 or len(row.rules) != 2:
        raise ValueError(f"op table: the row {row.name!r} is not a two-parent row with two rules")
    words = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow"}
    name = words.get(row.name, re.sub(r"\W", "_", row.name)) + "_rule"
    send = f"return ({vjp_text(row, 0)} if wa else None, {vjp_text(row, 1)} if wb else None)\n"
    body = f"    {_QUIET}\n        {send}" if quiet else f"    {send}"
    return _rule_function(name, f"def {name}(g, a, b, out, saved, wa, wb):\n{body}", value_of)
