"""Find-the-bug exercises: plant one wrong local derivative in a graph, let gradcheck reveal it.

A teacher builds a graph, calls :func:`plant_bug`, and hands the learner the picture
(``ex.picture()``: ``draw(check=True)``, the leaves whose analytic gradient disagrees with
central differences are red) or the page (``ex.page()`` / ``ex.render_html(path)``).  The
learner follows the red leaves back to the one edge whose local derivative is wrong and
answers with ``ex.answer(node, parent)`` (or on the page); the answer is checked.

The forward numbers stay right, only the backward rule of one edge is wrong, as in the
seed articles' own bugs (a swapped operand in ``∂(a*b)/∂a``, a wrong sign, a backward
rule of a hand-written layer off by a factor).  ``ex.restore()`` puts the right rule back.

>>> from autograd_lite import Value
>>> x, y = Value(2.0, "x"), Value(3.0, "y")
>>> z = x * y + x
>>> z.label = "z"
>>> ex = plant_bug(z, node=z.parents[0], parent=0)   # ∂(x*y)/∂x becomes x instead of y
>>> ex.answer("t1", "y").correct, ex.answer("t1", "x").correct
(False, True)
"""

from __future__ import annotations

import math
import numbers
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from autograd_lite.format import fmt
from autograd_lite.reading import graph_nodes, is_node, node_names, partial

__all__ = ["plant_bug", "Exercise", "Verdict"]


@dataclass(frozen=True)
class Verdict:
    """The check of a learner's answer: ``correct`` and a one-line ``message``."""

    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        import html

        color = "#1E8449" if self.correct else "#C0392B"
        return f'<div style="color:{color};font-weight:bold">{html.escape(self.message)}</div>'


class Exercise:
    """A graph with one planted wrong local derivative (see :func:`plant_bug`)."""

    def __init__(self, root: Any, node: Any, index: int, restore: Any, what: str) -> None:
        self.root = root
        self.node = node
        self.index = index
        self._restore = restore
        self._what = what
        self.names = node_names(graph_nodes(root))

    # ---------------------------------------------------------------- for the learner
    def edges(self) -> List[Tuple[str, str, int]]:
        """Every edge as ``(node name, parent name, parent index)``: the possible answers."""
        return [(self.names[n], self.names[p], i) for n in graph_nodes(self.root)
                for i, p in enumerate(n.parents)]

    def _edge_text(self, n: Any, i: int) -> str:
        return partial(n, i, self.names)  # a local partial: ∂t1/∂x, "(use 2)" for a parent used twice

    def answer(self, node: Any, parent: Any, index: Optional[int] = None) -> Verdict:
        """Check the learner's answer: the edge ``node`` -> ``parent`` (objects or display names).

        ``index`` picks one edge when ``parent`` is used twice by ``node`` (``a * a``).
        """
        n = self._find(node, "node")
        p = self._find(parent, "parent")
        uses = [i for i, q in enumerate(n.parents) if q is p]
        if not uses:
            raise ValueError(f"exercise.answer: {self.names[p]} is not a parent of {self.names[n]}; "
                             f"edges: {', '.join(f'{a}->{b}' for a, b, _ in self.edges())}")
        right = n is self.node and (self.index in uses if index is None else index == self.index)
        said = self._edge_text(n, uses[0] if index is None else index)
        if right:
            return Verdict(True, f"Right: {said} was wrong ({self._what}).")
        return Verdict(False, f"Not {said}: its local derivative is right. Follow the red leaves back.")

    def _find(self, which: Any, role: str) -> Any:
        nodes = graph_nodes(self.root)
        if isinstance(which, str):
            hits = [n for n in nodes if self.names[n] == which]
            if len(hits) != 1:
                raise ValueError(f"exercise.answer: {role} {which!r} names {len(hits)} nodes of this graph "
                                 f"(names: {', '.join(sorted(set(self.names.values())))})")
            return hits[0]
        if any(n is which for n in nodes):
            return which
        raise ValueError(f"exercise.answer: the {role} {which!r} is not part of this graph")

    # ---------------------------------------------------------------- pictures and pages
    def picture(self, **draw_options: Any) -> Any:
        """``viz.draw(root, check=True)`` of the pass with the bug (a replay: no grad changes):
        every box shows what the planted rule makes of it, every edge what it sends; the leaves
        the wrong edge feeds are red."""
        from .draw import draw
        from .steps import final_frame

        return draw(self.root, check=True, frame=final_frame(self.root), **draw_options)

    def _spec(self) -> Dict[str, Any]:
        choices = [("", "— choose an edge —")]
        choices += [(f"{k}:{i}", self._edge_text(n, i)) for k, n in enumerate(graph_nodes(self.root))
                    for i in range(len(n.parents))]
        k = next(k for k, n in enumerate(graph_nodes(self.root)) if n is self.node)
        return {"question": "Gradcheck marks the leaves whose gradient is wrong (red). Which edge has the "
                            "wrong local derivative?",
                "choices": choices, "answer": f"{k}:{self.index}",
                "right": f"Right: {self._edge_text(self.node, self.index)} was wrong.",
                "wrong": "Not this edge: its local derivative is right. Follow the red leaves back."}

    def page(self) -> Any:
        """The step-by-step page with gradcheck on every frame and the question (a :class:`viz.Stepper`)."""
        from .page import Stepper

        return Stepper(self.root, check=True, exercise=self._spec(),
                       title=f"Find the bug: the backward pass of {self.names[self.root]}")

    def render_html(self, path: Union[str, "os.PathLike[str]"]) -> Path:
        """Write :meth:`page` to ``path``."""
        return self.page().save(path)

    # ---------------------------------------------------------------- for the teacher
    def solution(self) -> str:
        """Which edge is wrong and how."""
        return f"{self._edge_text(self.node, self.index)}: {self._what}"

    def restore(self) -> None:
        """Put the right backward rule back."""
        self._restore()

    def __repr__(self) -> str:
        return f"<Exercise on {self.names[self.root]}: one of {len(self.edges())} edges is wrong>"


