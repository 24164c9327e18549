"""How the functional API (:mod:`autograd_lite.derivatives`) treats functions of arrays and Tensors.

Arrays in give arrays out; Tensors in give Tensors connected to their graph, so derivatives
compose.  A Jacobian has shape ``out.shape + x.shape``, and several inputs or outputs give tuples
(``J[out][input]``), as ``torch.autograd.functional``:

>>> import numpy as np
>>> from autograd_lite import grad, hessian
>>> f = lambda x: (x ** 3).sum()
>>> grad(f)(np.array([1.0, 2.0]))                 # 3x²
array([ 3., 12.])
>>> hessian(f)(np.array([1.0, 2.0]))              # diag(6x)
array([[ 6.,  0.],
       [ 0., 12.]])
"""

from __future__ import annotations

from typing import Any, List, Tuple

import numpy as np

from .tensor import Tensor
from .value import Value


class Arrays:
    """Functions of arrays or Tensors (the other kind is :class:`derivatives._Scalars`)."""

    name = "Tensor"

    def leaf(self, a: Any, i: int, where: str) -> Tuple[Tensor, bool]:
        """A leaf to differentiate at: a Tensor that wants gradients as given, else a new leaf."""
        if isinstance(a, Tensor):
            return (a if a.requires_grad else Tensor(a.data, requires_grad=True, label=a.label)), True
        try:
            return Tensor(a, requires_grad=True), False  # arrays keep their float dtype
        except TypeError as e:
            raise TypeError(f"{where}: argument {i}: {e}") from None

    def output(self, out: Any, where: str) -> Tensor:
        if isinstance(out, Tensor):
            return out
        if isinstance(out, (int, float, np.ndarray)) and not isinstance(out, bool):
            return Tensor(out)  # a constant function (its arguments are then unused)
        raise TypeError(f"{where}: f must return a Tensor (or a tuple of Tensors), got {type(out).__name__}")

    def scalar(self, out: Any, where: str) -> Tensor:
        o = self.output(out, where)
        if o.data.size != 1:
            raise ValueError(f"{where}: f must return one number, got a Tensor of shape {o.data.shape}; "
                             "reduce it first (e.g. with .sum())")
        return o

    def size(self, o: Any) -> int:
        return int(np.size(o.data if isinstance(o, Tensor) else o))

    def seed(self, o: Tensor, k: int = 0) -> np.ndarray:
        seed = np.zeros(o.data.size, o.data.dtype)
        seed[k] = 1.0
        return seed.reshape(o.data.shape)

    def stand_in(self, o: Tensor) -> Tensor:
        return Tensor(np.zeros(o.data.shape, o.data.dtype), requires_grad=True, label="u")

    def dot(self, a: Any, b: Any) -> Any:
        return (a * b).sum()

    def zero(self, x: Any, as_node: bool) -> Any:
        d = x.data if isinstance(x, Tensor) else np.asarray(x)
        z = np.zeros(d.shape, d.dtype)
        return Tensor(z) if as_node else z

    def result(self, g: Any, x: Any, as_node: bool) -> Any:
        if g is None:
            return self.zero(x, as_node)
        if as_node:
            return g if isinstance(g, Tensor) else Tensor(g)
        return g.data if isinstance(g, Tensor) else np.asarray(g)

    def own(self, results: List[Any]) -> List[Any]:
        """The gradient arrays, each the caller's own: one that is a view of another array (the
        seed, a reshape) or that two inputs got (``x + y`` sends both the same g) is copied."""
        seen: set = set()
        out = []
        for r in results:
            if isinstance(r, np.ndarray) and (r.base is not None or id(r) in seen or not r.flags.writeable):
                r = r.copy()
            seen.add(id(r))
            out.append(r)
        return out

    def value(self, out: Tensor, as_node: bool) -> Any:
        return out if as_node else out.data

    def tangent(self, t: Any, x: Any, i: int, where: str) -> Any:
        """A tangent (or hvp vector) for primal ``x``: a real array of its shape, in its dtype,
        or a Tensor (kept as a node when it wants gradients)."""
        d = x.data if isinstance(x, Tensor) else np.asarray(x)
        if isinstance(t, Value):
            raise TypeError(f"{where}: tangent {i} is a Value; tangents of Tensor functions are arrays "
                            "or Tensors")
        node = isinstance(t, Tensor) and t.requires_grad
        raw = t.data if isinstance(t, Tensor) else t
        try:
            arr = np.asarray(raw)
        except (TypeError, ValueError, OverflowError) as e:
            raise TypeError(f"{where}: tangent {i} is not an array of real numbers ({e})") from None
        if arr.dtype.kind not in "iuf":  # bool, complex, strings, objects: never converted silently
            raise TypeError(f"{where}: tangent {i} must hold real numbers, got dtype {arr.dtype}")
        if arr.shape != d.shape:
            raise ValueError(f"{where}: tangent {i} has shape {arr.shape}, its primal {d.shape}")
        with np.errstate(over="ignore"):
            cast = arr.astype(d.dtype, copy=False)
        narrower = arr.dtype.kind != "f" or arr.dtype.itemsize > d.dtype.itemsize
        if narrower and not np.array_equal(np.isfinite(cast), np.isfinite(arr)):
            raise ValueError(f"{where}: tangent {i} holds numbers too large for its primal's dtype "
                             f"{d.dtype} (they would become inf)")
        if node:
            return t if t.data.dtype == d.dtype else t.astype(d.dtype)
        return cast

    def block(self, rows: List[Any], o: Tensor, x: Tensor, as_node: bool) -> Any:
        """∂o/∂x, of shape o.shape + x.shape, from one gradient per element of o."""
        shape = o.data.shape + x.data.shape
        if not rows:
            return self.zero(np.zeros(shape), as_node)
        if as_node:
            from .functional import stack

            return stack([self.result(r, x, True) for r in rows]).reshape(shape)
        return np.stack([np.asarray(r) for r in rows]).reshape(shape)

    def column(self, ts: List[Any], o: Any, x: Tensor, as_node: bool) -> Any:
        """∂o/∂x, of shape o.shape + x.shape, from one tangent of o per element of x."""
        o_shape = tuple(np.shape(o.data if isinstance(o, Tensor) else o))
        shape = o_shape + x.data.shape
        if not ts:
            return self.zero(np.zeros(shape), as_node)
        if as_node:
            from .functional import stack

            return stack([t if isinstance(t, Tensor) else Tensor(t) for t in ts], axis=-1).reshape(shape)
        return np.stack([np.asarray(t) for t in ts], axis=-1).reshape(shape)

    def table(self, table: List[List[Any]], many_out: bool, many_in: bool) -> Any:
        rows = [tuple(r) if many_in else r[0] for r in table]
        return tuple(rows) if many_out else rows[0]

    def basis(self, x: Tensor) -> List[np.ndarray]:
        out = []
        for k in range(x.data.size):
            e = np.zeros(x.data.size, x.data.dtype)
            e[k] = 1.0
            out.append(e.reshape(x.data.shape))
        return out

    def as_array(self, x: Any) -> np.ndarray:
        return np.asarray(x.data if isinstance(x, Tensor) else x)

    def check_point(self, x: Any, i: int) -> np.ndarray:
        raw = x.data if isinstance(x, Tensor) else x
        if isinstance(raw, Value):
            raise TypeError(f"gradgradcheck: input {i} is a Value; use one kind of input")
        arr = np.asarray(raw)
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"gradgradcheck: input {i} must hold real numbers, got dtype {arr.dtype}")
        return np.array(arr, dtype=np.float64)

    def from_array(self, a: np.ndarray) -> np.ndarray:
        return a
