"""Named blocks of a graph: which nodes a module call, or a learner's ``with group(...)``, made.

Every node has a creation index (:func:`autograd_lite.engine.creation_index`), so a block is
the interval of indices taken while it ran: recording one costs two counter reads and three
machine integers, and nothing is added to the nodes.  ``scalar_nn`` (neurons, layers, the MLP)
and ``nn`` (every module call) record their blocks by themselves; pictures fold them
(``viz.draw(fold="neuron")``).

>>> from autograd_lite import Value
>>> x = Value(2.0, "x")
>>> with group("square"):
...     y = x * x
>>> [(g.name, g.kind) for g in blocks_of([x, y])]
[('square', 'group')]
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Dict, Iterable, List, Optional, Tuple, Type

from .engine import creation_index, next_order

__all__ = ["Block", "group", "describe", "record", "param_span", "blocks_of", "KINDS", "MAX_INTS"]

KINDS = ("neuron", "layer", "module", "group")
MAX_INTS = 1_000_000  # the newest records are kept (a training loop makes millions): 8 MB at most


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


# What blocks ran, as plain machine integers (no Python object per call, so nothing for the
# cyclic GC or the allocator to carry through a training loop): per block, the id of its
# description, its start and end, then the end of each of its parts.  A description (name, kind,
# parameters, parts) is registered once per module.  One ``extend`` per record: atomic under the GIL.
_INTS = array("q")
_DESCS: List[Tuple[str, str, int, int, Tuple[Any, ...]]] = []
_DESC_IDS: Dict[Tuple[Any, ...], int] = {}
NO_PARAMS = (-1, -1)
MAX_DESCRIPTIONS = 100_000  # distinct block names


def describe(name: str, kind: str, params: Tuple[int, int] = NO_PARAMS, parts: Tuple[Any, ...] = ()) -> int:
    """The id of a block's description, registered once: ``params`` the creation indices of its
    first and last parameter; ``parts`` the blocks it runs in turn, ``(kind, names, param spans)``
    (a layer's neurons)."""
    key = (name, kind, params, parts)
    got = _DESC_IDS.get(key)
    if got is None:
        if len(_DESCS) >= MAX_DESCRIPTIONS:
            raise ValueError(f"group: more than {MAX_DESCRIPTIONS} distinct block names; name blocks by "
                             f"what they are, not by a counter (got {name!r})")
        got = _DESC_IDS[key] = len(_DESCS)
        _DESCS.append((name, kind, params[0], params[1], parts))
    return got


def record(desc: int, start: int, ends: Tuple[int, ...] = ()) -> None:
    """Record that block ``desc`` (from :func:`describe`) began when the creation counter gave
    ``start`` and ends now; ``ends``: where each of its parts ended (each starts where the last
    ended)."""
    _INTS.extend((desc, start, next_order(), *ends))
    if len(_INTS) > MAX_INTS:
        _trim()


def _records() -> List[Tuple[int, int, int, Tuple[int, ...]]]:
    ints = _INTS.tolist()
    out = []
    k = 0
    while k + 3 <= len(ints):
        desc, start, end = ints[k], ints[k + 1], ints[k + 2]
        parts = _DESCS[desc][4]
        n = len(parts[1]) if parts else 0
        out.append((desc, start, end, tuple(ints[k + 3:k + 3 + n])))
        k += 3 + n
    return out


def _trim() -> None:
    """Keep the newest records, at most half of :data:`MAX_INTS`."""
    k = 0
    cut = len(_INTS) - MAX_INTS // 2
    while k < cut:
        parts = _DESCS[_INTS[k]][4]
        k += 3 + (len(parts[1]) if parts else 0)
    del _INTS[:k]


def _expand(desc: int, start: int, end: int, ends: Tuple[int, ...]) -> List[Block]:
    name, kind, first, last, parts = _DESCS[desc]
    out = [Block(name, kind, start, end, first, last)]
    if parts:
        sub_kind, names, spans = parts
        begin = start
        for sub, span, stop in zip(names, spans, ends):
            out.append(Block(sub, sub_kind, begin, stop, span[0], span[1]))
            begin = stop
    return out


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
            record(describe(self.name, self.kind), start)


def blocks_of(nodes: Iterable[Any]) -> List[Block]:
    """The recorded blocks that made at least one of ``nodes``, outermost first (then oldest)."""
    order = sorted(creation_index(n) for n in nodes)
    if not order:
        return []
    lo, hi = order[0], order[-1]
    candidates = [b for d, start, end, ends in _records() if end > lo and start < hi
                  for b in _expand(d, start, end, ends)]
    out = []
    for b in candidates:
        k = bisect.bisect_right(order, b.start)
        if k < len(order) and order[k] < b.end:
            out.append(b)
    out.sort(key=lambda b: (b.start, -b.end))
    return out
