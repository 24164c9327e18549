"""docs/zh/: the Chinese picture and pages are what tools/make_zh_docs.py makes from the code now.

The DOT text is compared byte for byte; the pages by their data (steps, words, answers, the
changing cells) and their text outside the picture, since SVG bytes depend on Graphviz's version.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path
from typing import Any, Dict

import pytest

import viz

ROOT = Path(__file__).resolve().parent.parent
ZH = ROOT / "docs" / "zh"


def make() -> Any:
    spec = importlib.util.spec_from_file_location("make_zh_docs", ROOT / "tools" / "make_zh_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def data_of(page: str) -> Dict[str, Any]:
    found = re.search(r'<script type="application/json" id="autograd-lite-data">(.*?)</script>', page, re.S)
    assert found is not None
    data: Dict[str, Any] = json.loads(found.group(1))
    data.pop("width")  # the picture's width: Graphviz's, not ours
    return data


def outside_the_picture(page: str) -> str:
    return re.sub(r'<div class="frame"[^>]*>.*?</div>', "", page, flags=re.S)


def test_the_chinese_dot_is_what_the_code_draws(tmp_path: Path) -> None:
    price = make().apple_orange()
    price.backward()
    fresh = viz.render(price, tmp_path / "a.dot", lang="zh").read_text(encoding="utf-8")
    assert (ZH / "apple_orange.dot").read_text(encoding="utf-8") == fresh
    assert "梯度" in fresh and "← 2.2" in fresh


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
@pytest.mark.parametrize("name, quiz", [("apple_orange.html", False), ("apple_orange_quiz.html", True)])
def test_the_chinese_pages_are_what_the_code_makes(tmp_path: Path, name: str, quiz: bool) -> None:
    fresh = viz.render_html(make().apple_orange(), tmp_path / name, quiz=quiz, lang="zh",
                            layout="dot").read_text(encoding="utf-8")
    shipped = (ZH / name).read_text(encoding="utf-8")
    assert data_of(shipped) == data_of(fresh)
    assert outside_the_picture(shipped) == outside_the_picture(fresh)
    assert '<html lang="zh-CN">' in shipped and data_of(shipped)["words"]["play"] == "▶ 播放"


def test_the_chinese_doc_links_its_picture_and_pages() -> None:
    text = (ZH / "apple_orange.md").read_text(encoding="utf-8")
    for target in ("apple_orange.png", "apple_orange.html", "apple_orange_quiz.html"):
        assert f"({target})" in text and (ZH / target).is_file(), target
