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
from typing import TYPE_CHECKING, Any, Callable, List, Optional, Tuple, Union

from . import checks as _checks
from . import engine as _engine
from . import ops as _ops
from .format import fmt
from .generic import ieee_quotient as _ieee_quotient
from .numeric import (  # noqa: F401  (DomainError ... are importable from here)
    DomainError,
    ZeroDivisionDomainError,
    _check_number,
    _finite,
    _power,
    _signed_inf,
    unary_method,
)
from .value_protocol import ValueProtocol

Number = Union[int, float]
Operand = Union["Value", int, float]


def _new(data: float, op: str, a: "Value", local_a: float, b: "Optional[Value]" = None,
         local_b: float = 0.0, cls: Any = None) -> "Value":
    """Make a graph node: ``data`` with parents ``a`` (and ``b``) and their local derivatives
    (``cls``: a subclass of Value, for a user's Function).

    Parents live in slots, not in a tuple, so each op allocates one container object:
    that keeps Python's cyclic GC (left on, as users run it) nearly idle.
    """
    out = _object_new(cls or Value)
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
_plain_number_types = {float, int}  # Value joins below: a grad made with create_graph=True


def _unary(name: str) -> Callable[["Value"], "Value"]:
    return unary_method(name, _new)


class Value(ValueProtocol):
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
    # + and * are most of every graph: they build their node inline (what _new does, without
    # the call, ~7% of a training step); tests check every op's local grads against the table.
    def __add__(self, other: Operand) -> "Value":
        if type(other) is not Value:
            other = _const(other, "+")
        out = _object_new(Value)
        out.data = self.data + other.data
        out.grad = 0.0
        out.op = "+"
        out.label = ""
        if _engine._threads_without_grad and not _engine.is_grad_enabled():
            out._a = out._b = None
            out._la = out._lb = 0.0
        else:
            out._a = self
            out._b = other
            out._la = out._lb = 1.0
        out._order = _next_order()
        return out

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
        a, b = self.data, other.data
        out = _object_new(Value)
        out.data = a * b
        out.grad = 0.0
        out.op = "*"
        out.label = ""
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

    def __rmul__(self, other: Number) -> "Value":
        return _const(other, "*") * self

    def __truediv__(self, other: Operand) -> "Value":
        if type(other) is not Value:
            other = _const(other, "/")
        a, b = self.data, other.data
        if b == 0.0:
            if not _engine.in_rule():
                raise ZeroDivisionDomainError(f"/: division by zero ({fmt(a)} / {fmt(b)})")
            return _new(_ieee_quotient(a, b), "/", self, _ieee_quotient(1.0, b), other,
                        -_ieee_quotient(_ieee_quotient(a, b), b))  # a derivative may be infinite
        q = a / b
        if q - q != 0.0 and _finite(a) and _finite(b) and math.isinf(q) and not _engine.in_rule():
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
        out = _power(a, n, "**", derivative=_engine.in_rule())
        node = _new(out, "**" + fmt(n), self, _R_POW_N(a, out, n))
        node._lb = n  # a one-parent node's second slot keeps the exponent, for the rule
        return node

    def __rpow__(self, other: Number) -> "Value":
        return _const(other, "**") ** self

    def __mod__(self, other: Operand) -> "Value":
        if type(other) is not Value:
            other = _const(other, "%")
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionDomainError(f"%: division by zero ({fmt(a)} % {fmt(b)})")
        out = a % b  # the sign of b (numpy's mod); inf % b is NaN, as in numpy
        return _new(out, "%", self, 1.0, other, _R_MOD_B(a, b, out))

    def __rmod__(self, other: Number) -> "Value":
        return _const(other, "%") % self

    # ----------------------------------------------------------------- unary ops
    # Made from the op table's rows (numeric.unary_method): the result with the numeric
    # policy's checks, the local derivative by the row's rule, evaluated on floats.
    def __neg__(self) -> "Value":
        return _new(-self.data, "neg", self, -1.0)

    def __pos__(self) -> "Value":
        return self

    def __abs__(self) -> "Value":
        return self.abs()

    # exp, log, sin ... arcsinh, deg2rad: every other one-parent row of the op table that has a
    # float forward gets its method made from the row, below the class (ops.add_unary_methods).
    if TYPE_CHECKING:
        def __getattr__(self, name: str) -> Callable[[], "Value"]: ...

    # The activations, bound by hand like + and * (a call less each; the same tests hold them
    # to the table's rules and the numeric policy).
    def relu(self) -> "Value":
        """max(0, x); d/dx = 1 if x > 0 else 0."""
        a = self.data
        if a > 0.0:
            return _new(a, "relu", self, 1.0)
        return _new(0.0 if a == a else a, "relu", self, 0.0)  # relu(nan) is NaN, with slope 0

    def tanh(self) -> "Value":
        """hyperbolic tangent; d/dx = 1 - tanh(x)²."""
        out = math.tanh(self.data)
        return _new(out, "tanh", self, 1.0 - out * out)

    def sqrt(self) -> "Value":
        """Square root; d/dx = 1/(2 sqrt x) (inf at 0); x must be >= 0."""
        a = self.data
        if a < 0.0:
            raise DomainError(f"sqrt: needs x >= 0, got x = {fmt(a)}")
        s = math.sqrt(a)
        return _new(s, "sqrt", self, _R_SQRT(a, abs(s)))  # +inf at -0 too (sqrt(-0) is -0)

    # ----------------------------------------------------------------- graph
    def backward(self, grad: Optional[Number] = 1.0, create_graph: bool = False,
                 retain_graph: Optional[bool] = None) -> None:
        """Chain rule from this node: every node it depends on gets ``d self / d node``.

        Leaves accumulate across calls (call ``zero_grad`` or set ``.grad = 0``);
        intermediate grads are recomputed on each call and stay readable afterwards.
        ``create_graph=True``: every ``.grad`` is a ``Value`` connected to the graph, so it
        can be differentiated again (PyTorch's meaning).

        >>> x = Value(2.0, "x")
        >>> y = x ** 3
        >>> y.backward(create_graph=True)
        >>> x.grad                      # 3 x**2, itself a graph node
        Value(data=12, grad=0, op='*')
        >>> g = x.grad
        >>> x.grad = 0.0
        >>> g.backward()
        >>> x.grad                      # d(3 x**2)/dx = 6 x
        12.0
        """
        if retain_graph is not None:  # PyTorch's: accepted; a graph here is never freed by a pass
            _checks.flag(retain_graph, "retain_graph", "backward")
        if _checks.flag(create_graph, "create_graph", "backward"):
            _engine.backward(self, self._seed_for(grad, "backward", True), create_graph=True)
        else:
            _engine.backward(self, self._seed_for(grad, "backward"))

    def _seed_for(self, grad: Optional[Number], where: str, graph: bool = False) -> Any:
        """The seed for a backward pass from here (shared by backward and explain); with
        ``graph`` (create_graph=True) a seed that is a Value stays a node of the graph."""
        if grad is None:
            return 1.0
        if type(grad) is float:
            return grad
        if graph and isinstance(grad, Value):
            return grad
        return _check_number(grad.data if isinstance(grad, Value) else grad, where)

    @staticmethod
    def _check_leaf_grads(leaves: List["Value"], grads: List[Any]) -> None:
        # One C-speed pass over the types; only a surprise pays for the precise check.
        if _plain_number_types.issuperset(map(type, grads)):
            return
        for leaf, g in zip(leaves, grads):
            if isinstance(g, bool) or not isinstance(g, (numbers.Real, Value)):
                name = f" {leaf.label!r}" if leaf.label else ""
                raise TypeError(f"backward: leaf{name} (data {fmt(leaf.data)}) has a grad that is not a "
                                f"number: {type(g).__name__}: {g!r}; set it to 0.0 before backward()")

    def _seed(self, grad: Any) -> None:
        self.grad = self._plus(self.grad, grad)

    @staticmethod
    def _as_graph_grads(nodes: List["Value"]) -> None:
        from .value_graph import as_graph_grads

        as_graph_grads(nodes)

    def _accumulate(self, contribution: float) -> None:
        self.grad += contribution

    @staticmethod
    def _sweep(order: List["Value"]) -> None:
        # The chain rule, node by node (children before parents): each parent gets
        # local x upstream.  One loop, no call per node: most of a backward pass is this.
        for node in order:
            g = node.grad
            node._a.grad += node._la * g  # type: ignore[union-attr]  # order holds no leaves
            b = node._b
            if b is not None:
                b.grad += node._lb * g

    def _sends(self, g: Any, graph: bool = False) -> Tuple[Tuple["Value", Any], ...]:
        # (parent, local x upstream) per parent: the stored local derivatives, or as graph the
        # op table's rules run on the parents themselves (value_graph)
        a = self._a
        if a is None:
            return ()
        if graph:
            from .value_graph import graph_sends

            return graph_sends(self, g)
        b = self._b
        if b is None:
            return ((a, self._la * g),)
        return ((a, self._la * g), (b, self._lb * g))

    @staticmethod
    def _plus(grad: Any, contribution: Any) -> Any:
        # a graph contribution replaces a plain 0 (no `0 + c` node); anything else adds
        if type(grad) is not Value and type(contribution) is Value and grad == 0.0:
            return contribution
        return grad + contribution

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


