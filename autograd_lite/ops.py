"""The op table: every op defined once, with its derivative rules.

One row per op: its name (the ``op`` string a node carries), arity, how the node reads in its
parents' names, the local derivative of each parent in words, and the **rule** of each local
derivative as a Python function of the parents and the result ``out``.  A rule is written once
with the operators and the generic functions of :mod:`autograd_lite.generic` (``cos``, ``exp``,
..., re-exported here), which work on floats, arrays, ``Value`` s and ``Tensor`` s, so the same
rule runs several ways (a Tensor op's row holds its vector-Jacobian rule, registered beside its
code in :mod:`autograd_lite.tensor`):

* on floats, as the numeric first-order derivative (``Value`` computes ``local_grads`` this way);
* on ``Value`` s, so a gradient is itself a graph (``backward(create_graph=True)``, ``grad``);
* on floats with tangents, for forward mode (:mod:`autograd_lite.forward`, dual numbers).

>>> OPS["tanh"].rules[0](0.5, 0.25)   # d tanh / dx = 1 - out**2, at out = 0.25
0.9375
>>> OPS["*"].local                    # in words, for explain and pictures
('{b}', '{a}')

``Value``'s methods are generated from the rows at import (:mod:`autograd_lite.specialise`: the
row's float forward and its rules' text written out in the method, as fast as by hand);
``tests/test_higher_order.py`` checks that every op's numbers equal its rules here, and
``tests/test_op_table.py`` that every op string ``Value`` and ``Tensor`` produce has a row and
that ``explain``, ``viz``, the command line and docs/api.md say what the rows say
(:mod:`autograd_lite.words` fills in the templates).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, Optional, Tuple, Union

from .format import atom, fmt
from .generic import (  # the rules' vocabulary, re-exported: ops.exp, ops.cos, ...
    cos,
    cosh,
    exp,
    exp2_of,
    floordiv,
    is_zero,
    log,
    power,
    recip,
    rounding,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    step,
    tanh,
    where,
)

__all__ = ["Op", "OpName", "param_tag", "OPS", "FUNCTIONS", "op_row", "param_text", "load_all",
           "register", "bind", "code", "VOCABULARY",
           "exp", "log", "sin", "cos", "sqrt", "tanh", "sigmoid", "recip",
           "sign", "step", "square", "sinh", "cosh", "floordiv", "power", "where", "is_zero", "DOMAINS"]

#: What a rule written as text may use (see :func:`code`): the generic functions, which take
#: floats, arrays, Values and Tensors, and a few constants.
VOCABULARY: Dict[str, Any] = {
    "cos": cos, "cosh": cosh, "exp": exp, "log": log, "recip": recip, "sign": sign, "sin": sin,
    "sinh": sinh, "sqrt": sqrt, "step": step, "floordiv": floordiv, "abs": abs,
    "power": power, "where": where, "is_zero": is_zero,
    "LN2": math.log(2.0), "LN10": math.log(10.0), "RAD": math.pi / 180.0, "DEG": 180.0 / math.pi,
    "NAN": math.nan,
    "__builtins__": {},
}


def code(params: str, *exprs: str) -> Tuple[Callable[..., Any], ...]:
    """Rules written once, as text: each expression, in ``params`` (the parents' names and
    ``out``) and the :data:`VOCABULARY`, becomes a function that keeps its text as ``.code``.
    The function runs on floats, Values (as graph), Duals and arrays; the text lets a hot path be
    generated from the row (:mod:`autograd_lite.specialise`) instead of copied by hand.

    >>> d_mul = code("a, b, out", "b", "a")
    >>> d_mul[0](2.0, 3.0, 6.0), d_mul[1].code
    (3.0, 'a')
    """
    rules = []
    for expr in exprs:
        rule = eval(f"lambda {params}: {expr}", VOCABULARY)  # noqa: S307  (our own table's text)
        rule.code, rule.params = expr, tuple(p.strip() for p in params.split(","))
        rules.append(rule)
    return tuple(rules)

# --------------------------------------------------------------------------- the table
class OpName(str):
    """A node's ``op``: the op as text (``'*'``, ``'**2'``, ``'Square'``), holding its row and the
    number it carries (the exponent of ``x**n``; else None).

    It is a ``str`` (``node.op == "*"`` and ``op in OPS`` read as before); readers take the row
    from it (:func:`op_row`) and never parse the text.  One per row, made with the row; a row
    with a parameter has one per number (:func:`param_tag`).

    >>> from autograd_lite import Value
    >>> y = Value(3.0) ** 2
    >>> y.op, y.op.row.name, y.op.param
    ('**2', '**n', 2.0)
    """

    row: "Op"
    param: Any

    def __new__(cls, text: str, row: "Op", param: Any = None) -> "OpName":
        self = str.__new__(cls, text)
        self.row = row
        self.param = param
        return self

    def __reduce__(self) -> Any:  # pickles and copies as the op's text, found again by name
        return (_tag_named, (str(self), self.param))


@dataclass(frozen=True)
class Op:
    """One op. ``rules[i](*parents, out[, param])`` is ∂out/∂parent i (see the module notes).

    ``expr``, ``local`` and ``sends`` are templates in the parents' names ``{a}``, ``{b}`` (and
    the parameter ``{n}``; ``sends`` may also use ``{local}``, the local derivative in words);
    ``cli`` says whether the command line offers it as a function.
    """

    name: str
    arity: int
    expr: str
    local: Tuple[str, ...]
    rules: Tuple[Callable[..., Any], ...]
    cli: bool = False
    param: bool = False  # the op carries a number (the exponent of x**n)
    doc: str = ""
    symbol: str = ""  # how a picture writes the op (default: its name)
    sends: Tuple[str, ...] = ()  # a Tensor op: what it sends each parent, in words (g: upstream)
    kinds: Tuple[str, ...] = ("Value",)  # the node types that have the op
    vjp: Optional[Callable[..., Any]] = None  # a Tensor op's rule (see autograd_lite.tensor)
    again: Optional[Callable[..., Any]] = None  # again(node, parents): the op re-applied to parents
    # The local derivative in words where a template cannot say it: words(names, n, local) with the
    # parents' names, the op's number ("" unless param) and the local value (None on a Tensor).
    # Words that begin with the value and a space state it themselves (relu: "1 (x > 0)").
    words: Optional[Callable[..., str]] = None
    user: bool = False  # a user's Function (autograd_lite.function): read like a row, not listed
    # An elementwise one-parent row: its forward on a float (math's function: its ValueError is
    # the domain error, its OverflowError the policy's), the domain (words, the test for a bad x on
    # a float or an ndarray), whether a finite x may overflow, and numpy's function (by name) for
    # Tensors. Value, forward mode's Dual and Tensor get their methods from these (generated).
    scalar: Optional[Callable[[float], float]] = None
    domain: Optional[Tuple[str, Callable[[Any], Any]]] = None
    overflows: bool = False
    array: str = ""
    # The float forward as text in the parents' names, where it is plain arithmetic (``a * b``):
    # Value's method inlines it (autograd_lite.specialise); an elementwise row's ``scalar`` is made
    # from it.
    inline: str = ""
    tag: OpName = field(init=False, repr=False, compare=False)  # what a node of the row keeps

    def __post_init__(self) -> None:
        object.__setattr__(self, "tag", OpName(self.name, self))

    @property
    def shown(self) -> str:
        """The op as pictures write it."""
        return self.symbol or self.name


_VT = ("Value", "Tensor")


def _unary(name: str, local: str, rule: Union[str, Callable[..., Any]], doc: str,
           scalar: Optional[Callable[[float], float]],
           sends: str = "", words: Optional[Callable[..., str]] = None,
           domain: Optional[Tuple[str, Callable[[Any], Any]]] = None, overflows: bool = False,
           array: str = "", inline: str = "") -> Op:
    """An elementwise row that Value and Tensor share: everything about the op, in one place
    (``rule``: the local derivative as text in ``a`` and ``out``, see :func:`code`; a function of
    them where text cannot hold it, e.g. a limit at a point)."""
    rules = code("a, out", rule) if isinstance(rule, str) else (rule,)
    return Op(name, 1, f"{name}({{a}})", (local,), rules, cli=True, doc=doc,
              sends=(sends or f"g·{local}",), kinds=_VT, again=lambda n, ps: getattr(ps[0], name)(),
              words=words, domain=domain, overflows=overflows, array=array or name, inline=inline,
              scalar=scalar or eval(f"lambda a: {inline}", VOCABULARY))  # noqa: S307


def _below(limit: float) -> Callable[[Any], Any]:
    return lambda x: x <= limit


def _outside_one(x: Any) -> Any:
    return abs(x) > 1.0


def _power_words(names: Tuple[str, ...], n: str, local: Any) -> str:
    """n·a**(n-1) with the exponent worked out: ``3·x**2``, ``2·x``, ``1``, ``0``."""
    a, m = atom(names[0]), float(n) - 1.0
    if m == -1.0:
        return "0"
    if m == 0.0:
        return "1"
    return f"{n}·{a}" if m == 1.0 else f"{n}·{a}**{atom(fmt(m))}"


def _step_words(names: Tuple[str, ...], n: str, local: Any) -> str:
    """relu's slope with the condition that holds: ``1 (x > 0)`` or ``0 (x ≤ 0)``."""
    if local is None:
        return f"1 if {atom(names[0])} > 0 else 0"
    return f"{fmt(local)} ({names[0]} > 0)" if local else f"{fmt(local)} ({names[0]} ≤ 0)"


