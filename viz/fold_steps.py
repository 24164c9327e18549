"""``viz.render_steps(fold=...)``: the folded picture's steps as PNG frames, on one layout.

The frames are the folded page's steps (:mod:`viz.fold_page`): one per box's run of the pass and
one per value drawn outside the boxes.  ``dot`` lays the first frame out once; every other frame
is drawn on its positions (``neato -n2``), so nothing moves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

from .draw import pipe
from .fold import FoldedGroup, fold_graph
from .fold_page import folded_dot, folded_pass, step_lines_folded
from .pinned import parse_layout
from .timeline import text_width, timeline

__all__ = ["folded_frames"]


def folded_frames(root: Any, out: Path, fold: str, rankdir: str, max_nodes: int,
                  max_inches: float) -> List[Path]:
    """Write ``step_000.png`` ... of the folded pass of ``root`` to ``out``; refuse up front a folded
    picture of more than ``max_nodes`` boxes (values and blocks)."""
    from .page import step_lines

    t = timeline(root)
    ex = t.explanation
    folding = fold_graph(root, fold, ex.nodes)
    boxes = len(folding.groups) + sum(1 for n in ex.nodes if n not in folding.owner)
    if boxes > max_nodes:
        raise ValueError(f"render_steps: folded by {fold!r}, the graph has {boxes} boxes (values and "
                         f"blocks), more than max_nodes={max_nodes}; fold by a larger block ('layer', "
                         f"'module'), or step through it on a page: "
                         f"viz.render_html(root, path, fold={fold!r})")
    fp = folded_pass(t, folding)
    ids = {n: str(k) for k, n in enumerate(ex.nodes)}
    _, hot, _ = folded_dot(root, t, folding, fp, ids, rankdir)
    n = len(fp.units) - 1
    captions = []
    for K, unit in enumerate(fp.units):
        if isinstance(unit, FoldedGroup) and K > 0:
            lines = step_lines_folded(t, folding, fp, K)
            head = f"Step {K} of {n}: the box {unit.name} ({unit.kind})"
        else:
            lines = step_lines(ex, fp.at.index(K), False)
            head = f"Step {K} of {n}" + (": seed the output" if K == 0 else "")
        captions.append([head, *lines])
    tall = max(len(c) for c in captions)  # every caption as tall as the tallest: the picture stays put
    width = max(text_width(line, 16, bold=True) for c in captions for line in c)
    texts = ["\n".join(c + [" "] * (tall - len(c))) for c in captions]
    out.mkdir(parents=True, exist_ok=True)
    first = out / "step_000.png"
    g0, _, _ = folded_dot(root, t, folding, fp, ids, rankdir, 0, frozenset(hot[0]), None, (texts[0], width))
    pins = parse_layout(pipe(g0, "json", first))
    written = []
    for K in range(n + 1):
        lit = frozenset(hot[K])
        g, _, _ = folded_dot(root, t, folding, fp, ids, rankdir, K, lit, pins, (texts[K], width))
        path = out / f"step_{K:03d}.png"
        path.write_bytes(pipe(g, "png", path, max_inches=max_inches, pinned=True))
        written.append(path)
    return written
