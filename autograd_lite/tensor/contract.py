"""Contractions: einsum, and dot, outer, tensordot written as einsums (numpy's semantics).

One op, ``einsum``, sums products of its operands over the indices the output does not keep.
Its gradient for one operand is again an einsum: the upstream ``g`` (indexed by the output)
times every other operand, kept on that operand's indices.  Two details make it exact:

* an index only that operand has (``"ij->i"``: j) gets a vector of ones, so the gradient is
  copied along it;
* a repeated index (``"ii->i"``, ``"ii"``: a diagonal, a trace) puts the gradient on the
  diagonal: an einsum with an identity matrix spreads ``"i"`` to ``"ii"``.

>>> from autograd_lite import Tensor
>>> from autograd_lite.functional import einsum
>>> A = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> einsum("ii", A).item()                       # the trace
5.0
>>> einsum("ii", A).backward()
>>> A.grad.tolist()
[[1.0, 0.0], [0.0, 1.0]]
"""

from __future__ import annotations

import string
from collections import Counter
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Sequence, Tuple

import numpy as np

from .. import checks as _checks
from .. import ops as _ops
from ._node import _Node, _result_n, _tensors, value_of
from .numpy_api import FUNCTIONS

if TYPE_CHECKING:
    from .core import Tensor

Parsed = Tuple[List[str], str, Dict[str, int]]


def _parse(subscripts: Any, shapes: Sequence[Tuple[int, ...]]) -> Parsed:
    """(the operands' indices, the output's, the size of every index), checked."""
    if not isinstance(subscripts, str):
        raise TypeError("einsum: subscripts must be a str such as 'ij,jk->ik', "
                        f"got {type(subscripts).__name__}")
    s = subscripts.replace(" ", "")
    if "." in s:
        s = _expand_ellipsis(s, shapes, subscripts)
    lhs, arrow, out = s.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(terms)} operands, got {len(shapes)}")
    sizes: Dict[str, int] = {}
    if not all(c in string.ascii_letters for c in "".join(terms) + out):
        raise ValueError(f"einsum: subscripts {subscripts!r}: indices are letters, operands are "
                         "separated by ',' and the output follows '->'")
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        if len(term) != len(shape):
            raise ValueError(f"einsum: operand {k} has shape {shape}, but {term!r} names {len(term)} axes "
                         f"(in {subscripts!r})")
        for c, n in zip(term, shape):
            if sizes.setdefault(c, n) != n:
                raise ValueError(f"einsum: index {c!r} has sizes {sizes[c]} and {n} in {subscripts!r}")
    counts = Counter("".join(terms))
    if not arrow:  # implicit: the indices seen once, in alphabetical order (numpy's rule)
        out = "".join(sorted(c for c in counts if counts[c] == 1))
    for c in out:
        if c not in sizes:
            raise ValueError(f"einsum: output index {c!r} of {subscripts!r} is in no operand")
        if out.count(c) > 1:
            raise ValueError(f"einsum: output index {c!r} of {subscripts!r} appears twice")
    return terms, out, sizes


def _expand_ellipsis(s: str, shapes: Sequence[Tuple[int, ...]], subscripts: str) -> str:
    """``'...'`` written out as letters not used elsewhere: each operand's ``...`` stands for its
    axes that no letter names, aligned from the right (numpy's rule); without ``->`` they lead
    the output.  A size-1 axis does not broadcast here against a longer one: name it instead."""
    lhs, arrow, out = s.partition("->")
    terms = lhs.split(",")
    if any(t.count("...") > 1 or t.replace("...", "").count(".") for t in terms + [out]):
        raise ValueError(f"einsum: {subscripts!r}: '...' may appear once per operand, as three dots")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(terms)} operands, got {len(shapes)}")
    widths = [len(shape) - (len(t) - 3) if "..." in t else 0 for t, shape in zip(terms, shapes)]
    if min(widths) < 0:
        k = widths.index(min(widths))
        raise ValueError(f"einsum: operand {k} has shape {shapes[k]}, fewer axes than {terms[k]!r} names")
    spare = [c for c in string.ascii_letters if c not in s]
    width = max(widths)
    if width > len(spare):
        raise ValueError(f"einsum: {subscripts!r}: '...' covers {width} axes, more letters than are left")
    letters = "".join(spare[:width])
    terms = [t.replace("...", letters[width - w:]) for t, w in zip(terms, widths)]
    if arrow:
        out = out.replace("...", letters)
    else:
        counts = Counter("".join(terms))
        out = letters + "".join(sorted(c for c in counts if counts[c] == 1 and c not in letters))
    return ",".join(terms) + "->" + out


