"""``Value``: one scalar that remembers how it was made.

Every operation returns a new ``Value`` whose ``parents`` are its inputs (an ordered
tuple: ``a + a`` has two) and whose ``local_grads`` are the local derivatives
d(result)/d(parent) as plain numbers, computed during the forward pass.  ``backward()``
then applies the chain rule: ``parent.grad += local x upstream``, node by node.

>>> from autograd_lite import Value
>>> x, y = Value(1.0, "x"), Value(2.0, "y")
>>> z = (x + y) ** 2
>>> z.backward()
>>> x.grad, y.grad
(6.0, 6.0)
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Iterator, List, Optional, Tuple, Union

from . import checks as _checks
from . import engine as _engine
from .format import fmt

Number = Union[int, float]
Operand = Union["Value", int, float]



class DomainError(ValueError):
    """An operation was asked for a value outside its domain, e.g. ``log(0)``."""


class ZeroDivisionDomainError(DomainError, ZeroDivisionError):
    """Division by zero: both a :class:`DomainError` and a ``ZeroDivisionError``."""


def _check_number(x: Any, where: str) -> float:
    """Convert an int, float or numpy scalar to float; anything else is a TypeError."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        if type(x).__name__ == "Tensor":
            raise TypeError(
                f"{where}: cannot combine a Value with a Tensor; use Tensor for arrays "
                "(Tensor(v.data)) or Value for scalars (Value(t.item()))"
            )
        if hasattr(x, "__array__") and not isinstance(x, numbers.Number):
            raise TypeError(
                f"{where}: cannot combine a Value with an array ({type(x).__name__}); Values are "
                "scalars: use Tensor for arrays, or one Value per element"
            )
    return _checks.real_number(x, where)


def _new(data: float, op: str, a: "Value", local_a: float, b: "Optional[Value]" = None,
         local_b: float = 0.0) -> "Value":
    """Make a graph node: ``data`` with parents ``a`` (and ``b``) and their local derivatives.

    Parents live in slots, not in a tuple, so each op allocates one container object:
    that keeps Python's cyclic GC (left on, as users run it) nearly idle.
    """
    out = _object_new(Value)
    out.data = data
    out.grad = 0.0
    out.op = op
    out.label = ""
    if _engine._threads_without_grad and not _engine.is_grad_enabled():
        out._a = out._b = None
        out._la = out._lb = 0.0
    else:
        out._a = a
        out._b = b
        out._la = local_a
        out._lb = local_b
    out._order = _next_order()
    return out


_object_new = object.__new__
_next_order = _engine.next_order
_plain_number_types = frozenset((float, int))


