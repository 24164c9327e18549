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
from .op_record import (  # the row and the tag a node keeps (with the tables that find them)
    _PARAM_TAGS,
    FUNCTIONS,
    OPS,
    Op,
    OpName,
    _tag_named,  # noqa: F401  (pickles made before find their tags here)
    op_row,
    param_tag,
    param_text,
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

# Every op by name (OPS, kept in autograd_lite.op_record): the rows above, and the Tensor ops
# that autograd_lite.tensor registers beside their code (register).
OPS.update((row.name, row) for row in _ROWS)


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
    row = OPS[name] = old.replace(vjp=vjp)
    _succeed(old, row)
    return row


def _succeed(old: Op, new: Op) -> None:
    """``new`` takes ``old``'s place: the nodes made before (holding old's tags) now read new."""
    object.__setattr__(new, "tag", old.tag)
    old.tag.row = new
    if len(old.kept) == len(new.kept):
        object.__setattr__(new, "kept", old.kept)
        for kept in old.kept:
            kept.row = new
    for tag in _PARAM_TAGS.get(old.name, {}).values():
        tag.row = new


def add_unary_methods(cls: Any, make: Callable[[str], Any]) -> None:
    """Give ``cls`` a method ``make(name)`` for every one-parent row with a float forward that it
    (or a base) lacks: the table is the only place such an op is written (Value, Dual and Tensor
    read it at import)."""
    for row in list(OPS.values()):
        if row.scalar is not None and not any(row.name in vars(c) for c in cls.__mro__ if c is not object):
            setattr(cls, row.name, make(row.name))


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

