"""Forward mode: dual numbers that carry a tangent through every op.

A :class:`Dual` is a number ``primal + tangent·ε`` with ε² = 0.  Each op computes its result
as ``Value`` does and its tangent with the *same* local derivatives, taken from the op table
(:mod:`autograd_lite.ops`): ``tangent(out) = Σ ∂out/∂parent · tangent(parent)``.  One forward
pass gives ``f(x)`` and one directional derivative ``J·t``; nothing is stored for later.

>>> from autograd_lite import fmt
>>> from autograd_lite.forward import Dual
>>> x = Dual(3.0, 1.0)          # seed dx/dx = 1
>>> y = x * x + x.sin()
>>> fmt(y.primal), fmt(y.tangent)      # 9 + sin 3, 2·3 + cos 3
('9.14112000806', '5.0100075034')

Reverse mode (``backward``) is the opposite trade: one sweep gives the derivative of *one*
output with respect to *every* input.  :func:`work` counts both for a function, the lesson of
why a loss (many inputs, one output) is differentiated in reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, List, Union

from . import engine as _engine
from . import ops as _ops
from .format import fmt
from .value import Value, _check_number

__all__ = ["Dual", "Work", "work", "trace"]

Number = Union[int, float]


def _unary(name: str) -> Callable[["Dual"], "Dual"]:
    def method(self: "Dual") -> "Dual":
        return self._apply(name)

    method.__name__ = name
    method.__doc__ = f"{name} of the primal; the tangent times its local derivative (the op table's rule)."
    return method


class Dual:
    """``primal + tangent·ε``: a number and its derivative along one direction.

    Supports the ops of ``Value`` (``+ - * / ** %`` and every one-parent row of the op table:
    ``exp log sqrt tanh sigmoid relu sin cos abs tan ... arcsinh deg2rad``), with plain numbers on
    either side.
    """

    __slots__ = ("primal", "tangent")

    def __init__(self, primal: Number, tangent: Number = 0.0) -> None:
        self.primal = _check_number(primal, "Dual")
        self.tangent = _check_number(tangent, "Dual")

    def _apply(self, method: str, *others: Any) -> "Dual":
        # The op on primal Values gives the result and its local derivatives (the table's
        # rules, evaluated on floats, exactly as backward uses them).
        parents = [Value(self.primal)] + [Value(o.primal) for o in others]
        node = getattr(parents[0], method)(*parents[1:])
        tangent = 0.0
        tangents = [self.tangent] + [o.tangent for o in others]
        for p, local in zip(node.parents, node.local_grads):
            t = next(t for q, t in zip(parents, tangents) if q is p)
            if t:
                tangent += local * t
        return Dual(node.data, tangent)

    def _power_number(self, n: float) -> "Dual":
        node = Value(self.primal) ** n
        return Dual(node.data, node.local_grads[0] * self.tangent if self.tangent else 0.0)

    def __add__(self, other: Any) -> "Dual":
        return self._apply("__add__", _dual(other, "+"))

    def __radd__(self, other: Any) -> "Dual":
        return _dual(other, "+")._apply("__add__", self)

    def __sub__(self, other: Any) -> "Dual":
        return self._apply("__sub__", _dual(other, "-"))

    def __rsub__(self, other: Any) -> "Dual":
        return _dual(other, "-")._apply("__sub__", self)

    def __mul__(self, other: Any) -> "Dual":
        return self._apply("__mul__", _dual(other, "*"))

    def __rmul__(self, other: Any) -> "Dual":
        return _dual(other, "*")._apply("__mul__", self)

    def __truediv__(self, other: Any) -> "Dual":
        return self._apply("__truediv__", _dual(other, "/"))

    def __rtruediv__(self, other: Any) -> "Dual":
        return _dual(other, "/")._apply("__truediv__", self)

    def __pow__(self, other: Any) -> "Dual":
        if isinstance(other, Dual):
            return self._apply("__pow__", other)
        return self._power_number(_check_number(other, "**"))

    def __rpow__(self, other: Any) -> "Dual":
        return _dual(other, "**")._apply("__pow__", self)

    def __neg__(self) -> "Dual":
        return self._apply("__neg__")

    def __pos__(self) -> "Dual":
        return self

    def __abs__(self) -> "Dual":
        return self._apply("abs")

    def __mod__(self, other: Any) -> "Dual":
        return self._apply("__mod__", _dual(other, "%"))

    def __rmod__(self, other: Any) -> "Dual":
        return _dual(other, "%")._apply("__mod__", self)

    # every one-parent op of Value (the op table's unary rows) is added below the class
    if TYPE_CHECKING:
        def __getattr__(self, name: str) -> Callable[[], "Dual"]: ...

    # Like Value: a tangent cannot follow a branch taken on truth, so truth is refused;
    # comparisons compare the primals (a branch on them is the user's, as for Value).
    def __bool__(self) -> bool:
        raise TypeError("Dual: truth value is ambiguous (a branch would drop the tangent's other side); "
                        "compare .primal instead (e.g. d.primal > 0)")

    def __lt__(self, other: Any) -> bool:
        return self.primal < _dual(other, "<").primal

    def __le__(self, other: Any) -> bool:
        return self.primal <= _dual(other, "<=").primal

    def __gt__(self, other: Any) -> bool:
        return self.primal > _dual(other, ">").primal

    def __ge__(self, other: Any) -> bool:
        return self.primal >= _dual(other, ">=").primal

    @property
    def data(self) -> float:
        """The primal, under ``Value``'s name (so code written for Values reads it)."""
        return self.primal

    def __repr__(self) -> str:
        return f"Dual({fmt(self.primal)}, tangent={fmt(self.tangent)})"