def _contract(subscripts: str, operands: Sequence[Any]) -> Any:
    """np.einsum of arrays, or the einsum op when an operand is a Tensor (graph)."""
    if any(isinstance(x, _Node) for x in operands):
        return einsum(subscripts, *operands)
    return np.einsum(subscripts, *operands)


def _operand_grad(g: Any, parents: Sequence[Any], k: int, saved: Parsed) -> Any:
    terms, out, sizes = saved
    target = terms[k]
    kept = "".join(dict.fromkeys(target))  # each index once, in order of appearance
    subs = [out] + [t for j, t in enumerate(terms) if j != k]
    ops = [g] + [p for j, p in enumerate(parents) if j != k]
    dtype = value_of(g).dtype
    for c in kept:
        if c not in "".join(subs):  # only this operand has it: the gradient is copied along it
            subs.append(c)
            ops.append(np.ones(sizes[c], dtype))
    grad = _contract(",".join(subs) + "->" + kept, ops)
    if kept == target:
        return grad
    # a repeated index: spread "i" onto the diagonal "ii" with identity matrices
    spare = iter(c for c in string.ascii_letters if c not in sizes)
    spread, eyes, seen = "", [], set()
    for c in target:
        if c in seen:
            f = next(spare)
            spread += f
            eyes.append((c + f, np.eye(sizes[c], dtype=dtype)))
        else:
            spread += c
            seen.add(c)
    inputs = ",".join([kept] + [s for s, _ in eyes])
    return _contract(inputs + "->" + spread, [grad] + [e for _, e in eyes])


def _einsum_rule(g: Any, parents: Sequence[Any], out: Any, saved: Parsed, wants: Sequence[bool]) -> tuple:
    return tuple(_operand_grad(g, parents, k, saved) if w else None for k, w in enumerate(wants))


_ops.register(_ops.Op(
    "einsum", -1, "einsum({a})", ("",), (), doc="sums of products over the indices not kept",
    sends=("einsum of g with the other operands, on this operand's indices",), kinds=("Tensor",),
    vjp=_einsum_rule, again=lambda n, ps: einsum(",".join(n._saved[0]) + "->" + n._saved[1], *ps)))


def einsum(subscripts: str, *operands: Any) -> "Tensor":
    """numpy's einsum, differentiable: ``einsum('ij,jk->ik', A, B)`` is ``A @ B``; without
    ``->`` the output keeps the indices seen once, sorted (``'ij,jk'``); a repeated index
    takes a diagonal (``'ii->i'``) or a trace (``'ii'``); ``...`` stands for the axes no
    letter names (``'...ij,jk->...ik'``), of equal sizes (a size-1 axis does not broadcast)."""
    return _einsum(subscripts, operands, "einsum")


def _einsum(subscripts: str, operands: Sequence[Any], op: str) -> "Tensor":
    """einsum, for ``op`` (einsum, tensordot, dot, outer: the name the size check gives)."""
    ts = _tensors(list(operands), op)
    parsed = _parse(subscripts, [t.data.shape for t in ts])
    terms, out, sizes = parsed
    spares = max(len(t) - len(set(t)) for t in terms)  # letters a repeated index's gradient needs
    if len(sizes) + spares > len(string.ascii_letters):
        raise ValueError(f"einsum: {subscripts!r} uses {len(sizes)} indices and its gradient needs "
                         f"{spares} more letters; at most {len(string.ascii_letters)} in all")
    elements = 1
    for c in out:
        elements *= sizes[c]
    itemsize = np.result_type(*[t.data for t in ts]).itemsize
    _checks.fits(elements, itemsize, f"the output of shape {tuple(sizes[c] for c in out)}", op)
    data = np.einsum(",".join(terms) + "->" + out, *[t.data for t in ts])
    return _result_n(data, "einsum", _einsum_rule, ts, parsed)


