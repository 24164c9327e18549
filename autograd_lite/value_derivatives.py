"""How the functional API (:mod:`autograd_lite.derivatives`) treats functions of Values: numbers in,
numbers out; Values in, Values out (connected to their graph).  The other kind is
:class:`autograd_lite.tensor_derivatives.Arrays`; both answer the same questions.

>>> from autograd_lite import grad, jacobian
>>> grad(lambda x, y: x * y, argnums=(0, 1))(2.0, 3.0)
(3.0, 2.0)
>>> jacobian(lambda x, y: (x * y, x + y))(2.0, 3.0)       # J[i][j] as lists
[[3.0, 2.0], [1.0, 1.0]]
"""

from __future__ import annotations

from typing import Any, List, Tuple

from . import checks as _checks
from .value import Value


class Scalars:
    """Functions of Values (numbers in, numbers out)."""

    name = "Value"

    def leaf(self, a: Any, i: int, where: str) -> Tuple[Any, bool]:
        if isinstance(a, Value):
            return a, True
        return Value(_checks.real_number(a, f"{where}: argument {i}")), False

    def output(self, out: Any, where: str) -> Any:
        if isinstance(out, Value):
            return out
        if isinstance(out, (int, float)) and not isinstance(out, bool):
            return Value(float(out))  # a constant function (its arguments are then unused)
        raise TypeError(f"{where}: f must return a Value (one number), got {type(out).__name__}")

    def scalar(self, out: Any, where: str) -> Any:
        return self.output(out, where)

    def size(self, o: Any) -> int:
        return 1

    def seed(self, o: Any, k: int = 0) -> Any:
        return 1.0

    def stand_in(self, o: Any) -> Any:
        return Value(0.0, "u")

    def dot(self, a: Any, b: Any) -> Any:
        return a * b

    def zero(self, x: Any, as_node: bool) -> Any:
        return Value(0.0) if as_node else 0.0

    def result(self, g: Any, x: Any, as_node: bool) -> Any:
        if g is None:
            return self.zero(x, as_node)
        if as_node:
            return g if isinstance(g, Value) else Value(float(g))
        return float(g.data) if isinstance(g, Value) else float(g)

    def own(self, results: List[Any]) -> List[Any]:
        return results  # floats and Values: nothing to copy

    def value(self, out: Any, as_node: bool) -> Any:
        return out if as_node else out.data

    def tangent(self, t: Any, x: Any, i: int, where: str) -> Any:
        if isinstance(t, Value):
            return t
        return _checks.real_number(t, f"{where}: tangent {i}")

    def block(self, rows: List[Any], o: Any, x: Any, as_node: bool) -> Any:
        return rows[0]  # one output element: ∂o/∂x itself

    def table(self, table: List[List[Any]], many_out: bool, many_in: bool) -> Any:
        return table  # J[i][j] as lists, whatever the counts

    def basis(self, x: Any) -> List[Any]:
        return [1.0]

    def column(self, ts: List[Any], o: Any, x: Any, as_node: bool) -> Any:
        return ts[0]

    def as_array(self, x: Any) -> Any:
        import numpy as np

        return np.asarray(float(x.data if isinstance(x, Value) else x))

    def check_point(self, x: Any, i: int) -> Any:
        return _checks.real_number(x.data if isinstance(x, Value) else x, f"gradgradcheck: input {i}")

    def from_array(self, a: Any) -> Any:
        return float(a)