_ROWS = (
    Op("+", 2, "{a}+{b}", ("1", "1"), code("a, b, out", "1.0", "1.0"), doc="sum",
       symbol="+", sends=("g", "g"), kinds=_VT, again=lambda n, ps: ps[0] + ps[1], inline="a + b"),
    Op("-", 2, "{a}-{b}", ("1", "-1"), code("a, b, out", "1.0", "-1.0"), doc="difference",
       symbol="−", sends=("g", "-g"), kinds=_VT, again=lambda n, ps: ps[0] - ps[1], inline="a - b"),
    Op("*", 2, "{a}*{b}", ("{b}", "{a}"), code("a, b, out", "b", "a"), doc="product",
       symbol="×", sends=("g·{b}", "g·{a}"), kinds=_VT, again=lambda n, ps: ps[0] * ps[1], inline="a * b"),
    Op("/", 2, "{a}/{b}", ("1/{b}", "-{a}/{b}²"),
       code("a, b, out", "recip(b)", "-(out / b)"), doc="quotient; -(a/b)/b never underflows",
       inline="a / b",
       symbol="÷", sends=("g/{b}", "-g·{a}/{b}²"), kinds=_VT, again=lambda n, ps: ps[0] / ps[1]),
    # d a**b/da is 0 where b = 0 (a**0 is the constant 1, even at a = 0: PyTorch's choice);
    # d a**b/db = a**b ln a is 0 where a = 0 (PyTorch's) and NaN where a < 0 (ln a undefined).
    Op("**", 2, "{a}**{b}", ("{b}·{a}**({b}-1)", "{a}**{b}·ln({a})"),
       code("a, b, out", "where(is_zero(b), 0.0, b * power(a, b - 1.0))",
            "where(is_zero(a), 0.0, where(a < 0.0, NAN, out * log(where(a <= 0.0, 1.0, a))))"),
       doc="power with a node as exponent",
       sends=("g·{b}·{a}**({b}-1)", "g·{a}**{b}·ln({a})"), kinds=_VT, again=lambda n, ps: ps[0] ** ps[1]),
    # n = 0, 1, 2 (a constant, 1, a + a) are exact where n·a**(n-1) may not be (0·inf at a = 0)
    Op("**n", 1, "{a}**{n}", ("{n}·{a}**({n}-1)",),
       code("a, out, n",
            "0.0 if n == 0.0 else 1.0 if n == 1.0 else a + a if n == 2.0 else n * power(a, n - 1.0)"),
       param=True,
       doc="power with a number exponent; the node's op is '**' followed by the number",
       sends=("g·{local}",), kinds=_VT, again=lambda n, ps: ps[0] ** n.op.param, words=_power_words),
    Op("neg", 1, "-{a}", ("-1",), code("a, out", "-1.0"), doc="negation", symbol="−x", sends=("-g",),
       kinds=_VT, again=lambda n, ps: -ps[0], inline="-a"),
    _unary("exp", "exp({a})", "out", "e**x", math.exp, overflows=True),
    _unary("log", "1/{a}", "recip(a)", "natural logarithm", math.log, sends="g/{a}",
           domain=("x > 0", _below(0.0))),
    _unary("tanh", "1 - tanh({a})²", "1.0 - out * out", "hyperbolic tangent", math.tanh,
           sends="g·(1 - tanh({a})²)"),
    _unary("sigmoid", "sigmoid({a})·(1 - sigmoid({a}))", "out * (1.0 - out)",
           "logistic sigmoid", sigmoid),
    _unary("relu", "1 if {a} > 0 else 0", "step(a)", "max(0, x)", None,
           inline="a if a > 0.0 else (0.0 if a == a else a)",  # relu(nan) is NaN, with slope 0
           sends="g·({a} > 0)", words=_step_words),
    _unary("sin", "cos({a})", "cos(a)", "sine", math.sin),
    _unary("cos", "-sin({a})", "-sin(a)", "cosine", math.cos, sends="-g·sin({a})"),
    _unary("sqrt", "1/(2·sqrt({a}))", "0.5 * recip(abs(out))", "square root", math.sqrt,
           sends="g/(2·sqrt({a}))", domain=("x >= 0", lambda x: x < 0.0)),
    _unary("abs", "sign({a})", "sign(a)", "absolute value", abs),
    _unary("tan", "1 + tan({a})²", "1.0 + out * out", "tangent", math.tan,
           sends="g·(1 + tan({a})²)"),
    _unary("sinh", "cosh({a})", "cosh(a)", "hyperbolic sine", math.sinh, overflows=True),
    _unary("cosh", "sinh({a})", "sinh(a)", "hyperbolic cosine", math.cosh, overflows=True),
    _unary("arcsin", "1/sqrt(1 - {a}²)", "recip(sqrt(1.0 - a * a))",
           "inverse sine, x in [-1, 1]", math.asin, sends="g/sqrt(1 - {a}²)",
           domain=("-1 <= x <= 1", _outside_one)),
    _unary("arccos", "-1/sqrt(1 - {a}²)", "-recip(sqrt(1.0 - a * a))",
           "inverse cosine, x in [-1, 1]", math.acos, sends="-g/sqrt(1 - {a}²)",
           domain=("-1 <= x <= 1", _outside_one)),
    _unary("arctan", "1/(1 + {a}²)", "recip(1.0 + a * a)", "inverse tangent", math.atan,
           sends="g/(1 + {a}²)"),
    _unary("log1p", "1/(1 + {a})", "recip(1.0 + a)", "ln(1 + x), exact for small x",
           math.log1p, sends="g/(1 + {a})", domain=("x > -1", _below(-1.0))),
    _unary("expm1", "exp({a})", "exp(a)", "e**x - 1, exact for small x", math.expm1,
           overflows=True),
    _unary("log2", "1/({a}·ln 2)", "recip(a * LN2)", "base-2 logarithm", math.log2,
           sends="g/({a}·ln 2)", domain=("x > 0", _below(0.0))),
    _unary("log10", "1/({a}·ln 10)", "recip(a * LN10)", "base-10 logarithm", math.log10,
           sends="g/({a}·ln 10)", domain=("x > 0", _below(0.0))),
    _unary("exp2", "2**{a}·ln 2", "out * LN2", "2**x", exp2_of, overflows=True),
    # Piecewise constant: the derivative is 0 everywhere (PyTorch's choice, jumps included).
    _unary("sign", "0", "0.0", "-1, 0 or 1 (0 at ±0, NaN at NaN)", sign, sends="0"),
    _unary("floor", "0", "0.0", "largest integer <= x", rounding(math.floor), sends="0"),
    _unary("ceil", "0", "0.0", "smallest integer >= x", rounding(math.ceil), sends="0"),
    _unary("round", "0", "0.0", "nearest integer, halves to even (numpy, PyTorch)",
           rounding(round), sends="0", array="rint"),
    # Each row below is all there is of its op: Value, Dual and Tensor methods, np.<name>(t),
    # explain's words, the pictures, the command line and docs/api.md's list come from it.
    _unary("arcsinh", "1/sqrt({a}² + 1)", "recip(sqrt(a * a + 1.0))", "inverse hyperbolic sine",
           math.asinh, sends="g/sqrt({a}² + 1)"),
    _unary("arctanh", "1/(1 - {a}²)", "recip(1.0 - a * a)",
           "inverse hyperbolic tangent, -1 < x < 1", math.atanh, sends="g/(1 - {a}²)",
           domain=("-1 < x < 1", lambda x: abs(x) >= 1.0)),
    _unary("deg2rad", "π/180", "RAD", "degrees to radians", math.radians,
           sends="g·π/180"),
    _unary("rad2deg", "180/π", "DEG", "radians to degrees", math.degrees,
           sends="g·180/π", overflows=True),
    Op("%", 2, "{a}%{b}", ("1", "-floor({a}/{b})"),
       code("a, b, out", "1.0", "-floordiv(a, b)"),
       doc="remainder with the sign of b (numpy's mod, Python's %)", symbol="%",
       sends=("g", "-g·floor({a}/{b})"), kinds=_VT, again=lambda n, ps: ps[0] % ps[1]),
)