class Value:
    """A scalar node in a computation graph.

    Attributes: ``data`` and ``grad`` (floats), ``parents`` (ordered tuple),
    ``local_grads`` (d self / d parent for each parent), ``op`` (how it was made),
    ``label`` (a name for pictures and tables).
    """

    __slots__ = ("data", "grad", "_a", "_b", "_la", "_lb", "op", "label", "_order")
    _GRAD_ZERO = 0.0
    # numpy must hand ``ndarray + Value`` to Value.__radd__ (a clear TypeError) instead of
    # silently building an object array of Values
    __array_ufunc__ = None
    _rest = None  # scalar ops have at most two parents (engine node protocol)

    data: float
    grad: float
    op: str
    label: str
    _a: Optional["Value"]
    _b: Optional["Value"]
    _la: float
    _lb: float
    _order: int

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = data if type(data) is float else _check_number(data, "Value")
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self.grad = 0.0
        self._a = self._b = None
        self._la = self._lb = 0.0
        self.op = ""
        self.label = label
        self._order = _next_order()

    # ----------------------------------------------------------------- binary ops
    def __add__(self, other: Operand) -> "Value":
        if type(other) is not Value:
            other = _const(other, "+")
        return _new(self.data + other.data, "+", self, 1.0, other, 1.0)

    def __radd__(self, other: Number) -> "Value":
        return _const(other, "+") + self

    def __sub__(self, other: Operand) -> "Value":
        if type(other) is not Value:
            other = _const(other, "-")
        return _new(self.data - other.data, "-", self, 1.0, other, -1.0)

    def __rsub__(self, other: Number) -> "Value":
        return _const(other, "-") - self

    def __mul__(self, other: Operand) -> "Value":
        if type(other) is not Value:
            other = _const(other, "*")
        return _new(self.data * other.data, "*", self, other.data, other, self.data)

    def __rmul__(self, other: Number) -> "Value":
        return _const(other, "*") * self

    def __truediv__(self, other: Operand) -> "Value":
        if type(other) is not Value:
            other = _const(other, "/")
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionDomainError(f"/: division by zero ({fmt(a)} / {fmt(b)})")
        q = a / b
        if q - q != 0.0 and _finite(a) and _finite(b) and math.isinf(q):
            raise OverflowError(f"/: result too large for a float ({fmt(a)} / {fmt(b)})")
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b**2, as -(a/b)/b so that b*b cannot underflow to 0
        return _new(q, "/", self, 1.0 / b, other, -q / b)

    def __rtruediv__(self, other: Number) -> "Value":
        return _const(other, "/") / self

    def __pow__(self, other: Operand) -> "Value":
        if type(other) is Value or isinstance(other, Value):
            return _pow_value(self, other)
        n = _check_number(other, "**")
        a = self.data
        out = _power(a, n, "**")
        # d(a**n)/da = n * a**(n-1)
        local = 0.0 if n == 0.0 else n * _power(a, n - 1.0, "**", derivative=True)
        return _new(out, "**" + fmt(n), self, local)

    def __rpow__(self, other: Number) -> "Value":
        return _const(other, "**") ** self

    # ----------------------------------------------------------------- unary ops
    def __neg__(self) -> "Value":
        return _new(-self.data, "neg", self, -1.0)

    def __pos__(self) -> "Value":
        return self

    def __abs__(self) -> "Value":
        return self.abs()

    def abs(self) -> "Value":
        """|x|; the local derivative is sign(x) (0 at 0, as in PyTorch; NaN at NaN)."""
        a = self.data
        return _new(abs(a), "abs", self, 1.0 if a > 0 else (-1.0 if a < 0 else (0.0 if a == 0 else a)))

    def exp(self) -> "Value":
        """e**x; d/dx = e**x."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp: result too large for a float (exp({fmt(self.data)}))") from None
        return _new(e, "exp", self, e)

    def log(self) -> "Value":
        """Natural log; d/dx = 1/x; x must be > 0."""
        a = self.data
        if a <= 0.0:  # NaN is not refused: it propagates, as everywhere
            raise DomainError(f"log: needs x > 0, got x = {fmt(a)}")
        return _new(math.log(a), "log", self, 1.0 / a)

    def sqrt(self) -> "Value":
        """Square root; d/dx = 1/(2 sqrt x) (inf at 0); x must be >= 0."""
        a = self.data
        if a < 0.0:
            raise DomainError(f"sqrt: needs x >= 0, got x = {fmt(a)}")
        s = math.sqrt(a)
        return _new(s, "sqrt", self, 0.5 / s if s else math.inf)

    def tanh(self) -> "Value":
        """tanh x; d/dx = 1 - tanh(x)**2."""
        t = math.tanh(self.data)
        return _new(t, "tanh", self, 1.0 - t * t)

    def sigmoid(self) -> "Value":
        """1 / (1 + e**-x); d/dx = s (1 - s). Stable for large |x|."""
        a = self.data
        if a >= 0.0:
            s = 1.0 / (1.0 + math.exp(-a))
        else:
            e = math.exp(a)
            s = e / (1.0 + e)
        return _new(s, "sigmoid", self, s * (1.0 - s))

    def relu(self) -> "Value":
        """max(0, x); d/dx = 1 if x > 0 else 0 (NaN stays NaN, with derivative 0)."""
        a = self.data
        if a > 0.0:
            return _new(a, "relu", self, 1.0)
        return _new(0.0 if a == a else a, "relu", self, 0.0)

    def sin(self) -> "Value":
        """sin x; d/dx = cos x (sin of an infinity is NaN, as in numpy)."""
        a = self.data
        if a - a != 0.0:  # inf or NaN
            return _new(math.nan, "sin", self, math.nan)
        return _new(math.sin(a), "sin", self, math.cos(a))

    def cos(self) -> "Value":
        """cos x; d/dx = -sin x (cos of an infinity is NaN, as in numpy)."""
        a = self.data
        if a - a != 0.0:  # inf or NaN
            return _new(math.nan, "cos", self, math.nan)
        return _new(math.cos(a), "cos", self, -math.sin(a))

    # ----------------------------------------------------------------- graph
    def backward(self, grad: Optional[Number] = 1.0) -> None:
        """Chain rule from this node: every node it depends on gets ``d self / d node``.

        Leaves accumulate across calls (call ``zero_grad`` or set ``.grad = 0``);
        intermediate grads are recomputed on each call and stay readable afterwards.
        """
        _engine.backward(self, self._seed_for(grad, "backward"))

    def _seed_for(self, grad: Optional[Number], where: str) -> float:
        """The seed for a backward pass from here (shared by backward and explain)."""
        if grad is None:
            return 1.0
        return grad if type(grad) is float else _check_number(grad, where)

    @staticmethod
    def _check_leaf_grads(leaves: List["Value"], grads: List[Any]) -> None:
        # One C-speed pass over the types; only a surprise pays for the precise check.
        if _plain_number_types.issuperset(map(type, grads)):
            return
        for leaf, g in zip(leaves, grads):
            if isinstance(g, bool) or not isinstance(g, numbers.Real):
                name = f" {leaf.label!r}" if leaf.label else ""
                raise TypeError(f"backward: leaf{name} (data {fmt(leaf.data)}) has a grad that is not a "
                                f"number: {type(g).__name__}: {g!r}; set it to 0.0 before backward()")

    def _seed(self, grad: float) -> None:
        self.grad += grad

    def _accumulate(self, contribution: float) -> None:
        self.grad += contribution

    def _backprop(self) -> None:
        # The chain rule, one node: each parent gets local x upstream.
        g = self.grad
        self._a.grad += self._la * g  # type: ignore[union-attr]  # only called on non-leaves
        b = self._b
        if b is not None:
            b.grad += self._lb * g

    def _contributions(self) -> Iterator[Tuple["Value", float]]:
        g = self.grad
        for p, local in zip(self.parents, self.local_grads):
            yield p, local * g

    @property
    def parents(self) -> Tuple["Value", ...]:
        """The inputs of the op that made this node, in order, repeats kept (``a + a``: two)."""
        a, b = self._a, self._b
        if a is None:
            return ()
        return (a,) if b is None else (a, b)

    @property
    def local_grads(self) -> Tuple[float, ...]:
        """d self / d parent for each parent, in the order of ``parents``."""
        if self._a is None:
            return ()
        return (self._la,) if self._b is None else (self._la, self._lb)

    @property
    def is_leaf(self) -> bool:
        """True for inputs and parameters: nodes no op made (they only receive grads)."""
        return self._a is None

    def detach(self) -> "Value":
        """A new leaf with the same data and label: the graph is cut here."""
        return Value(self.data, self.label)

    def item(self) -> float:
        """The data as a Python float."""
        return self.data

    # ----------------------------------------------------------------- display
    def __repr__(self) -> str:
        parts = [f"data={fmt(self.data)}", f"grad={fmt(self.grad)}"]
        if self.op:
            parts.append(f"op={self.op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"

    def _repr_html_(self) -> str:  # notebooks: see autograd_lite.display
        from .display import value_html

        return value_html(self)

    def __float__(self) -> float:
        return self.data

    # Values are graph nodes: identity, not value, decides equality and hashing.
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise TypeError(
            "Value: truth value is ambiguous in a graph; compare .data instead (e.g. v.data > 0)"
        )

    def __lt__(self, other: Operand) -> bool:
        return self.data < _data_of(other, "<")

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data_of(other, "<=")

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data_of(other, ">")

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data_of(other, ">=")


def _finite(x: float) -> bool:
    return x - x == 0.0


def _data_of(x: Operand, op: str) -> float:
    return x.data if isinstance(x, Value) else _check_number(x, op)


def _const(x: Any, op: str) -> Value:
    """Wrap a plain number used in an op as a leaf ``Value`` (shown in pictures)."""
    if isinstance(x, Value):
        return x
    return Value(_check_number(x, op))


def _power(a: float, n: float, op: str, derivative: bool = False) -> float:
    """a**n as a real number, or a clear DomainError naming the op and values."""
    if a < 0.0 and not float(n).is_integer():
        raise DomainError(f"{op}: negative base with a non-integer exponent ({fmt(a)} ** {fmt(n)})")
    if a == 0.0 and n < 0.0:
        if derivative:  # the function is defined but its slope is infinite, e.g. sqrt at 0
            return _signed_inf(a, n)
        raise ZeroDivisionDomainError(f"{op}: zero to a negative power ({fmt(a)} ** {fmt(n)})")
    try:
        return float(a**n)
    except OverflowError:
        if derivative:  # a slope may be infinite (IEEE, as numpy computes it for Tensor)
            return _signed_inf(a, n)
        raise OverflowError(f"{op}: result too large for a float ({fmt(a)} ** {fmt(n)})") from None


def _signed_inf(a: float, n: float) -> float:
    """a**n where it overflows (or a is ±0 and n < 0): ±inf, negative for a < 0 (or -0) and odd n."""
    odd = float(n).is_integer() and n % 2 == 1
    return -math.inf if odd and math.copysign(1.0, a) < 0 else math.inf


def _pow_value(base: Value, exponent: Value) -> Value:
    """a**b with both Values: d/da = b a**(b-1), d/db = a**b ln a (a > 0 needed for it)."""
    a, b = base.data, exponent.data
    out = _power(a, b, "**")
    da = 0.0 if b == 0.0 else b * _power(a, b - 1.0, "**", derivative=True)
    if a > 0.0:
        db = out * math.log(a)
    elif a == 0.0 and b > 0.0:
        db = 0.0  # 0**b is 0 for every b > 0 nearby
    else:
        raise DomainError(
            f"**: the exponent's derivative a**b ln(a) needs a > 0 ({fmt(a)} ** {fmt(b)}); "
            "use a number exponent for a negative base"
        )
    return _new(out, "**", base, da, exponent, db)
