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

import numbers
import threading
from typing import TYPE_CHECKING, Any, Callable, List, Optional, Tuple, Union

from . import checks as _checks
from . import engine as _engine
from . import hooks as _hooks
from . import ops as _ops
from . import ops_more as _ops_more  # noqa: F401  (more rows: reciprocal ... fmin, before the methods)
from . import specialise as _specialise
from . import value_graph as _value_graph
from .format import fmt
from .generic import ieee_quotient as _ieee_quotient
from .numeric import (  # noqa: F401  (DomainError ... are importable from here)
    DomainError,
    ZeroDivisionDomainError,
    _check_number,
    _finite,
    _power,
    _signed_inf,
)
from .value_protocol import ValueProtocol

Number = Union[int, float]
Operand = Union["Value", int, float]


#: ``_new(data, op, a, local_a, b=None, local_b=0.0, cls=None)``: a graph node, ``data`` with parents
#: ``a`` (and ``b``) and their local derivatives (``cls``: a Function's node class). Generated below
#: the class from the one node template of :mod:`autograd_lite.specialise`, the lines every
#: generated method writes. Parents live in slots, not in a tuple, so each op allocates one
#: container object: that keeps Python's cyclic GC (left on, as users run it) nearly idle.
_new: Callable[..., "Value"]