#: The domains of the unary ops that have one: (in words, the test for a bad x) -- the test
#: runs on a float or an ndarray (NaN is never bad: it propagates).  Outside, Value and Tensor
#: raise ``DomainError`` naming the op and the values (docs/api.md, "Numeric policy").
DOMAINS: Dict[str, Tuple[str, Callable[[Any], Any]]] = {
    row.name: row.domain for row in _ROWS if row.domain is not None}

#: Every op by name: the rows above, and the Tensor ops that :mod:`autograd_lite.tensor` registers
#: beside their code (:func:`register`).
OPS: Dict[str, Op] = {row.name: row for row in _ROWS}


#: The rows of users' Functions by name (:mod:`autograd_lite.function` adds one per subclass):
#: every reader finds them as it finds a built-in row; the docs' op list shows built-ins only.
FUNCTIONS: Dict[str, Op] = {}


def register(row: Op) -> Op:
    """Add a row (a Tensor op registers itself next to its forward code), or complete a shared
    row with its Tensor rule; returns the row now in the table."""
    old = OPS.get(row.name)
    if old is not None and old.kinds != row.kinds:
        raise ValueError(f"op table: {row.name!r} is registered twice with different kinds")
    if old is not None:
        _succeed(old, row)
    OPS[row.name] = row
    if row.domain is not None:
        DOMAINS[row.name] = row.domain
    return row