def _const(x: Any, op: str) -> Value:
    """Wrap a plain number used in an op as a leaf ``Value`` (shown in pictures)."""
    if type(x) is not float:  # floats (most constants) skip the number checks: they are numbers
        if isinstance(x, Value):
            return x
        x = _check_number(x, op)
    out = _object_new(Value)
    out.data = x
    out.grad = 0.0
    out._a = out._b = None
    out._la = out._lb = 0.0
    out.op = out.label = ""
    out._order = _next_order()
    return out


def _pow_value(base: Value, exponent: Value) -> Value:
    """a**b with both Values: d/da = b a**(b-1), d/db = a**b ln a (0 at a = 0; NaN for a < 0,
    where ln a is undefined: only an integer exponent gets there, as in PyTorch)."""
    a, b = base.data, exponent.data
    out = _power(a, b, "**", derivative=_engine.in_rule())
    return _new(out, "**", base, _R_POW_A(a, b, out), exponent, _R_POW_B(a, b, out))


_plain_number_types.add(Value)


_ops.add_unary_methods(Value, _unary)

# The op table's rules, bound once (see autograd_lite.ops).
_R_POW_N = _ops.OPS["**n"].rules[0]
_R_POW_A, _R_POW_B = _ops.OPS["**"].rules
_R_SQRT = _ops.OPS["sqrt"].rules[0]
_R_MOD_B = _ops.OPS["%"].rules[1]


from . import value_more  # noqa: E402,F401  (arctan2, hypot ... fmin: the rows of ops_more)
