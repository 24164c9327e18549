"""``Tensor``: the same graph engine as ``Value``, vectorised over numpy arrays.

Every op computes its forward result with numpy and records a **rule**: its
vector-Jacobian product, written once with operators and numpy functions, so it runs two
ways -- on arrays (the fast first-order path) and on Tensors (``backward(create_graph=True)``:
the gradient is itself a graph).  The rule convention:

* one parent:  ``rule(g, a, out, saved) -> contribution``
* two parents: ``rule(g, a, b, out, saved, wa, wb) -> (ca, cb)`` (``wa``: does ``a`` want a
  gradient; a contribution it does not want is None)
* any arity (concatenate, stack): ``rule(g, parents, out, saved, wants) -> contributions``

``g`` is the upstream gradient, ``a``/``b`` the parents, ``out`` the node itself: arrays on
the numeric path, Tensors on the graph path.  A contribution may keep a broadcast shape: it
is summed back to the parent's shape and cast to its dtype in one place
(:func:`autograd_lite.tensor._node._add_to`).  The op files, by family: ``arith`` (+ - * / **
@), ``elementwise`` (exp, log, tanh, ...; their rules come from the op table's scalar rows),
``reduce``, ``shape``; ``numpy_api`` makes ``np.exp(t)``, ``np.sum(t)`` run those ops, and
``np.where``, ``np.maximum``, ``np.concatenate`` run ``select`` and ``joins`` (loaded on first
use, like ``logsumexp``): the package imports none of the modules built on it (``functional``).

>>> from autograd_lite import Tensor
>>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True, label="x")
>>> y = (x * x).sum()          # y = x1**2 + x2**2 + x3**2
>>> y.backward()
>>> x.grad                     # dy/dx = 2x
array([2., 4., 6.])

Rules worth knowing
-------------------
* dtype: lists, ints and bools become float64; a float32 array stays float32; a
  Python number combined with a tensor takes the tensor's dtype.
* ``Tensor(ndarray)`` shares the array (no copy), like ``torch.from_numpy``; an
  optimiser updating ``.data`` in place updates that array.  Pass ``a.copy()`` to avoid it.
* Ops on tensors that need no gradient record nothing: the result has
  ``requires_grad=False`` and no parents.  Inside ``no_grad()`` nothing is recorded.
* ``backward`` semantics are those of ``Value``: leaves accumulate across calls,
  intermediate grads are recomputed on every call and stay readable afterwards.
* Grad memory: the engine never modifies a grad array in place (it always rebinds
  ``grad = grad + contribution``).  A *leaf's* ``.grad`` is always an array of its own,
  so an optimiser may update it in place; an *intermediate's* ``.grad`` may share
  memory with its neighbours' grads or be a read-only broadcast view (read it, do not
  write into it).
* Domain errors, as for ``Value``: ``log`` of x <= 0, ``sqrt`` of x < 0, a negative base
  with a non-integer exponent raise :class:`~autograd_lite.DomainError`; division by
  zero and zero to a negative power raise ``ZeroDivisionDomainError``; ``exp``, ``/``
  and ``**`` overflowing to inf raise ``OverflowError``.  The message names the op and
  the first offending values; no node is created.  NaN and inf inputs propagate
  without an error.  Domain checks run before computing, as a cheap "surely fine" test
  (a Python scan of a small array, one vectorised min/max of a large one) and, only if
  that fails, an exact element-by-element check.  Overflow of ``/`` and ``**`` is found
  after computing by one dot product of the result with itself (NaN/inf anywhere make
  it non-finite), so numpy's RuntimeWarning may precede that OverflowError.
* Ties: ``max``/``min``/``maximum``/``minimum`` split the gradient evenly between tied
  elements (as PyTorch does); ``relu`` and ``abs`` have derivative 0 at 0; ``clip``
  passes the gradient where ``lo <= x <= hi``.
* ``== != < <= > >=`` compare elementwise and return plain boolean numpy arrays (no
  graph), handy as masks: ``x[x > 0]``.  Tensors stay hashable by identity (graph nodes
  live in sets and dicts), as in PyTorch.
"""

# The private helpers are for autograd_lite's own op modules (functional, conv): how an op
# makes its node.
from . import function as _function  # noqa: F401  (gives Function.apply its Tensor path)
from ._node import _leaf, _operand, _result, _result_n, _tensors, _unbroadcast  # noqa: F401
from .core import Tensor

__all__ = ["Tensor"]