def tensordot(a: Any, b: Any, axes: Any = 2) -> "Tensor":
    """numpy's tensordot: the sum over ``axes`` (n: the last n of a with the first n of b; or
    two sequences of axes) of a times b; the free axes of a, then those of b."""
    ta, tb = _tensors([a, b], "tensordot")
    na, nb = ta.data.ndim, tb.data.ndim
    if na + nb > len(string.ascii_letters):
        raise ValueError(f"tensordot: a and b have {na} + {nb} = {na + nb} axes; at most "
                         f"{len(string.ascii_letters)} in all (one letter of einsum each)")
    if _checks.is_int(axes):
        n = int(axes)
        if not 0 <= n <= min(na, nb):
            raise ValueError(f"tensordot: axes={n} needs 0 <= axes <= {min(na, nb)} for shapes "
                             f"{ta.data.shape} and {tb.data.shape}")
        pa, pb = list(range(na - n, na)), list(range(n))
    else:
        try:
            xa, xb = axes
        except (TypeError, ValueError):
            raise TypeError(f"tensordot: axes must be an int or two sequences of axes, "
                            f"got {axes!r}") from None
        pa = [_checks.axis(k, na, "tensordot") for k in ([xa] if _checks.is_int(xa) else xa)]
        pb = [_checks.axis(k, nb, "tensordot") for k in ([xb] if _checks.is_int(xb) else xb)]
        if len(pa) != len(pb) or len(set(pa)) != len(pa) or len(set(pb)) != len(pb):
            raise ValueError(f"tensordot: axes {axes!r} must pair distinct axes of a with as many of b")
    for i, j in zip(pa, pb):
        if ta.data.shape[i] != tb.data.shape[j]:
            raise ValueError(f"tensordot: shape mismatch: axis {i} of a has size {ta.data.shape[i]} but "
                             f"axis {j} of b has size {tb.data.shape[j]} (shapes {ta.data.shape} and "
                             f"{tb.data.shape})")
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(pa, pb):
        sb[j] = sa[i]
    out = [sa[i] for i in range(na) if i not in pa] + [sb[j] for j in range(nb) if j not in pb]
    return _einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out), (ta, tb), "tensordot")


def dot(a: Any, b: Any) -> "Tensor":
    """numpy's dot: a product for a 0-d operand, ``@`` for 1-D and 2-D ones, else the sum over
    the last axis of a and the second-to-last of b (the last, for a 1-D b)."""
    ta, tb = _tensors([a, b], "dot")
    sa, sb = ta.data.shape, tb.data.shape
    if not sa or not sb:
        return ta * tb
    j = max(len(sb) - 2, 0)
    if sa[-1] != sb[j]:
        raise ValueError(f"dot: shapes {sa} and {sb} not aligned: {sa[-1]} (axis {len(sa) - 1} of a) "
                         f"!= {sb[j]} (axis {j} of b)")
    if len(sa) <= 2 and len(sb) <= 2:
        return ta @ tb
    return tensordot(ta, tb, axes=([len(sa) - 1], [j]))


def outer(a: Any, b: Any) -> "Tensor":
    """numpy's outer: every element of a (flattened) times every element of b (flattened)."""
    ta, tb = _tensors([a, b], "outer")
    return _einsum("i,j->ij", (ta.ravel(), tb.ravel()), "outer")  # type: ignore[attr-defined]


def _np_einsum(*operands: Any, optimize: Any = False) -> Any:
    if not operands:
        raise TypeError("numpy.einsum: give the subscripts and the operands")
    return einsum(*operands)  # optimize only reorders the same sums


_NUMPY: Dict[Any, Callable[..., Any]] = {
    np.einsum: _np_einsum,
    np.tensordot: lambda a, b, axes=2: tensordot(a, b, axes),
    np.dot: lambda a, b: dot(a, b),
    np.outer: lambda a, b: outer(a, b),
}
FUNCTIONS.update(_NUMPY)