def bind(name: str, vjp: Callable[..., Any]) -> Op:
    """Give a shared row its Tensor rule (written next to the Tensor op's forward code)."""
    old = OPS[name]
    row = OPS[name] = replace(old, vjp=vjp)
    _succeed(old, row)
    return row


def _succeed(old: Op, new: Op) -> None:
    """``new`` takes ``old``'s place: the nodes made before (holding old's tags) now read new."""
    object.__setattr__(new, "tag", old.tag)
    old.tag.row = new
    for tag in _PARAM_TAGS.get(old.name, {}).values():
        tag.row = new


_PARAM_TAGS: Dict[str, Dict[Any, OpName]] = {}
_MAX_PARAM_TAGS = 1024  # per row; beyond, a tag is made per node (the same text and row)


def param_tag(name: str, param: Any, text: str) -> OpName:
    """The tag of row ``name`` carrying the number ``param`` (``text``: how the op spells it,
    ``'**2'``); one per number, kept for the most used."""
    tags = _PARAM_TAGS.setdefault(name, {})
    tag = tags.get(text)
    if tag is None:
        tag = OpName(text, OPS[name], param)
        if len(tags) < _MAX_PARAM_TAGS:
            tags[text] = tag
    return tag


def _tag_named(text: str, param: Any) -> str:
    """An op found again from its text (an unpickled node): its tag, or the text if unknown."""
    row = OPS.get(text) or FUNCTIONS.get(text)
    if row is not None:
        return row.tag
    if param is not None:
        for r in OPS.values():
            if r.param and text.startswith(r.name[:-1]):
                return param_tag(r.name, param, text)
    return text


