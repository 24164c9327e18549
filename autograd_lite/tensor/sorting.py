"""Sorting, differentiable: ``sort`` and the permutation its gradient travels back through.

Sorting moves every element to a new place along an axis, so its gradient moves each upstream
entry back to where its element came from: a gather with the inverse permutation.  That gather
(``permute``) is an op of its own whose rule is the gather with *its* inverse permutation, so
derivatives of any order stay permutations.  Ties keep their order (a stable sort, as PyTorch's
``stable=True``), so the gradient of tied elements is well defined.

>>> from autograd_lite import Tensor
>>> t = Tensor([3.0, 1.0, 2.0], requires_grad=True)
>>> s = t.sort()
>>> s.data.tolist()
[1.0, 2.0, 3.0]
>>> s.backward(np.array([10.0, 20.0, 30.0]))   # 3.0 went to the last place: it gets 30
>>> t.grad.tolist()
[30.0, 10.0, 20.0]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Tuple

import numpy as np

from .. import checks as _checks
from .. import ops as _ops
from ._node import _Node, _result
from .numpy_api import FUNCTIONS

if TYPE_CHECKING:
    from .core import Tensor


def permute(x: Any, index: np.ndarray, inverse: np.ndarray, axis: int) -> Any:
    """``x`` gathered along ``axis`` by the permutation ``index`` (whose inverse is ``inverse``):
    an array, or for a Tensor a graph node."""
    if isinstance(x, _Node):
        data = np.take_along_axis(x.data, index, axis)
        return _result(data, "permute", _permute_rule, x, None, (index, inverse, axis))  # type: ignore[arg-type]
    return np.take_along_axis(x, index, axis)


def _permute_rule(g: Any, a: Any, out: Any, saved: Tuple[np.ndarray, np.ndarray, int]) -> Any:
    index, inverse, axis = saved
    return permute(g, inverse, index, axis)


def _sort_rule(g: Any, a: Any, out: Any, saved: Tuple[np.ndarray, np.ndarray, int]) -> Any:
    order, inverse, axis = saved
    return permute(g, inverse, order, axis)  # each upstream entry back to its element's place


for _name, _rule, _words, _again in (
    ("sort", _sort_rule, "g moved back to where each element came from",
     lambda n, ps: ps[0].sort(axis=n._saved[2])),
    ("permute", _permute_rule, "g moved back by the inverse permutation",
     lambda n, ps: permute(ps[0], *n._saved)),
):
    _ops.register(_ops.Op(_name, 1, f"{_name}({{a}})", ("",), (), doc=_words, sends=(_words,),
                          kinds=("Tensor",), vjp=_rule, again=_again))


class SortingOps:
    """sort of a Tensor (argmax/argmin/argsort give plain index arrays: they have no gradient)."""

    __slots__ = ()
    data: np.ndarray

    def sort(self, axis: int = -1) -> "Tensor":
        """The elements in ascending order along ``axis`` (stable; NaN last, as numpy).
        Gradient: each upstream entry goes back to the element that landed there."""
        a = self.data
        ax = _checks.axis(axis, a.ndim, "sort")
        order = np.argsort(a, axis=ax, kind="stable")
        inverse = np.argsort(order, axis=ax)  # a permutation's inverse (no ties: kind is moot)
        return _result(np.take_along_axis(a, order, ax), "sort", _sort_rule, self, None,  # type: ignore[arg-type]
                       (order, inverse, ax))


def _np_sort(a: Any, axis: Any = -1, kind: Any = None, stable: Any = None) -> Any:
    if axis is None:
        raise TypeError("numpy.sort of a Tensor: give an int axis (not axis=None: use t.ravel().sort())")
    return a.sort(axis)  # every kind sorts to the same values; the gradient is the stable sort's


FUNCTIONS[np.sort] = _np_sort
