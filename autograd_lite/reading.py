"""Reading a graph: the one public module that pictures, pages and tables read graphs through.

What every reader of a graph needs, in one place: the walks (:func:`graph_nodes`, every node a
root depends on, oldest first; :func:`topological_order`, the engine's order), the names
(:func:`node_names`: labels, constants by value, ``t1``, ``t2`` ...), what each node sent each
parent in the last pass (:func:`contributions`), short texts of numbers and arrays
(:func:`preview`), a node's row and words (:func:`op_row`, :func:`formula`, :func:`expression`,
:func:`total`, :func:`partial`, :func:`use_note`).  ``viz`` and the teaching modules
(``explain``, ``chain``, ``display``) read graphs only through it.

>>> from autograd_lite import Value
>>> x = Value(3.0, "x")
>>> y = x * x + 1
>>> names = node_names(graph_nodes(y))
>>> [names[n] for n in graph_nodes(y)]
['x', 't1', '1', 't2']
>>> y.backward()
>>> [(names[p], preview(c)) for _, p, c in contributions(y.parents[0])]
[('x', '3'), ('x', '3')]
"""

from __future__ import annotations

import numbers
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from . import engine as _engine
from .engine import contributions, creation_index, is_node, topological_order, value_of
from .format import ARRAY_DIGITS, SIGNIFICANT_DIGITS, fmt
from .ops import op_row
from .words import expression, formula, partial, total, use_note

__all__ = ["graph_nodes", "topological_order", "node_names", "preview", "contributions", "value_of",
           "is_node", "creation_index", "op_row", "formula", "expression", "total", "partial", "use_note",
           "check_max_steps", "SHORT_DIGITS", "MAX_TABLE_STEPS"]

# Tables and pictures are read, not computed with: 6 significant digits by default
# (``table(digits=12)`` for full precision); the exact floats stay on .data / .grad.
SHORT_DIGITS = ARRAY_DIGITS
MAX_TABLE_STEPS = 200  # str() of an explanation shows this many steps, then says how many more


def graph_nodes(root: Any) -> List[Any]:
    """Every node ``root`` depends on (leaves too, ``root`` included), oldest first.

    Sorting by the creation counter gives a stable, deterministic order: two builds of
    the same expression list their nodes the same way.
    """
    seen = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        for p in node.parents:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return sorted(seen, key=_engine.creation_index)


def node_names(nodes: Sequence[Any]) -> Dict[Any, str]:
    """A display name for every node: its label; a constant's value; else ``t1``, ``t2`` ...

    Unlabelled intermediate results are numbered in creation order (deterministic),
    skipping numbers a user label already uses.
    """
    taken = {n.label for n in nodes if getattr(n, "label", "")}
    names: Dict[Any, str] = {}
    k = 0
    for n in sorted(nodes, key=_engine.creation_index):
        label = getattr(n, "label", "")
        if label:
            names[n] = label
        elif n.is_leaf and _is_scalar(n.data):
            names[n] = fmt(n.data)  # a number written into the expression, e.g. the 2 in x*2
        else:
            k += 1
            while f"t{k}" in taken:
                k += 1
            names[n] = f"t{k}"
    return names


def _is_scalar(x: Any) -> bool:
    return isinstance(x, numbers.Real) or (isinstance(x, np.ndarray) and x.ndim == 0)


def preview(x: Any, max_items: int = 6, digits: Optional[int] = None) -> str:
    """A short exact-enough text for a number or an array (numbers via ``fmt``).

    ``digits``: significant digits of every number shown (default: 12 for a number,
    ``ARRAY_DIGITS`` for the elements and norm of an array).

    >>> preview(2.5), preview(np.array([1.0, 2.0])), preview(np.zeros((20, 30))), preview(1/3, digits=6)
    ('2.5', '[1, 2]', '20×30 ‖·‖=0', '0.333333')
    """
    if x is None:
        return "None"
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            return fmt(x.item(), digits or SIGNIFICANT_DIGITS)
        element_digits = digits or ARRAY_DIGITS
        if x.size <= max_items:
            return _nested(x.tolist(), element_digits)
        return f"{'×'.join(str(s) for s in x.shape)} ‖·‖={fmt(float(np.linalg.norm(x)), element_digits)}"
    return fmt(x, digits or SIGNIFICANT_DIGITS)


def _nested(v: Any, digits: int) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_nested(e, digits) for e in v) + "]"
    return fmt(v, digits)


def check_max_steps(max_steps: Any, where: str) -> None:
    """``max_steps`` is None (all) or an int >= 0; anything else is refused, naming it."""
    if max_steps is None:
        return
    if isinstance(max_steps, bool) or not isinstance(max_steps, numbers.Integral):
        raise TypeError(f"{where}: max_steps must be an int >= 0 or None, got {max_steps!r}")
    if max_steps < 0:
        raise ValueError(f"{where}: max_steps must be an int >= 0 or None, got {max_steps!r}")