def _candidates(root: Any) -> List[Tuple[Any, int]]:
    return [(n, i) for n in graph_nodes(root) for i, p in enumerate(n.parents)
            if getattr(n, "local_grads", None) is not None or getattr(p, "requires_grad", False)]


def plant_bug(root: Any, *, node: Any = None, parent: Optional[int] = None, wrong: Optional[float] = None,
              seed: Optional[int] = None) -> Exercise:
    """Make the local derivative of one edge wrong and return the :class:`Exercise`.

    ``node`` and ``parent`` (the parent's index in ``node.parents``) choose the edge; by
    default one is drawn at random (``seed`` for a repeatable choice).  For a ``Value``
    graph the wrong derivative is ``wrong`` if given, else a classic mistake: for ``a*b``
    the own operand instead of the other one, otherwise the sign flipped (or 1 for 0).
    For a ``Tensor`` graph the edge's backward rule sends ``wrong`` times (default 2×)
    what it should, as a hand-written layer with a wrong factor would.  The forward
    numbers are untouched; ``exercise.restore()`` undoes the bug.  All or nothing: when
    ``plant_bug`` raises, no rule of the graph has changed.
    """
    if not is_node(root):
        raise TypeError(f"plant_bug: expected a Value or Tensor, got {type(root).__name__}: {root!r}")
    if parent is not None and (isinstance(parent, bool) or not isinstance(parent, numbers.Integral)):
        raise TypeError(f"plant_bug: parent must be an int (the parent's index in node.parents), "
                        f"got {parent!r}")
    if wrong is not None:
        if isinstance(wrong, bool) or not isinstance(wrong, numbers.Real):
            raise TypeError(f"plant_bug: wrong must be a number, got {type(wrong).__name__}: {wrong!r}")
        if not math.isfinite(float(wrong)):
            raise ValueError(f"plant_bug: wrong must be a finite number, got {wrong!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"plant_bug: seed must be an int or None, got {seed!r}")
    from .draw import DEFAULT_MAX_NODES

    cut = len(graph_nodes(root)) - DEFAULT_MAX_NODES
    if cut > 0:
        raise ValueError(f"plant_bug: the graph has {cut} values more than {DEFAULT_MAX_NODES}; an exercise "
                         "is a graph a learner can read (its picture would be cut)")
    _checkable(root)
    edges = _candidates(root)
    if not edges:
        raise ValueError("plant_bug: the graph has no edge to plant a bug on (the root is a leaf)")
    if node is None:
        if parent is not None:
            raise ValueError("plant_bug: pass node together with parent")
        random.Random(seed).shuffle(edges)
        for n, i in edges:  # an edge whose bug changes some leaf's grad (not one behind a dead relu)
            ex = _plant(root, n, i, wrong)
            try:
                visible = _visible(root)
            except BaseException:
                ex.restore()  # all or nothing: a check that fails leaves no bug behind
                raise
            if visible:
                return ex
            ex.restore()
        raise ValueError("plant_bug: no edge of this graph changes a leaf's gradient when wrong "
                         "(every upstream grad is 0?)")
    index = 0 if parent is None else int(parent)
    if not any(n is node and i == index for n, i in edges):
        raise ValueError(f"plant_bug: ({node!r}, parent {index}) is not an edge of this graph")
    return _plant(root, node, index, wrong)


def _checkable(root: Any) -> None:
    """Refuse, before anything is planted, a graph whose picture gradcheck cannot check."""
    from .check import MAX_CHECK_ELEMENTS
    from .labels import is_tensor

    if not is_tensor(root):
        return
    if root.data.size != 1:
        raise ValueError(f"plant_bug: an exercise needs a scalar root (gradcheck marks its leaves), "
                         f"got shape {root.data.shape}; sum it, or take a loss")
    size = sum(n.data.size for n in graph_nodes(root) if n.is_leaf and getattr(n, "requires_grad", False))
    if size > MAX_CHECK_ELEMENTS:
        raise ValueError(f"plant_bug: the leaves have {size} elements to check by central differences, "
                         f"more than {MAX_CHECK_ELEMENTS}; plant the bug in a smaller graph")


def _plant(root: Any, node: Any, index: int, wrong: Optional[float]) -> Exercise:
    if getattr(node, "local_grads", None) is not None:
        return _plant_value(root, node, index, wrong)
    return _plant_tensor(root, node, index, 2.0 if wrong is None else wrong)


def _visible(root: Any) -> bool:
    """True if the picture's gradcheck shows the planted bug: some leaf is marked wrong."""
    from .check import check_records, tensor_checks
    from .labels import is_tensor

    leaves = [n for n in graph_nodes(root) if n.is_leaf]
    check = tensor_checks if is_tensor(root) else check_records
    checks = check(root, leaves, None, "plant_bug")
    return any(not c.ok for c in checks.values())


def _plant_value(root: Any, node: Any, index: int, wrong: Optional[float]) -> Exercise:
    right = float(node.local_grads[index])
    names = node_names(graph_nodes(root))
    if wrong is None:
        mine = node.parents[index]
        if node.op == "*" and mine.data != right:
            wrong = float(mine.data)  # ∂(a*b)/∂a written as a instead of b
            what = f"it used {names[mine]} = {fmt(wrong)} instead of the other operand = {fmt(right)}"
        else:
            wrong = -right if right != 0.0 else 1.0
            what = f"it used {fmt(wrong)} instead of {fmt(right)}"
    else:
        wrong = float(wrong)
        what = f"it used {fmt(wrong)} instead of {fmt(right)}"
    if wrong == right:
        raise ValueError(f"plant_bug: the wrong derivative {fmt(wrong)} equals the right one")
    _set_local(node, index, wrong)

    def restore() -> None:
        _set_local(node, index, right)

    return Exercise(root, node, index, restore, what)


def _set_local(node: Any, index: int, local: float) -> None:
    """Write a Value node's stored local derivative for parent ``index`` (the first two in their
    slots, a Function's further inputs in ``_lrest``)."""
    if index < 2:
        setattr(node, "_la" if index == 0 else "_lb", local)
    else:
        rest = list(node._lrest)
        rest[index - 2] = local
        node._lrest = tuple(rest)


def _plant_tensor(root: Any, node: Any, index: int, factor: float) -> Exercise:
    if factor == 1.0:
        raise ValueError("plant_bug: a factor of 1 plants no bug")
    right = node._vjp

    def wrong_vjp(*args: Any) -> Any:  # the rule's own arguments (autograd_lite.tensor's convention)
        out = right(*args)
        if isinstance(out, tuple):
            return tuple(c * factor if i == index and c is not None else c for i, c in enumerate(out))
        return out * factor

    node._vjp = wrong_vjp

    def restore() -> None:
        node._vjp = right

    return Exercise(root, node, index, restore, f"its backward rule sends {fmt(factor)}× the right vjp")
