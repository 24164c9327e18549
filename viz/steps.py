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

from autograd_lite.i18n import tr
from autograd_lite.reading import total

from .draw import Frame, draw, pipe
from .labels import num as preview
from .layout import keep
from .pinned import parse_layout
from .speak import speaks
from .timeline import text_width, timeline

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


def check_options(where: str, root: Any, rankdir: str = "LR", **flags: Any) -> None:
    """The arguments every step-by-step output shares, refused up front with the caller's name:
    a Value or a Tensor root with one element (the pass starts from a seed of 1), a rankdir,
    and flags (``quiz=``, ``check=`` ...) that are True or False."""
    from autograd_lite.reading import is_node

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
    """The frames of the backward pass of ``root`` (a replay: no grad is changed), each with
    every grad and flow text, from :func:`viz.timeline.timeline`."""
    check_options("frames", root, quiz=quiz)
    t = timeline(root, quiz=quiz)
    ex = t.explanation
    names = ex.names
    out: List[Frame] = []
    n_steps = len(ex.steps)
    root_name = names[root]
    seed_line = tr("{total} = {seed}: every other grad is still unknown (?)").format(
        total=total(root_name, root_name), seed=preview(ex.seed))
    out.append(Frame(grads=t.grads_at(0), hot=[root], hot_inputs=False, flows=dict(t.flows_at(0)),
                     caption=tr("Step 0 of {n}: seed the output").format(n=n_steps) + f"\n{seed_line}"))
    for k, step in enumerate(ex.steps, 1):
        me = names[step.node]
        if quiz:
            upstream = preview(step.upstream) if k == 1 else "?"
            detail = tr("fill in: ") + ", ".join(
                f"{names[e.parent]}.grad += {upstream} × {preview(e.local) if e.local is not None else 'vjp'}"
                for e in step.edges)
        else:
            detail = "; ".join(_edge_words(names[e.parent], e, step.upstream) for e in step.edges)
        up = "?" if quiz and k > 1 else preview(step.upstream)
        out.append(Frame(grads=t.grads_at(k), flows=dict(t.flows_at(k)), hot=[step.node],
                         caption=tr("Step {k} of {n}: {name} ({op}) has upstream grad {up} and sends "
                                    "upstream × local to each parent").format(
                             k=k, n=n_steps, name=me, op=step.node.op, up=up) + f"\n{detail}"))
    _same_widths(out, t.widths)
    return out


def final_frame(root: Any) -> Frame:
    """The picture of the whole pass, replayed (seed 1, no grad changed): every grad with the sum
    of what arrived, every edge with what it sent; nothing highlighted."""
    t = timeline(root)
    last = len(t.hot) - 1
    return Frame(grads=t.grads_at(last), flows=dict(t.flows_at(last)), hot_inputs=False)


def _edge_words(parent: str, e: Any, upstream: Any) -> str:
    """``a.grad: 5 + 1 × 3 = 8`` (a Value edge) or ``x.grad: [1, 1] + [1, 2] = [2, 3]`` (a Tensor)."""
    sent = f"{preview(upstream)} × {preview(e.local)}" if e.local is not None else preview(e.sent)
    if e.before is None:  # a Tensor grad starts as None: the first contribution is the grad
        return f"{parent}.grad = {sent}" + (f" = {preview(e.after)}" if e.local is not None else "")
    return f"{parent}.grad: {preview(e.before)} + {sent} = {preview(e.after)}"


def _same_widths(all_frames: List[Frame], widths: Dict[Tuple[Any, ...], int]) -> None:
    """Give every varying text cell its widest width in every frame (a layout that stays put)."""
    widths = dict(widths)
    widths[("caption",)] = max(text_width(line, 16, bold=True)
                               for f in all_frames for line in f.caption.split("\n"))
    for f in all_frames:
        f.widths = widths


@speaks("render_steps")
def render_steps(
    root: Any,
    outdir: Union[str, "os.PathLike[str]"],
    *,
    gif: Optional[bool] = None,
    quiz: bool = False,
    rankdir: str = "LR",
    max_nodes: int = DEFAULT_MAX_NODES,
    seconds_per_frame: float = 1.6,
    lang: Optional[str] = None,
    fold: Optional[str] = None,
) -> StepFrames:
    """Write ``step_000.png`` ... (one per backward step) to ``outdir``, and ``backward.gif``.

    The current node and its edges are highlighted; grads not computed yet show as ``?``.
    ``quiz=True`` hides every grad (and the flowed values) for learners to fill in.
    ``gif``: ``None`` (default) writes the animated GIF when Pillow is installed and
    otherwise only the frames (``.note`` then says how to get the GIF); ``True`` requires
    it (a RuntimeError after the frames are written if Pillow is missing); ``False`` skips it.
    Graphs with more than ``max_nodes`` values (at most :data:`MAX_STEP_NODES`) are refused
    up front: one frame per step would neither be readable nor quick.  Grads are not changed.
    ``lang``: ``"en"`` or ``"zh"`` (中文), the captions and the words on the pictures (default: the
    environment's, see :func:`autograd_lite.i18n.language`).
    ``fold``: ``"neuron"``, ``"layer"``, ``"module"`` or ``"group"`` steps through the folded
    picture (one frame per box's step, see :mod:`viz.fold_steps`); ``max_nodes`` then bounds the
    boxes (values and blocks).
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
    from .fold import check_fold

    check_fold(fold, "render_steps")
    if fold is not None and quiz:
        raise ValueError(f"render_steps: folded frames (fold={fold!r}) have no quiz; pass fold=None for it")
    if fold is None:
        nodes, every = keep(root, max_nodes)
        if len(every) > len(nodes):
            raise ValueError(f"render_steps: the graph has {len(every)} values, more than "
                             f"max_nodes={max_nodes}; draw it whole with viz.render (or pass max_nodes "
                             f"up to {MAX_STEP_NODES})")
    out = Path(outdir)
    if fold is not None:  # refuses a folded picture too big before it writes anything
        from .fold_steps import folded_frames

        written = folded_frames(root, out, fold, rankdir, max_nodes, FRAME_MAX_INCHES)
    else:
        written = _frames(root, out, quiz, rankdir)
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


def _frames(root: Any, out: Path, quiz: bool, rankdir: str) -> List[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: List[Path] = []
    fs = frames(root, quiz=quiz)
    # one layout for every frame: dot lays out the first, the others are drawn on its positions
    first = out / "step_000.png"
    pins = parse_layout(pipe(draw(root, rankdir=rankdir, frame=fs[0], max_nodes=None), "json", first))
    for k, frame in enumerate(fs):
        frame.pins = pins
        g = draw(root, rankdir=rankdir, frame=frame, max_nodes=None)
        path = out / f"step_{k:03d}.png"
        path.write_bytes(pipe(g, "png", path, max_inches=FRAME_MAX_INCHES, pinned=True))
        written.append(path)
    return written


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
