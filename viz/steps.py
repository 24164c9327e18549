"""The backward pass as a sequence of pictures: one frame per chain-rule step, and a GIF.

Frame 0 shows the seed (the root's grad is 1, every other grad ``?``).  Frame *k*
highlights the node the engine processes at step *k* and the edges to its parents;
each parent's grad shows what has arrived so far (``1.1 + ?`` while another use is
still to come, ``2.2 = 1.1 + 1.1`` once complete).  The numbers come from
:func:`autograd_lite.explain` (a replay: the graph's grads are not touched).  Every
frame has the same layout, so the animation does not jump: text cells get the width
of their widest variant.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from autograd_lite.explain import Explanation, explain
from autograd_lite.words import total

from .draw import Frame, draw, pipe
from .labels import num as preview
from .layout import keep

__all__ = ["render_steps", "StepFrames", "frames", "final_frame"]

DEFAULT_MAX_NODES = 20  # one frame per step: 20 values are at most 20 frames, a few seconds
MAX_STEP_NODES = 20
FRAME_MAX_INCHES = 13.5  # frames are for a slide or a GIF (1400 px): at most 1944 px, quick to draw


@dataclass(frozen=True)
class StepFrames:
    """What :func:`render_steps` wrote: the PNG frames in order, the GIF (or None), and a
    one-line ``note`` when the GIF was skipped because Pillow is missing (else ``""``)."""

    frames: List[Path]
    gif: Optional[Path]
    note: str = ""


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


def _grad_texts(ex: Explanation, done: int, quiz: bool) -> Dict[Any, str]:
    """Each node's grad text after the first ``done`` steps."""
    uses: Dict[Any, List[Any]] = {}
    for step in ex.steps:
        for e in step.edges:
            uses.setdefault(e.parent, []).append(e)
    arrived: Dict[Any, List[Any]] = {}
    for step in ex.steps[:done]:
        for e in step.edges:
            arrived.setdefault(e.parent, []).append(e)
    texts: Dict[Any, str] = {}
    for n in ex.nodes:
        if n is ex.root:
            texts[n] = preview(ex.seed)
            continue
        got = arrived.get(n, [])
        total = uses.get(n, [])
        if not total:  # nothing is sent to it (a constant that needs no grad): never a "?"
            texts[n] = "none needed"
        elif quiz or not got:
            texts[n] = "?"
        elif len(got) < len(total):
            texts[n] = " + ".join(preview(e.sent) for e in got) + " + ?"
        elif len(got) == 1:
            texts[n] = preview(got[0].after)
        else:
            texts[n] = f"{preview(got[-1].after)} = " + " + ".join(preview(e.sent) for e in got)
    return texts


def check_options(where: str, root: Any, rankdir: str = "LR", **flags: Any) -> None:
    """The arguments every step-by-step output shares, refused up front with the caller's name:
    a Value or a Tensor root with one element (the pass starts from a seed of 1), a rankdir,
    and flags (``quiz=``, ``check=`` ...) that are True or False."""
    from autograd_lite.engine import is_node

    if not is_node(root):
        raise TypeError(f"{where}: expected a Value or Tensor, got {type(root).__name__}: {root!r}")
    size = getattr(root.data, "size", 1)
    if size != 1:
        raise ValueError(f"{where}: the root has shape {root.data.shape}, not a single number; a pass to "
                         "step through starts from a scalar: sum it (root.sum()) or take a loss")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"{where}: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise TypeError(f"{where}: {name} must be True or False, got {value!r}")


def frames(root: Any, quiz: bool = False) -> List[Frame]:
    """The frames of the backward pass of ``root`` (a replay: no grad is changed)."""
    check_options("frames", root, quiz=quiz)
    ex = explain(root, replay=True)
    names = ex.names
    out: List[Frame] = []
    n_steps = len(ex.steps)
    root_name = names[root]
    seed_line = f"{total(root_name, root_name)} = {preview(ex.seed)}: every other grad is still unknown (?)"
    out.append(Frame(grads=_grad_texts(ex, 0, quiz), hot=[root], hot_inputs=False,
                     flows={(s.node, e.index): "← ?" for s in ex.steps for e in s.edges},
                     caption=f"Step 0 of {n_steps}: seed the output\n{seed_line}"))
    for k, step in enumerate(ex.steps, 1):
        flows: Dict[Tuple[Any, int], Optional[str]] = {}
        for j, s in enumerate(ex.steps):
            for e in s.edges:
                flows[(s.node, e.index)] = "← ?" if quiz or j >= k else f"← {preview(e.sent)}"
        me = names[step.node]
        if quiz:
            upstream = preview(step.upstream) if k == 1 else "?"
            detail = "fill in: " + ", ".join(
                f"{names[e.parent]}.grad += {upstream} × {preview(e.local) if e.local is not None else 'vjp'}"
                for e in step.edges)
        else:
            detail = "; ".join(_edge_words(names[e.parent], e, step.upstream) for e in step.edges)
        up = "?" if quiz and k > 1 else preview(step.upstream)
        out.append(Frame(grads=_grad_texts(ex, k, quiz), flows=flows, hot=[step.node],
                         caption=f"Step {k} of {n_steps}: {me} ({step.node.op}) has upstream grad {up} "
                                 f"and sends upstream × local to each parent\n{detail}"))
    _same_widths(out)
    return out


def final_frame(root: Any) -> Frame:
    """The picture of the whole pass, replayed (seed 1, no grad changed): every grad with the sum
    of what arrived, every edge with what it sent; nothing highlighted."""
    ex = explain(root, replay=True)
    flows: Dict[Tuple[Any, int], Optional[str]] = {
        (s.node, e.index): f"← {preview(e.sent)}" for s in ex.steps for e in s.edges}
    return Frame(grads=_grad_texts(ex, len(ex.steps), False), flows=flows, hot_inputs=False)


