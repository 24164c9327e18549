"""Pictures in Chinese (lang="zh" or the environment): the words in boxes, on edges and in the
captions of the step frames, a CJK font told to Graphviz only in Chinese, English unchanged.

The PNG tests need Graphviz and a CJK font (tools/install_cjk_font.sh); they skip and say so
without one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest
from graphs import apple_orange
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_explain import build, programs, tame

import viz
from autograd_lite import Value
from autograd_lite.i18n import tr
from viz.speak import FONT, FONT_ZH

HAVE_DOT = shutil.which("dot") is not None


def cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


NO_FONT = "no CJK font (fc-list :lang=zh is empty); bash tools/install_cjk_font.sh"
HAN = re.compile(r"[\u4e00-\u9fff]")


def needs_png(test: Callable[..., None]) -> Callable[..., None]:
    """Skips, with the reason, without Graphviz or a CJK font."""
    test = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz dot is not installed")(test)
    return pytest.mark.skipif(not cjk_font(), reason=NO_FONT)(test)


def price() -> Value:
    g = apple_orange()
    g["price"].backward()
    return g["price"]


def test_the_picture_in_chinese_has_the_books_terms_and_a_cjk_font() -> None:
    src = viz.draw(price(), lang="zh").source
    assert ">数据<" in src and ">梯度<" in src and ">data<" not in src and ">grad<" not in src
    assert f'fontname="{FONT_ZH}"' in src and FONT not in src
    assert "← 2.2" in src and "∂apple_price" in src  # the numbers and the math stay as they were


def test_english_is_unchanged_and_never_names_the_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    en = viz.draw(price()).source
    assert viz.draw(price(), lang="en").source == en
    assert ">data<" in en and ">grad<" in en and not HAN.search(en) and FONT_ZH not in en
    monkeypatch.setenv("AUTOGRAD_LITE_LANG", "zh_CN.UTF-8")  # the environment: Chinese by default
    assert viz.draw(price(), lang="en").source == en  # lang= wins over the environment
    assert viz.draw(price()).source == viz.draw(price(), lang="zh").source != en


def test_dot_text_is_deterministic_in_both_languages(tmp_path: Path) -> None:
    for lang in ("en", "zh"):
        a = viz.render(price(), tmp_path / f"a_{lang}.dot", lang=lang).read_text(encoding="utf-8")
        b = viz.render(price(), tmp_path / f"b_{lang}.dot", lang=lang).read_text(encoding="utf-8")
        assert a == b and a


def test_every_word_a_picture_writes_is_said_in_chinese() -> None:
    # a constant, a value used twice far apart, a cut graph, a check: the rarer words too
    x, y = Value(2.0, "x"), Value(3.0, "y")
    t = x * y
    out = (t + 1.5) * t + x
    out.label = "out"
    out.backward()
    zh = viz.draw(out, lang="zh", check=True).source
    assert ">常数<" in zh and ">解析<" in zh and ">对比数值<" in zh
    cut = viz.draw(out, lang="zh", max_nodes=2).source
    assert "… 另有" in cut and "more node" not in cut
    for word in ("constant", "analytic", "vs numeric", "data", "grad"):
        assert f">{word}<" not in zh, word


def test_a_folded_picture_in_chinese() -> None:
    from autograd_lite.scalar_nn import MLP

    out = MLP(2, [2, 1], seed=0)([Value(1.0, "a"), Value(-1.0, "b")])
    loss = out[0] if isinstance(out, list) else out
    loss.backward()
    zh = viz.draw(loss, fold="neuron", lang="zh").source
    assert "神经元" in zh and "输出：数据、梯度" in zh and "neuron ·" not in zh


def test_a_bad_lang_is_refused_with_the_functions_name() -> None:
    with pytest.raises(ValueError, match=r"^draw: lang must be one of 'en', 'zh'"):
        viz.draw(price(), lang="fr")
    with pytest.raises(ValueError, match=r"^render_steps: lang"):
        viz.render_steps(price(), "unused", lang="de")
    with pytest.raises(ValueError, match=r"^stepper: lang must be one of"):
        viz.stepper(price(), lang="ja")
    with pytest.raises(ValueError, match=r"^render_html: lang must be one of"):
        viz.render_html(price(), "unused.html", lang="ja")
    assert not Path("unused").exists() and not Path("unused.html").exists()


def test_step_captions_in_chinese() -> None:
    from autograd_lite.i18n import using
    from viz.steps import frames

    with using("zh"):
        fs = frames(price())
    assert fs[0].caption.startswith("第 0 步（共 4 步）：给输出设初始梯度\n")
    assert fs[2].caption.startswith("第 2 步（共 4 步）：all_price（+）的上游梯度为 1.1")
    assert all(not re.search(r"\bStep\b|upstream grad", f.caption) for f in fs)




@needs_png
def test_a_chinese_png_is_drawn_with_a_cjk_font(tmp_path: Path) -> None:
    from PIL import Image

    zh = viz.render(price(), tmp_path / "zh.png", lang="zh")
    en = viz.render(price(), tmp_path / "en.png", lang="en")
    with Image.open(zh) as a, Image.open(en) as b:
        assert a.format == "PNG" and a.size[0] > 800 and a.size != b.size
    # Graphviz found the font it was told: the SVG names it, and no glyph fell back to nothing
    svg = viz.render(price(), tmp_path / "zh.svg", lang="zh").read_text(encoding="utf-8")
    assert "梯度" in svg and "WenQuanYi Micro Hei" in svg


@needs_png
def test_chinese_step_frames(tmp_path: Path) -> None:
    out = viz.render_steps(price(), tmp_path, gif=False, lang="zh")
    assert len(out.frames) == 5 and all(p.stat().st_size > 5000 for p in out.frames)


def test_the_words_of_the_script_come_translated() -> None:
    from autograd_lite.i18n import using
    from viz.page_script import SCRIPT, words

    with using("zh"):
        w = words()
    assert w["step"] == tr("Step {k} of {n}", "zh") == "第 {k} 步（共 {n} 步）"
    assert w["play"] == "▶ 播放" and w["right"] == "✓ 正确"
    # the script writes no English word of its own: only what data.words says
    for english in ("Play", "Pause", "right", "not yet", "empty", "Step ", " of "):
        assert f'"{english}' not in SCRIPT and f'{english}"' not in SCRIPT, english


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(program=programs().filter(tame), cut=st.sampled_from([None, 3]))
def test_a_random_program_says_the_same_numbers_in_both_languages(program: Any, cut: Any) -> None:
    _, root = build(*program)
    root.backward()
    en = viz.draw(root, lang="en", max_nodes=cut).source
    zh = viz.draw(root, lang="zh", max_nodes=cut).source
    assert zh == viz.draw(root, lang="zh", max_nodes=cut).source  # deterministic
    assert not HAN.search(en)
    # the same picture: the same boxes and edges, the same numbers in the same order; only words differ
    assert NUMBER.findall(en) == NUMBER.findall(zh)
    def edges(src: str) -> list:
        return [line for line in src.splitlines() if "->" in line]

    assert edges(en) == edges(zh)


def test_tikz_stays_english_for_pdflatex_unless_asked(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    english = viz.render(price(), tmp_path / "en.tikz").read_text(encoding="utf-8")
    monkeypatch.setenv("AUTOGRAD_LITE_LANG", "zh")
    assert viz.render(price(), tmp_path / "env.tikz").read_text(encoding="utf-8") == english
    with pytest.raises(ValueError, match=r"^tikz: a TikZ picture is English .* got lang='zh'"):
        viz.render(price(), tmp_path / "zh.tikz", lang="zh")
    assert not (tmp_path / "zh.tikz").exists()
