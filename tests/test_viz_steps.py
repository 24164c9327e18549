"""viz.render_steps: one frame per backward step, ? for pending grads, quiz mode, a GIF, stable layout."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

import viz
from autograd_lite import Value
from viz.steps import frames, text_width

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def two_uses() -> tuple:
    """c = a*x + a*y: a is used by two different nodes, so its grad arrives in two steps."""
    a, x, y = Value(2.0, "a"), Value(3.0, "x"), Value(5.0, "y")
    ax = a * x
    ay = a * y
    c = ax + ay
    c.label = "c"
    return a, x, y, ax, ay, c


def test_frames_show_partial_sums_and_question_marks() -> None:
    a, x, y, ax, ay, c = two_uses()
    fs = frames(c)
    assert len(fs) == 4  # seed + 3 steps (c, then a*y, then a*x: newest first)
    seed = fs[0]
    assert seed.grads[c] == "1" and all(seed.grads[n] == "?" for n in (a, x, y, ax, ay))
    assert set(seed.flows.values()) == {"← ?"}
    after_sum = fs[1]
    assert after_sum.hot == [c] and after_sum.grads[ax] == "1" and after_sum.grads[ay] == "1"
    assert after_sum.grads[a] == "?"
    after_ay = fs[2]
    assert after_ay.hot == [ay]
    assert after_ay.grads[a] == "5 + ?"  # d c/d a so far: y = 5 from a*y; a*x still to come
    assert after_ay.grads[y] == "2" and after_ay.grads[x] == "?"
    last = fs[3]
    assert last.grads[a] == "8 = 5 + 3" and last.grads[x] == "2" and last.grads[y] == "2"
    assert "a.grad: 5 + 1 × 3 = 8" in last.caption
    assert (a.grad, x.grad, c.grad) == (0.0, 0.0, 0.0)  # a replay: nothing touched


def test_quiz_hides_every_grad_but_the_seed() -> None:
    *_, c = two_uses()
    for f in frames(c, quiz=True):
        shown = {text for n, text in f.grads.items() if n is not c}
        assert shown == {"?"}
        assert set(f.flows.values()) == {"← ?"}
        detail = f.caption.split("\n")[1]
        assert " = " not in detail or detail.startswith("dc/dc = 1")  # no computed grads in words
    # the local derivatives stay visible: they are what the learner multiplies by
    assert frames(c, quiz=True)[2].caption.endswith("fill in: a.grad += ? × 5, y.grad += ? × 2")


def test_every_frame_has_the_same_cell_widths() -> None:
    *_, c = two_uses()
    fs = frames(c)
    assert all(f.widths is fs[0].widths for f in fs)
    widths = fs[0].widths
    assert all(widths[("grad", n)] >= text_width(f.grads[n], 14, bold=True) for f in fs for n in f.grads)


@needs_dot
def test_render_steps_files_and_gif(tmp_path: Path) -> None:
    from PIL import Image

    *_, c = two_uses()
    out = viz.render_steps(c, tmp_path / "frames")
    assert [p.name for p in out.frames] == [f"step_00{k}.png" for k in range(4)]
    sizes = set()
    for p in out.frames:
        data = p.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        sizes.add(Image.open(p).size)
    assert len(sizes) == 1  # same layout in every frame: the animation does not jump
    assert out.gif is not None and out.gif.read_bytes()[:6] == b"GIF89a" and out.note == ""
    with Image.open(out.gif) as gif:
        assert gif.n_frames == 4
    quiz = viz.render_steps(c, tmp_path / "quiz", quiz=True, gif=False)
    assert quiz.gif is None and len(quiz.frames) == 4


@needs_dot
def test_without_pillow_the_frames_are_written_and_a_note_says_how_to_get_the_gif(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)  # import PIL now raises ImportError
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    with pytest.raises(ImportError):
        import PIL.Image  # noqa: F401
    x = Value(1.0, "x")
    y = x.exp()
    out = viz.render_steps(y, tmp_path / "plain")  # the default: a GIF only when Pillow is there
    assert [p.name for p in out.frames] == ["step_000.png", "step_001.png"] and out.gif is None
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in out.frames)
    assert "\n" not in out.note and "pip install Pillow" in out.note and "2 PNG frames" in out.note
    assert not (tmp_path / "plain" / "backward.gif").exists()
    with pytest.raises(RuntimeError, match="Pillow"):  # asked for explicitly: a clear error
        viz.render_steps(y, tmp_path / "asked", gif=True)
    assert (tmp_path / "asked" / "step_000.png").exists() and (tmp_path / "asked" / "step_001.png").exists()


def test_too_many_nodes_is_refused(tmp_path: Path) -> None:
    x = Value(0.1, "x")
    y = x
    for _ in range(100):
        y = y.sin()
    with pytest.raises(ValueError, match="max_nodes=20"):
        viz.render_steps(y, tmp_path)
    with pytest.raises(ValueError, match="from 1 to 20"):
        viz.render_steps(y, tmp_path, max_nodes=200)
    assert not any(tmp_path.iterdir())


def test_tensor_frames_show_arrays_arriving() -> None:
    from autograd_lite import Tensor

    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    y = (x * x + x).sum()
    fs = frames(y)
    assert len(fs) == 4 and fs[0].grads[x] == "?"
    assert fs[2].grads[x] == "[1, 1] + ?"  # from + first (newest node), x*x still to come
    assert fs[3].grads[x] == "[3, 5] = [1, 1] + [1, 2] + [1, 2]"  # d/dx (x² + x) = 2x + 1
    assert "x.grad: [1, 1] + [1, 2] = [2, 3]; x.grad: [2, 3] + [1, 2] = [3, 5]" in fs[3].caption
    assert x.grad is None  # a replay: nothing touched


@needs_dot
@pytest.mark.parametrize("shape", ["product", "fan-out"])
def test_the_largest_accepted_step_pictures_are_quick_and_fit_a_slide(tmp_path: Path, shape: str) -> None:
    import time

    x = Value(1.01, "x")
    if shape == "product":  # x*x*…*x: 20 values, one x used by every op
        y = x
        for _ in range(viz.steps.MAX_STEP_NODES - 2):
            y = y * x
    else:  # x times 6 constants, summed as a tree: 19 values
        terms = [x * Value(float(k)) for k in range(6)]
        while len(terms) > 1:
            terms = [terms[i] + terms[i + 1] if i + 1 < len(terms) else terms[i]
                     for i in range(0, len(terms), 2)]
        y = terms[0]
    start = time.perf_counter()
    out = viz.render_steps(y, tmp_path, gif=False)
    took = time.perf_counter() - start
    assert took < 20, f"{took:.1f} s"  # about 5-7 s here (one Graphviz run per frame); generous bound
    widths = {int.from_bytes(p.read_bytes()[16:20], "big") for p in out.frames}
    assert len(widths) == 1 and max(widths) <= 2000