def _edge_words(parent: str, e: Any, upstream: Any) -> str:
    """``a.grad: 5 + 1 × 3 = 8`` (a Value edge) or ``x.grad: [1, 1] + [1, 2] = [2, 3]`` (a Tensor)."""
    sent = f"{preview(upstream)} × {preview(e.local)}" if e.local is not None else preview(e.sent)
    if e.before is None:  # a Tensor grad starts as None: the first contribution is the grad
        return f"{parent}.grad = {sent}" + (f" = {preview(e.after)}" if e.local is not None else "")
    return f"{parent}.grad: {preview(e.before)} + {sent} = {preview(e.after)}"


def _same_widths(all_frames: List[Frame]) -> None:
    """Give every varying text cell its widest width in every frame (a layout that stays put)."""
    widths: Dict[Tuple[Any, ...], int] = {}

    def grow(key: Tuple[Any, ...], w: int) -> None:
        widths[key] = max(widths.get(key, 0), w)

    for f in all_frames:
        for n, text in f.grads.items():
            grow(("grad", n), text_width(text, 14, bold=True))
        for (n, i), flow in f.flows.items():
            grow(("edge", n, i), text_width(flow or "", 12, bold=True))
        for line in f.caption.split("\n"):
            grow(("caption",), text_width(line, 16, bold=True))
    for f in all_frames:
        f.widths = widths


def render_steps(
    root: Any,
    outdir: Union[str, "os.PathLike[str]"],
    *,
    gif: Optional[bool] = None,
    quiz: bool = False,
    rankdir: str = "LR",
    max_nodes: int = DEFAULT_MAX_NODES,
    seconds_per_frame: float = 1.6,
) -> StepFrames:
    """Write ``step_000.png`` ... (one per backward step) to ``outdir``, and ``backward.gif``.

    The current node and its edges are highlighted; grads not computed yet show as ``?``.
    ``quiz=True`` hides every grad (and the flowed values) for learners to fill in.
    ``gif``: ``None`` (default) writes the animated GIF when Pillow is installed and
    otherwise only the frames (``.note`` then says how to get the GIF); ``True`` requires
    it (a RuntimeError after the frames are written if Pillow is missing); ``False`` skips it.
    Graphs with more than ``max_nodes`` values (at most :data:`MAX_STEP_NODES`) are refused
    up front: one frame per step would neither be readable nor quick.  Grads are not changed.
    """
    check_options("render_steps", root, rankdir, quiz=quiz)
    if gif is not None and not isinstance(gif, bool):
        raise TypeError(f"render_steps: gif must be True, False or None, got {gif!r}")
    if isinstance(seconds_per_frame, bool) or not isinstance(seconds_per_frame, (int, float)) \
            or not 0.02 <= seconds_per_frame <= 60:
        raise ValueError(f"render_steps: seconds_per_frame must be a number from 0.02 to 60, "
                         f"got {seconds_per_frame!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or not 1 <= max_nodes <= MAX_STEP_NODES:
        raise ValueError(f"render_steps: max_nodes must be an int from 1 to {MAX_STEP_NODES}, "
                         f"got {max_nodes!r}")
    nodes, every = keep(root, max_nodes)
    if len(every) > len(nodes):
        raise ValueError(f"render_steps: the graph has {len(every)} values, more than max_nodes={max_nodes}; "
                         f"draw it whole with viz.render (or pass max_nodes up to {MAX_STEP_NODES})")
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written: List[Path] = []
    for k, frame in enumerate(frames(root, quiz=quiz)):
        g = draw(root, rankdir=rankdir, frame=frame, max_nodes=None)
        path = out / f"step_{k:03d}.png"
        path.write_bytes(pipe(g, "png", path, max_inches=FRAME_MAX_INCHES))
        written.append(path)
    gif_path = out / ("quiz.gif" if quiz else "backward.gif")
    if gif is False:
        return StepFrames(written, None)
    if not _have_pillow():
        hint = (f"render_steps: wrote {len(written)} PNG frames to {out}; for the animated GIF "
                "install Pillow (pip install Pillow, or the 'demos' extra)")
        if gif:
            raise RuntimeError(hint + ", or pass gif=False")
        return StepFrames(written, None, hint)
    return StepFrames(written, _gif(written, gif_path, seconds_per_frame))


def _have_pillow() -> bool:
    try:
        import PIL.Image  # noqa: F401
    except ImportError:
        return False
    return True


def _gif(pngs: List[Path], path: Path, seconds: float) -> Path:
    from PIL import Image

    images = [Image.open(p).convert("RGB") for p in pngs]
    w = max(im.width for im in images)
    h = max(im.height for im in images)
    scale = min(1.0, 1400 / w)  # a GIF for slides and READMEs, not a poster
    canvas_size = (int(w * scale), int(h * scale))
    frames_ = []
    for im in images:
        canvas = Image.new("RGB", (w, h), "white")
        canvas.paste(im, (0, 0))
        if scale < 1.0:
            canvas = canvas.resize(canvas_size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        frames_.append(canvas.quantize(colors=255, method=Image.Quantize.FASTOCTREE))
    durations = [int(seconds * 1000)] * len(frames_)
    durations[-1] = int(seconds * 2500)  # linger on the finished picture
    frames_[0].save(path, save_all=True, append_images=frames_[1:], duration=durations, loop=0,
                    optimize=False, disposal=1)
    return path