def add_unary_methods(cls: Any, make: Callable[[str], Any]) -> None:
    """Give ``cls`` a method ``make(name)`` for every one-parent row with a float forward that it
    (or a base) lacks: the table is the only place such an op is written (Value, Dual and Tensor
    read it at import)."""
    for row in list(OPS.values()):
        if row.scalar is not None and not any(row.name in vars(c) for c in cls.__mro__ if c is not object):
            setattr(cls, row.name, make(row.name))


def op_row(op: str) -> Optional[Op]:
    """The row of a node's ``op``, or None (a leaf, or an op the table does not know).

    A node made by an op holds its row in its ``op`` (an :class:`OpName`); a plain string
    (an ``op`` set by hand) is found by name (a user's Function by its class name).

    >>> from autograd_lite import Value
    >>> op_row((Value(3.0) ** 2).op).name, op_row("exp").arity, op_row("my_op")
    ('**n', 1, None)
    """
    row = getattr(op, "row", None)
    return (OPS.get(op) or FUNCTIONS.get(op)) if row is None else row


def param_text(op: str) -> str:
    """The number a parameter op carries, as the node's ``op`` spells it (``'**2'`` -> ``'2'``),
    else ``''``."""
    row = getattr(op, "row", None)
    return op[len(row.name) - 1:] if row is not None and row.param else ""


#: The modules that register their rows beside their code; :func:`load_all` imports them (a
#: plain ``from autograd_lite import Value`` loads none of them: no numpy for scalar scripts).
REGISTRARS = ("autograd_lite.ops_more", "autograd_lite.tensor", "autograd_lite.functional",
              "autograd_lite.conv", "autograd_lite.conv_more")


def load_all() -> Dict[str, Op]:
    """The whole table: every module that registers rows imported (in a fixed order)."""
    import importlib

    for name in REGISTRARS:
        importlib.import_module(name)
    return OPS