_ops.add_unary_methods(Dual, _unary)


def _dual(x: Any, op: str) -> Dual:
    if isinstance(x, Dual):
        return x
    if isinstance(x, Value):
        raise TypeError(f"{op}: cannot combine a Dual with a Value inside jvp; "
                        "write f with its arguments only (numbers are fine)")
    return Dual(_check_number(x, op), 0.0)


# --------------------------------------------------------------------------- counting the work
@dataclass(frozen=True)
class Work:
    """The cost of the full Jacobian of ``f: Rⁿ → Rᵐ`` in each mode, counted in ops."""

    inputs: int
    outputs: int
    ops_per_evaluation: int
    forward_passes: int  # forward mode: one pass per input direction
    reverse_sweeps: int  # reverse mode: one forward pass, then one sweep per output

    @property
    def forward_ops(self) -> int:
        """Forward mode: n passes, each an evaluation with tangents (about 2 ops per op)."""
        return self.forward_passes * 2 * self.ops_per_evaluation

    @property
    def reverse_ops(self) -> int:
        """Reverse mode: one evaluation, then m sweeps of about 2 ops per op (one per edge)."""
        return self.ops_per_evaluation + self.reverse_sweeps * 2 * self.ops_per_evaluation

    def __str__(self) -> str:
        winner = "reverse" if self.reverse_ops < self.forward_ops else (
            "forward" if self.forward_ops < self.reverse_ops else "either")
        return (f"f: R^{self.inputs} -> R^{self.outputs}, {self.ops_per_evaluation} ops per evaluation\n"
                f"  forward mode: {_count(self.forward_passes, 'pass', 'passes')} (one per input)"
                f"  ~ {self.forward_ops} ops\n"
                f"  reverse mode: 1 pass + {_count(self.reverse_sweeps, 'sweep', 'sweeps')} (one per output)"
                f"  ~ {self.reverse_ops} ops\n"
                f"  cheaper: {winner} mode")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def work(f: Callable[..., Any], *args: Number) -> Work:
    """Count the ops of ``f(*args)`` and the passes each mode needs for its whole Jacobian.

    >>> print(work(lambda *w: sum(wi * wi for wi in w), *range(1, 101)))   # a loss: 100 -> 1
    f: R^100 -> R^1, 200 ops per evaluation
      forward mode: 100 passes (one per input)  ~ 40000 ops
      reverse mode: 1 pass + 1 sweep (one per output)  ~ 600 ops
      cheaper: reverse mode
    """
    leaves = [Value(_check_number(a, "work")) for a in args]
    out = f(*leaves)
    outs: List[Any] = list(out) if isinstance(out, (list, tuple)) else [out]
    nodes = set()
    for o in outs:
        if isinstance(o, Value):
            nodes.update(_engine.topological_order(o))
    return Work(len(args), len(outs), len(nodes), len(args), len(outs))


def trace(f: Callable[..., Any], primals: Any, tangents: Any, *, digits: int = 12,
          decimals: Any = None, lang: Any = None) -> Any:
    """The forward primal and tangent traces of ``f`` at ``primals`` along ``tangents``, as
    textbooks write them (``v̇₁ = v̇₋₁/v₋₁``): a :class:`autograd_lite.trace.Trace` (``lang``:
    ``"en"`` or ``"zh"`` for its words).

    >>> t = trace(lambda x1, x2: x1 * x2 + x1.sin(), (0.0, 2.0), (1.0, 0.0))
    >>> print(t.lines("tangent")[2])
    v̇₁ = v̇₋₁·v₀ + v̇₀·v₋₁ = 1·2 + 0·0 = 2
    """
    from .trace import tangent_trace

    return tangent_trace(f, primals, tangents, digits=digits, decimals=decimals, lang=lang)
from .value_more import add_dual_methods  # noqa: E402  (arctan2, hypot ... fmin)

add_dual_methods(Dual, _dual)
