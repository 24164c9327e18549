"""The apples-and-oranges example in Chinese for docs/zh/: its picture and its step-through page.

Run: ``.venv/bin/python tools/make_zh_docs.py`` (needs Graphviz ``dot`` and a CJK font:
``bash tools/install_graphviz.sh``, ``bash tools/install_cjk_font.sh``). Writes

* ``docs/zh/apple_orange.png`` and its DOT source ``apple_orange.dot`` (``viz.render(lang="zh")``);
* ``docs/zh/apple_orange.html``, the step-through page (``viz.render_html(lang="zh")``), and
  ``docs/zh/apple_orange_quiz.html``, its quiz.

The DOT text is deterministic; ``tests/test_zh_docs.py`` rebuilds it and the pages' data and
compares them with what is committed (PNG and SVG bytes depend on the Graphviz version).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict

ROOT = Path(__file__).resolve().parent.parent
ZH = ROOT / "docs" / "zh"
if str(ROOT) not in sys.path:  # run as a script from anywhere: this checkout's package and viz
    sys.path.insert(0, str(ROOT))

import viz  # noqa: E402
from autograd_lite import Value  # noqa: E402


def apple_orange() -> Value:
    """The shopping graph of the book's chapter 5 (2 apples at 100, 3 oranges at 150, tax 1.1)."""
    v: Dict[str, Value] = {k: Value(x, k) for k, x in
                           [("apple", 100.0), ("apple_num", 2.0), ("orange", 150.0), ("orange_num", 3.0),
                            ("tax", 1.1)]}
    apple_price = v["apple"] * v["apple_num"]
    apple_price.label = "apple_price"
    orange_price = v["orange"] * v["orange_num"]
    orange_price.label = "orange_price"
    all_price = apple_price + orange_price
    all_price.label = "all_price"
    price = all_price * v["tax"]
    price.label = "price"
    return price


def main() -> int:
    price = apple_orange()
    viz.render_html(price, ZH / "apple_orange.html", lang="zh", layout="dot")
    viz.render_html(price, ZH / "apple_orange_quiz.html", quiz=True, lang="zh", layout="dot")
    price.backward()
    for suffix in (".dot", ".png"):
        print(viz.render(price, ZH / f"apple_orange{suffix}", lang="zh"))
    print(ZH / "apple_orange.html")
    print(ZH / "apple_orange_quiz.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