_object_new = object.__new__
_keeping = threading.Lock()  # Value._keep
_next_order = _engine.next_order
_plain_number_types = {float, int}  # Value joins below: a grad made with create_graph=True


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
    # Parents after the second (a Function with more Value inputs; engine node protocol): a slot
    # of that node class only, with their local derivatives ``_lrest``.
    _rest: Optional[Tuple["Value", ...]] = None
    _lrest: Tuple[float, ...] = ()

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
    # + - * (and neg and the one-parent ops below) are generated from the op table's rows at
    # import (autograd_lite.specialise): the row's forward and local derivatives written out in
    # the method, as fast as by hand and never a copy.
    if TYPE_CHECKING:
        def __add__(self, other: Operand) -> "Value": ...
        def __sub__(self, other: Operand) -> "Value": ...
        def __mul__(self, other: Operand) -> "Value": ...
        def __neg__(self) -> "Value": ...
        def __truediv__(self, other: Operand) -> "Value": ...

        def __radd__(self, other: Number) -> "Value": ...
        def __rsub__(self, other: Number) -> "Value": ...
        def __rmul__(self, other: Number) -> "Value": ...
        def __rtruediv__(self, other: Number) -> "Value": ...

    def __pow__(self, other: Operand) -> "Value":
        if type(other) is Value or isinstance(other, Value):
            return _pow_value(self, other)
        n = _check_number(other, "**")
        a = self.data
        out = _power(a, n, "**", derivative=_engine.in_rule())
        return _new(out, _ops.param_tag("**n", n, "**" + fmt(n)), self, _R_POW_N(a, out, n))

    def __rpow__(self, other: Number) -> "Value":
        return _const(other, "**") ** self

    def __mod__(self, other: Operand) -> "Value":
        if type(other) is not Value:
            other = _const(other, "%")
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionDomainError(f"%: division by zero ({fmt(a)} % {fmt(b)})")
        out = a % b  # the sign of b (numpy's mod); inf % b is NaN, as in numpy
        return _new(out, _T_MOD, self, 1.0, other, _R_MOD_B(a, b, out))

    def __rmod__(self, other: Number) -> "Value":
        return _const(other, "%") % self

    # ----------------------------------------------------------------- unary ops
    def __pos__(self) -> "Value":
        return self

    def __abs__(self) -> "Value":
        return self.abs()

    # exp, log, tanh, relu, sqrt ... arcsinh, deg2rad: every one-parent row of the op table that
    # has a float forward gets its method generated from the row, below the class.
    if TYPE_CHECKING:
        def __getattr__(self, name: str) -> Callable[[], "Value"]: ...

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
        _value_graph.as_graph_grads(nodes)

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
                if node._rest is not None:  # a Function with more than two Value inputs
                    for p, local in zip(node._rest, node._lrest):
                        p.grad += local * g

    def _sends(self, g: Any, graph: bool = False) -> Tuple[Tuple["Value", Any], ...]:
        # (parent, local x upstream) per parent: the stored local derivatives, or as graph the
        # op table's rules run on the parents themselves (value_graph)
        a = self._a
        if a is None:
            return ()
        if graph:
            return _value_graph.graph_sends(self, g)
        b = self._b
        if b is None:
            return ((a, self._la * g),)
        if self._rest is not None:
            rest = tuple((p, lp * g) for p, lp in zip(self._rest, self._lrest))
            return ((a, self._la * g), (b, self._lb * g), *rest)
        return ((a, self._la * g), (b, self._lb * g))

    @staticmethod
    def _plus(grad: Any, contribution: Any) -> Any:
        # a graph contribution replaces a plain 0 (no `0 + c` node); anything else adds
        if type(grad) is not Value and type(contribution) is Value and grad == 0.0:
            return contribution
        return grad + contribution

    @property
    def parents(self) -> Tuple["Value", ...]:
        """The inputs of the op that made this node, in order, repeats kept (``a + a``: two).

        A number in an op (the 3 of ``x * 3``) is kept in its node; here it becomes a leaf
        ``Value`` (once: the same leaf from then on; see :meth:`_keep`)."""
        if getattr(self.op, "const", None) is not None:  # (the tag first: _keep writes it last)
            self._keep()
        a, b = self._a, self._b
        if a is None:
            return ()
        if b is None:
            return (a,)
        if self._rest is not None:
            return (a, b, *self._rest)  # type: ignore[arg-type]
        return (a, b)  # type: ignore[return-value]

    @property
    def local_grads(self) -> Tuple[float, ...]:
        """d self / d parent for each parent, in the order of ``parents``."""
        if getattr(self.op, "const", None) is not None:
            self._keep()
        if self._a is None:
            return ()
        if self._rest is not None:
            return (self._la, self._lb, *self._lrest)
        return (self._la,) if self._b is None else (self._la, self._lb)

    def _keep(self) -> None:
        """The number this node kept in place of a parent (``x * 3``) made a leaf ``Value``.

        Its creation index is the one the op kept for it (just before the node's: pictures and
        folds number it as if it had been made with the op); its local derivative is the row's
        rule; its grad is what the node's last backward pass sent it (``local x node.grad``), so a
        picture drawn after ``backward()`` shows it.  From then on the node holds the leaf as any
        parent, and passes add to its grad as to any leaf's.
        """
        with _keeping:  # two threads reading the same node make one leaf
            if self._a is not None and self._b is None and getattr(self.op, "const", None) is not None:
                self._make_kept_leaf()

    def _make_kept_leaf(self) -> None:
        tag = self.op
        row, first = tag.row, tag.const == 0  # type: ignore[attr-defined]
        k = _object_new(Value)
        k.data = self._lb
        k._a = k._b = None
        k._la = k._lb = 0.0
        k.op = k.label = ""
        k._order = self._order - 1
        a = self._a.data  # type: ignore[union-attr]
        local = row.rules[0](k.data, a, self.data) if first else row.rules[1](a, k.data, self.data)
        g = self.grad.data if type(self.grad) is not float and isinstance(self.grad, Value) else self.grad
        k.grad = 0.0 + local * g if g != 0.0 else 0.0
        if first:
            self._b, self._lb, self._a, self._la = self._a, self._la, k, local
        else:
            self._b, self._lb = k, local
        self.op = row.tag  # last: a reader that sees the row's own tag sees the whole node

    @property
    def is_leaf(self) -> bool:
        """True for inputs and parameters: nodes no op made (they only receive grads)."""
        return self._a is None

    def register_hook(self, hook: Callable[[Any], Any]) -> Any:
        """``hook(grad)`` runs as the backward pass reaches this node and may return a replacement
        gradient (PyTorch's ``register_hook``; :mod:`autograd_lite.hooks`); returns a removable
        handle."""
        return _hooks.register_hook(self, hook)

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


