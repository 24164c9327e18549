"""Named blocks of a graph: which nodes a module call, or a learner's ``with group(...)``, made.

Every node has a creation index (:func:`autograd_lite.engine.creation_index`), so a block is
the interval of indices taken while it ran: recording one costs two counter reads and an append,
and nothing is added to the nodes.  ``scalar_nn`` (neurons, layers, the MLP) and ``nn`` (every
module call) record their blocks by themselves; pictures fold them (``viz.draw(fold="neuron")``).

>>> from autograd_lite import Value
>>> x = Value(2.0, "x")
>>> with group("square"):
...     y = x * x
>>> [(g.name, g.kind) for g in blocks_of([x, y])]
[('square', 'group')]
"""

from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Deque, Iterable, List, Optional, Tuple, Type

from .engine import creation_index, next_order

__all__ = ["Block", "group", "record", "param_span", "blocks_of", "KINDS", "MAX_BLOCKS"]

KINDS = ("neuron", "layer", "module", "group")
MAX_BLOCKS = 100_000  # the newest blocks are kept (a training loop makes millions): about 10 MB


@dataclass(frozen=True)
class Block:
    """One named block: the nodes made while it ran have ``start < creation index < end``;
    ``kind`` is one of :data:`KINDS`; its parameters (a module's weights, made when it was built)
    have creation indices from ``first_param`` to ``last_param`` (-1, -1: none)."""

    name: str
    kind: str
    start: int
    end: int
    first_param: int = -1
    last_param: int = -1

    def owns_param(self, node: Any) -> bool:
        return self.first_param <= creation_index(node) <= self.last_param

    def holds(self, node: Any) -> bool:
        return self.start < creation_index(node) < self.end

    def within(self, other: "Block") -> bool:
        """True when this block ran inside ``other`` (a neuron inside its layer)."""
        return other.start <= self.start and self.end <= other.end and self != other


# (name, kind, start, end), appended when a block ends (atomic under the GIL); plain tuples: a
# neuron's call pays about 0.2 µs for its record
_BLOCKS: Deque[Tuple[str, str, int, int, int, int]] = deque(maxlen=MAX_BLOCKS)
_append = _BLOCKS.append
NO_PARAMS = (-1, -1)


def record(name: str, kind: str, start: int, params: Tuple[int, int] = NO_PARAMS) -> None:
    """Record a block that began when the creation counter gave ``start`` and ends now;
    ``params``: the creation indices of its first and last parameter."""
    _append((name, kind, start, next_order(), params[0], params[1]))


def param_span(params: Iterable[Any]) -> Tuple[int, int]:
    """(first, last) creation index of ``params`` (a module's weights), for :func:`record`."""
    orders = [creation_index(p) for p in params]
    return (min(orders), max(orders)) if orders else NO_PARAMS


class group:
    """``with group("attention"):`` names the nodes made inside the block, so that pictures can
    fold them into one box (``viz.draw(root, fold="group")``).  Blocks may nest; a block that
    raises is not recorded."""

    def __init__(self, name: str, kind: str = "group") -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"group: name must be a non-empty str, got {name!r}")
        if kind not in KINDS:
            raise ValueError(f"group: kind must be one of {KINDS}, got {kind!r}")
        self.name = name
        self.kind = kind
        self._start: List[int] = []

    def __enter__(self) -> "group":
        self._start.append(next_order())
        return self

    def __exit__(self, kind: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        start = self._start.pop()
        if kind is None:
            record(self.name, self.kind, start)


def blocks_of(nodes: Iterable[Any]) -> List[Block]:
    """The recorded blocks that made at least one of ``nodes``, outermost first (then oldest)."""
    order = sorted(creation_index(n) for n in nodes)
    if not order:
        return []
    lo, hi = order[0], order[-1]
    candidates = [Block(*b) for b in list(_BLOCKS) if b[3] > lo and b[2] < hi]
    out = []
    for b in candidates:
        k = bisect.bisect_right(order, b.start)
        if k < len(order) and order[k] < b.end:
            out.append(b)
    out.sort(key=lambda b: (b.start, -b.end))
    return out
