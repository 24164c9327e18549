"""The Tensor class: construction, attributes, the engine's node protocol, display.

The ops themselves live by family (arith, elementwise, reduce, shape, numpy_api); this
file is what makes a Tensor a graph node: ``backward`` and the chain rule for one node,
run on arrays (first order) or on Tensors (``create_graph=True``).
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Tuple

import numpy as np

from .. import checks as _checks
from .. import engine as _engine
from .. import hooks as _hooks
from ..format import fmt
from ..hooks import RemovableHandle
from ..value import Value
from . import _node
from . import contract as _contract  # noqa: F401  (registers np.einsum, np.dot ...)
from ._node import _add_to, _fit, _leaf, _ndarray, _next_order, _Node, _ones, _sum, _to_array
from .arith import ArithmeticOps
from .arrange import ArrangeOps
from .binary_math import BinaryMathOps
from .elementwise import ElementwiseOps
from .numpy_api import NumpyProtocol
from .numpy_math import NumpyMathOps
from .rearrange import RearrangeOps
from .reduce import ReductionOps
from .scan import ScanOps
from .shape import ShapeOps
from .sorting import SortingOps

ArrayLike = Any  # numbers, nested lists, numpy arrays
_float64 = np.dtype(np.float64)
_only_none = {type(None)}


class Tensor(ArithmeticOps, ElementwiseOps, NumpyMathOps, ReductionOps, ShapeOps, ArrangeOps, SortingOps,
             BinaryMathOps, RearrangeOps, ScanOps, NumpyProtocol, _Node):
    """An n-dimensional array node in a computation graph.

    ``Tensor(data, requires_grad=False, dtype=None, label="")``.  Attributes: ``data``
    (ndarray), ``grad`` (ndarray of the same shape, or None), ``requires_grad``,
    ``op`` (how it was made), ``label``, ``parents`` (ordered, repeats kept).

    >>> t = Tensor([[1, 2], [3, 4]], requires_grad=True)
    >>> t.shape, t.dtype
    ((2, 2), dtype('float64'))
    >>> (t @ t).sum().backward()
    >>> t.grad.tolist()
    [[7.0, 11.0], [9.0, 13.0]]
    """

    __slots__ = ()
    _GRAD_ZERO = None

    def __init__(
        self, data: ArrayLike, requires_grad: bool = False, dtype: Any = None, label: str = ""
    ) -> None:
        self.data = _to_array(data, dtype, "Tensor")
        if not isinstance(label, str):
            raise TypeError(f"Tensor: label must be a str, got {type(label).__name__}")
        self.grad = None
        self.requires_grad = _checks.flag(requires_grad, "requires_grad", "Tensor")
        self._a = self._b = self._rest = self._vjp = self._saved = None
        self.op = ""
        self.label = label
        self._order = _next_order()

    # ----------------------------------------------------------------- attributes
    @property
    def shape(self) -> Tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d Tensor")
        return len(self.data)

    def item(self) -> float:
        """The single number of a size-1 tensor, as a Python float."""
        d = self.data
        if d.ndim == 0:  # a loss: the usual case
            return float(d)
        if d.size != 1:
            raise ValueError(f"item: needs a tensor with one element, got shape {d.shape}")
        return float(d.reshape(-1)[0])

    def numpy(self) -> np.ndarray:
        """The data array itself (shared, not copied)."""
        return self.data

    def __float__(self) -> float:
        if self.requires_grad:  # math.exp(t) calls this too: the graph would be cut silently
            raise TypeError(
                "float(Tensor) of a tensor that requires grad would cut the graph (math.exp(t) ... "
                "call it too), and the derivative through the number would silently be lost; use "
                "the Tensor's own methods (t.exp(), t.sin() ...) to stay in the graph, or t.item() "
                "for the plain number"
            )
        return self.item()

    def tolist(self) -> Any:
        """The data as (nested) Python lists of floats, like ``ndarray.tolist``."""
        return self.data.tolist()

    def argmax(self, axis: Optional[int] = None) -> Any:
        """Index of the largest element (along ``axis``), as numpy gives it: no graph, no grad."""
        return self.data.argmax(axis=None if axis is None else _checks.axis(axis, self.data.ndim, "argmax"))

    def argmin(self, axis: Optional[int] = None) -> Any:
        """Index of the smallest element (along ``axis``), as numpy gives it: no graph, no grad."""
        return self.data.argmin(axis=None if axis is None else _checks.axis(axis, self.data.ndim, "argmin"))

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Make this leaf a parameter (or not), in place; returns the tensor (PyTorch's method)."""
        flag = _checks.flag(requires_grad, "requires_grad", "requires_grad_")
        if self._a is not None:
            raise RuntimeError(
                "requires_grad_: only a leaf's flag can change (this tensor was made by "
                f"{self.op!r}); use .detach() to get a leaf"
            )
        self.requires_grad = flag
        return self

    @property
    def is_leaf(self) -> bool:
        """True for inputs, parameters and constants: tensors no recorded op made."""
        return self._a is None

    @property
    def parents(self) -> Tuple["Tensor", ...]:
        """The inputs of the op that made this tensor, in order, repeats kept."""
        a = self._a
        if a is None:
            return ()
        b = self._b
        if b is None:
            return (a,)
        return (a, b) if not self._rest else (a, b, *self._rest)

    def detach(self) -> "Tensor":
        """A new leaf sharing this data (no grad wanted): the graph is cut here."""
        return _leaf(self.data, self.label)

    # ----------------------------------------------------------------- graph
    def backward(self, grad: Optional[ArrayLike] = None, create_graph: bool = False,
                 retain_graph: Optional[bool] = None) -> None:
        """Chain rule from this tensor: every tensor it depends on gets d self / d tensor.

        A scalar (one element) seeds 1; any other shape needs ``grad`` of exactly its
        shape.  Leaves accumulate across calls; intermediates are recomputed each call.
        ``create_graph=True``: every ``.grad`` is a Tensor connected to the graph (the same
        rules run on Tensors), so it can be differentiated again.  ``retain_graph`` is
        accepted for PyTorch's code: a graph here is never freed by a backward pass, so it
        may always be run again (True, False and None all mean that).
        """
        if retain_graph is not None:
            _checks.flag(retain_graph, "retain_graph", "backward")
        flag = _checks.flag(create_graph, "create_graph", "backward")
        _engine.backward(self, self._seed_for(grad, "backward", flag), create_graph=flag)

    def register_hook(self, hook: Callable[[Any], Any]) -> "RemovableHandle":
        """``hook(grad)`` runs as the backward pass reaches this tensor and may return a
        replacement gradient (PyTorch's ``register_hook``; :mod:`autograd_lite.hooks`)."""
        return _hooks.register_hook(self, hook)

    def _seed_for(self, grad: Optional[ArrayLike], where: str, graph: bool = False) -> Any:
        """The seed array for a backward pass from here (shared by backward and explain); with
        ``graph`` (create_graph=True) a seed Tensor that requires grad stays a node."""
        if not self.requires_grad:
            raise RuntimeError(
                f"{where}: this tensor does not require grad (no input had requires_grad=True, "
                "or it was made inside no_grad())"
            )
        d = self.data
        if grad is None:
            if d.size != 1:
                raise ValueError(
                    f"{where}: the output has shape {d.shape}, not a single number; pass a gradient "
                    f"of exactly that shape, e.g. t.backward(np.ones({d.shape}))"
                )
            # a shared read-only 1 for 0-d outputs (a leaf copies it; nothing writes into it)
            seed = _ones.get(d.dtype) if d.ndim == 0 else None
            return np.ones(d.shape, d.dtype) if seed is None else seed
        node = grad if graph and isinstance(grad, Tensor) and grad.requires_grad else None
        if isinstance(grad, Tensor):
            grad = grad.data
        elif isinstance(grad, Value):
            raise TypeError(f"{where}: the gradient must be an array, not a Value; use grad.data")
        try:
            raw = np.asarray(grad)
        except (TypeError, ValueError):
            raise TypeError(
                f"{where}: the gradient must be real numbers, got {type(grad).__name__}"
            ) from None
        if raw.dtype.kind not in "iuf":  # complex, bool, object, strings: never converted silently
            raise TypeError(f"{where}: the gradient must be an array of real numbers, got dtype {raw.dtype}")
        seed = raw.astype(d.dtype, copy=False)
        if seed.shape != d.shape:
            raise ValueError(
                f"{where}: gradient shape {seed.shape} does not match the output shape {d.shape}"
            )
        if node is not None:  # the seed itself, in the output's dtype: a node of the graph
            return node if node.data.dtype == d.dtype else node.astype(d.dtype)
        return seed

    @staticmethod
    def _check_leaf_grads(leaves: List["Tensor"], grads: List[Any]) -> None:
        # A grad the sweep adds to must be a float array (or Tensor) of the leaf's own shape:
        # numpy would otherwise broadcast a (2, 1) grad of a (2,) leaf into a (2, 2) one.
        if _only_none.issuperset(map(type, grads)):  # all None (the usual case): a C-speed pass
            return
        for leaf, g in zip(leaves, grads):
            if g is None or not leaf.requires_grad:
                continue
            arr = g.data if isinstance(g, Tensor) else g
            if type(arr) is _ndarray and arr.shape == leaf.data.shape and arr.dtype.kind == "f":
                continue
            name = f" {leaf.label!r}" if leaf.label else ""
            if not isinstance(arr, np.ndarray):
                what = f"a {type(g).__name__}"
            elif arr.dtype.kind != "f":
                what = f"an array of dtype {arr.dtype}"
            else:
                what = f"an array of shape {arr.shape}"
            raise ValueError(
                f"backward: leaf{name} of shape {leaf.data.shape} has a grad that is {what}; "
                f"a leaf's grad must be None or a float array of shape {leaf.data.shape}"
            )

    def _seed(self, grad: np.ndarray) -> None:
        _add_to(self, grad, None)  # fitted like any contribution (the functional API seeds float64 ones)

    def _accumulate(self, contribution: Any) -> None:
        _add_to(self, contribution, None)

    # the first-order chain rule, node by node: autograd_lite.tensor._node.sweep
    _sweep = staticmethod(_node.sweep)

    def _rules_on(self, g: Any, graph: bool) -> Tuple[Any, ...]:
        """The rule's contributions, one per parent (None: no gradient wanted there)."""
        a, b = self._a, self._b
        out: Any = self if graph else self.data
        if self._rest is not None:
            ps = self.parents
            return tuple(
                self._vjp(
                    g,
                    list(ps) if graph else [p.data for p in ps],
                    out,
                    self._saved,
                    [p.requires_grad for p in ps],
                )
            )
        if b is None:
            return (self._vjp(g, a if graph else a.data, out, self._saved),)
        return tuple(
            self._vjp(
                g,
                a if graph else a.data,
                b if graph else b.data,
                out,
                self._saved,
                a.requires_grad,
                b.requires_grad,
            )
        )

    @staticmethod
    def _as_graph_grads(nodes: List["Tensor"]) -> None:
        # After backward(create_graph=True): a grad that stayed an array becomes a constant leaf.
        for n in nodes:
            if type(n.grad) is _ndarray:
                n.grad = _leaf(n.grad)

    def _sends(self, g: Any, graph: bool = False) -> List[Tuple["Tensor", Any]]:
        """(parent, contribution) for every parent that wants a gradient, summed to its shape:
        arrays, or (``graph``) Tensors: the same rule run on the parents themselves."""
        if g is None or self._a is None:
            return []
        if not graph:
            return [(p, _fit(p, c)) for p, c in zip(self.parents, self._rules_on(g, False)) if c is not None]
        if not isinstance(g, Tensor):
            g = _leaf(g)
        with _engine.rules_as_graph():
            return [(p, _fit(p, c)) for p, c in zip(self.parents, self._rules_on(g, True)) if c is not None]

    def _plus(self, grad: Any, contribution: Any) -> Any:
        """This tensor's ``grad`` with ``contribution`` added (fitted to its shape)."""
        c = _fit(self, contribution)
        return c if grad is None else _sum(grad, c)

    # ----------------------------------------------------------------- display, comparison
    def __repr__(self) -> str:
        data = _array_text(self.data, "Tensor(data=")
        grad = "None" if self.grad is None else _array_text(np.asarray(self.grad), "       grad=")
        # multi-line arrays: grad starts its own line, aligned under data
        sep = ",\n       " if "\n" in data or "\n" in grad else ", "
        parts = [f"data={data}{sep}grad={grad}"]
        if self.op:
            parts.append(f"op={self.op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        if self.requires_grad and self._a is None:
            parts.append("requires_grad=True")
        if self.data.dtype != _float64:
            parts.append(f"dtype={self.data.dtype}")
        return f"Tensor({', '.join(parts)})"

    def _repr_html_(self) -> str:  # notebooks: see autograd_lite.display
        from ..display import tensor_html

        return tensor_html(self)

    # Tensors are graph nodes: identity decides hashing (sets and dicts of tensors work);
    # ``==`` compares elementwise like numpy and PyTorch.
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise TypeError("Tensor: truth value is ambiguous in a graph; compare .data instead")

    def __eq__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return self.data == _plain(other, "==")

    def __ne__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return self.data != _plain(other, "!=")

    def __lt__(self, other: Any) -> np.ndarray:
        return self.data < _plain(other, "<")

    def __le__(self, other: Any) -> np.ndarray:
        return self.data <= _plain(other, "<=")

    def __gt__(self, other: Any) -> np.ndarray:
        return self.data > _plain(other, ">")

    def __ge__(self, other: Any) -> np.ndarray:
        return self.data >= _plain(other, ">=")


_node._cls = Tensor


def _plain(x: Any, op: str) -> Any:
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, Value):
        raise TypeError(f"{op}: cannot compare a Tensor with a Value; use t.data {op} v.data")
    return x


def _array_text(a: np.ndarray, prefix: str) -> str:
    # short and exact enough to learn from: big arrays are summarised with "..."
    return np.array2string(
        a, separator=", ", formatter={"float_kind": fmt}, prefix=prefix, threshold=64, edgeitems=3
    )
