"""The backward pass as changes on one picture: what each step highlights and which texts it changes.

A step of the pass changes little: the node it processes is highlighted, the edges to its
parents receive what they send (``← 6``), and each parent's grad grows (``?`` → ``5 + ?`` →
``8 = 5 + 3``).  :func:`timeline` records only those changes, so a pass of *n* steps over a
graph of *N* values costs O(N + edges), not O(N × n) as whole frames would; the page
(:mod:`viz.page`) and the PNG frames (:mod:`viz.steps`) lay the graph out once and replay
the changes on that one layout.

>>> from autograd_lite import Value
>>> a, x, y = Value(2.0, "a"), Value(3.0, "x"), Value(5.0, "y")
>>> c = a * x + a * y
>>> t = timeline(c)
>>> [text for _, text in t.grads[a]]   # a's grad: unknown, one use arrived, both arrived
['?', '5 + ?', '8 = 5 + 3']
>>> t.grads_at(2)[a]
'5 + ?'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

from autograd_lite.explain import Explanation, explain
from autograd_lite.i18n import tr

from .labels import num as preview

__all__ = ["Timeline", "timeline", "text_width", "MAX_TERMS"]

MAX_TERMS = 8  # a partial sum of more uses shows the first few and how many more


@dataclass
class Timeline:
    """What the replayed pass of ``explanation`` shows, frame by frame (frame 0 is the seed).

    ``hot[k]``: the node processed at frame *k* (the root at frame 0); ``grads[n]`` and
    ``flows[(n, i)]``: the text of a value's grad and of an edge's flow as a list of
    ``(frame, text)`` changes, the first at frame 0; ``widths``: the widest text of each
    cell in points, so one layout holds every frame's text.
    """

    explanation: Explanation
    hot: List[Any]
    grads: Dict[Any, List[Tuple[int, str]]]
    flows: Dict[Tuple[Any, int], List[Tuple[int, str]]]
    widths: Dict[Tuple[Any, ...], int]

    def grads_at(self, k: int) -> Dict[Any, str]:
        """Every value's grad text at frame ``k``."""
        return {n: _at(changes, k) for n, changes in self.grads.items()}

    def flows_at(self, k: int) -> Dict[Tuple[Any, int], str]:
        """Every edge's flow text at frame ``k``."""
        return {key: _at(changes, k) for key, changes in self.flows.items()}


def _at(changes: List[Tuple[int, str]], k: int) -> str:
    text = changes[0][1]
    for frame, t in changes:
        if frame > k:
            break
        text = t
    return text


def _change(changes: List[Tuple[int, str]], frame: int, text: str) -> None:
    if changes[-1][0] == frame:  # two edges of one step to one parent (a * a): the last text stays
        changes[-1] = (frame, text)
    elif changes[-1][1] != text:
        changes.append((frame, text))


def _terms(sent: List[str]) -> str:
    if len(sent) > MAX_TERMS:
        sent = sent[: MAX_TERMS - 1] + [tr("… {n} more").format(n=len(sent) - MAX_TERMS + 1)]
    return " + ".join(sent)


def timeline(root: Any, quiz: bool = False) -> Timeline:
    """The changes of the replayed backward pass of ``root`` (no grad is touched).

    ``quiz=True``: every grad but the seed stays ``?`` and every flow ``← ?``.
    """
    ex = explain(root, replay=True)
    uses: Dict[Any, int] = {}
    for step in ex.steps:
        for e in step.edges:
            uses[e.parent] = uses.get(e.parent, 0) + 1
    grads: Dict[Any, List[Tuple[int, str]]] = {}
    for n in ex.nodes:
        if n is ex.root:
            first = preview(ex.seed)
        elif not uses.get(n):  # nothing is sent to it (a constant that needs no grad): never a "?"
            first = tr("none needed")
        else:
            first = "?"
        grads[n] = [(0, first)]
    flows: Dict[Tuple[Any, int], List[Tuple[int, str]]] = {}
    arrived: Dict[Any, List[str]] = {}
    for k, step in enumerate(ex.steps, 1):
        for e in step.edges:
            sent = preview(e.sent)
            flows[(step.node, e.index)] = [(0, "← ?")] if quiz else [(0, "← ?"), (k, f"← {sent}")]
            if quiz:
                continue
            got = arrived.setdefault(e.parent, [])
            got.append(sent)
            if len(got) < uses[e.parent]:
                text = _terms(got) + " + ?"
            elif len(got) == 1:
                text = preview(e.after)
            else:
                text = f"{preview(e.after)} = {_terms(got)}"
            _change(grads[e.parent], k, text)
    widths: Dict[Tuple[Any, ...], int] = {}
    for n, changes in grads.items():
        widths[("grad", n)] = max(text_width(t, 14, bold=True) for _, t in changes)
    for key, changes in flows.items():
        widths[("edge", *key)] = max(text_width(t, 12, bold=True) for _, t in changes)
    hot = [ex.root] + [s.node for s in ex.steps]
    return Timeline(ex, hot, grads, flows, widths)


# Advance widths in em for a Helvetica/Arial-like font, rounded up; unknown characters
# count as a full em.  Only used to give a text cell the same width in every frame.
_NARROW = set(".,:;il|!'()[]ftj ")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float, bold: bool = False) -> int:
    """A generous estimate of ``text``'s width in points at font ``size``."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.34
        elif ch in _WIDE:
            em += 0.95
        elif ch.isdigit() or ch in "?+=-−×÷<>*/^_~#$&":
            em += 0.62
        elif ch.isascii() and ch.isupper():
            em += 0.75
        elif ch.isascii():
            em += 0.62
        else:
            em += 1.0
    return int(em * size * (1.12 if bold else 1.05)) + 4