def _divide_at_pole(num: Any, den: Any) -> Value:
    """num / den at den = ±0: refused (ZeroDivisionDomainError), except while a rule runs as graph,
    where a derivative may be infinite: then IEEE's ±inf (or NaN for 0/0).  A number operand
    becomes a leaf here (a rare path)."""
    num, den = _const(num, "/"), _const(den, "/")
    a, b = num.data, den.data
    if not _engine.in_rule():
        raise ZeroDivisionDomainError(f"/: division by zero ({fmt(a)} / {fmt(b)})")
    q = _ieee_quotient(a, b)
    return _new(q, _T_DIV, num, _ieee_quotient(1.0, b), den, -_ieee_quotient(q, b))


def _pow_value(base: Value, exponent: Value) -> Value:
    """a**b with both Values: d/da = b a**(b-1), d/db = a**b ln a (0 at a = 0; NaN for a < 0,
    where ln a is undefined: only an integer exponent gets there, as in PyTorch)."""
    a, b = base.data, exponent.data
    out = _power(a, b, "**", derivative=_engine.in_rule())
    return _new(out, _T_POW, base, _R_POW_A(a, b, out), exponent, _R_POW_B(a, b, out))


_plain_number_types.add(Value)
_value_graph.Value = Value
_new = _specialise.node_function(Value)


for _name, _op in (("__add__", "+"), ("__sub__", "-"), ("__mul__", "*")):
    setattr(Value, _name, _specialise.binary_method(Value, _const, _ops.OPS[_op], _name))
_DIVISION_OVERFLOW = ("    if r - r != 0.0 and _finite(a) and _finite(b) and not _engine.in_rule():\n"
                      "        raise OverflowError(f'/: result too large for a float "
                      "({fmt(a)} / {fmt(b)})')\n")
# a / b: the policy around the row's forward and rules (a pole, a finite a/b too large).
Value.__truediv__ = _specialise.binary_method(  # type: ignore[method-assign]
    Value, _const, _ops.OPS["/"], "__truediv__",
    before="    if b == 0.0:\n        return _divide_at_pole(self, other)\n",
    after=_DIVISION_OVERFLOW,
    names={"_divide_at_pole": _divide_at_pole, "_finite": _finite})
# number <op> self: the number kept in the node at the first place.
for _name, _op, _ordinary in (("__radd__", "+", Value.__add__), ("__rsub__", "-", Value.__sub__),
                              ("__rmul__", "*", Value.__mul__)):
    setattr(Value, _name, _specialise.reflected_method(Value, _const, _ops.OPS[_op], _name,
                                                       names={"_ordinary": _ordinary}))
Value.__rtruediv__ = _specialise.reflected_method(  # type: ignore[method-assign]
    Value, _const, _ops.OPS["/"], "__rtruediv__",
    before="    if b == 0.0:\n        return _divide_at_pole(other, self)\n", after=_DIVISION_OVERFLOW,
    names={"_ordinary": Value.__truediv__, "_divide_at_pole": _divide_at_pole, "_finite": _finite})
Value.__neg__ = _specialise.unary_method(Value, _const, _ops.OPS["neg"], "__neg__")  # type: ignore[method-assign]
_ops.add_unary_methods(Value, lambda name: _specialise.unary_method(Value, _const, _ops.OPS[name], name))

# The op table's rules and its rows' tags (what a node keeps as its op), bound once.
_T_DIV, _T_MOD, _T_POW = (_ops.OPS[name].tag for name in ("/", "%", "**"))
_R_POW_N = _ops.OPS["**n"].rules[0]
_R_POW_A, _R_POW_B = _ops.OPS["**"].rules
_R_MOD_B = _ops.OPS["%"].rules[1]


# arctan2, hypot ... fmin, the two-parent rows of ops_more: their float forwards (math's, numpy's
# semantics) with the rows' rules, generated the same way.
for _name, _forward in _ops_more.BINARY.items():
    _overflow = ("    if r - r != 0.0 and a - a == 0.0 and b - b == 0.0 and not _engine.in_rule():\n"
                 f"        raise OverflowError(f'{_name}: result too large for a float ({_name}({{fmt(a)}}, "
                 "{fmt(b)}))')\n") if _name in _ops_more.OVERFLOWS else ""
    setattr(Value, _name, _specialise.binary_method(Value, _const, _ops.OPS[_name], _name, after=_overflow,
                                                    forward=_forward))
