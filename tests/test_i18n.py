"""中文: lang="zh" (and the environment) gives Chinese words in explain, chain, the traces and the
command line, in the Chinese edition's terms; every English template has its Chinese."""

from __future__ import annotations

import gettext
import importlib.util
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, List

import pytest
from graphs import apple_orange
from test_trace import survey

from autograd_lite import Value, explain, forward
from autograd_lite.i18n import DOMAIN, LOCALE_DIR, language, pad, tr, tr_n, using, width

ROOT = Path(__file__).resolve().parent.parent


def _tools_i18n() -> Any:
    pytest.importorskip("babel", reason="Babel extracts the templates (pip install Babel: the test extra)")
    spec = importlib.util.spec_from_file_location("tools_i18n", ROOT / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


# ----------------------------------------------------------------------------- the catalog
def test_every_english_template_has_its_chinese_and_the_mo_is_current() -> None:
    assert _tools_i18n().problems() == []


def test_the_catalog_check_fails_on_a_template_without_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    tools = _tools_i18n()
    real = tools.templates

    def more() -> Any:
        catalog = real()
        catalog.add("a new sentence nobody translated", None, [("autograd_lite/x.py", 1)])
        return catalog

    monkeypatch.setattr(tools, "templates", more)
    assert tools.problems() == ["no Chinese for 'a new sentence nobody translated' (autograd_lite/x.py:1)"]


def test_the_shipped_mo_is_what_gettext_reads() -> None:
    catalog = gettext.translation(DOMAIN, str(LOCALE_DIR), languages=["zh"])
    assert catalog.gettext("local derivative") == "局部导数"
    assert catalog.ngettext("{n} more path", "{n} more paths", 5) == "另有 {n} 条路径"


# ----------------------------------------------------------------------------- choosing the language
def test_the_language_comes_from_the_call_the_block_or_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AUTOGRAD_LITE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert language() == "en"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert language() == "zh" and tr("final grads: {grads}") == "最终梯度：{grads}"
    monkeypatch.setenv("LC_ALL", "C")  # LC_ALL comes before LANG, as in gettext
    assert language() == "en"
    monkeypatch.setenv("AUTOGRAD_LITE_LANG", "zh")  # the library's own, first
    assert language() == "zh" and language("en") == "en" and language("zh-TW") == "zh"
    with using("en"):
        assert language() == "en" and tr("step") == "step"
    assert language() == "zh"
    with pytest.raises(ValueError, match="lang must be one of 'en', 'zh'.*got 'fr'"):
        language("fr")
    with pytest.raises(ValueError, match="explain table: lang"):
        explain(Value(1.0, "x") * 2).table(lang="klingon")


def test_a_block_is_this_threads_only() -> None:
    seen: List[str] = []
    with using("zh"):
        worker = threading.Thread(target=lambda: seen.append(tr("step")))
        worker.start()
        worker.join()
        assert tr("step") == "步骤"
    assert seen == ["step"]


def test_columns_count_a_chinese_character_as_two() -> None:
    assert width("梯度") == 4 and width("v̄₁") == 2
    assert pad("梯度", 6) == "梯度  " and pad("ab", 4, True) == "  ab"


# ----------------------------------------------------------------------------- the words
def test_explain_table_in_chinese_lines_up() -> None:
    g = apple_orange()
    ex = explain(g["price"])
    text = ex.table(lang="zh")
    lines = text.splitlines()
    assert lines[0] == "从 price = 715 开始反向传播，初始梯度 dprice/dprice = 1"
    assert "局部导数" in lines[1] and "上游梯度" in lines[1]
    assert lines[-1] == "最终梯度：apple = 2.2, apple_num = 110, orange = 3.3, orange_num = 165, tax = 650"
    header, rule, *rows = lines[3:-2]
    assert header.split() == ["步骤", "节点", "上游梯度", "父节点", "局部导数", "传递值", "=",
                              "上游梯度", "×", "局部导数", "父节点梯度", "之前", "→", "之后"]
    starts = [width(header[:header.index(w)]) for w in ("父节点", "局部导数")]

    def column(row: str, col: int) -> str:  # the text from display column col on
        used = 0
        for i, ch in enumerate(row):
            if used == col:
                return row[i:]
            used += width(ch)
        return ""

    for row in rows:  # every parent and formula starts in the column of its heading
        assert column(row, starts[0]).split()[0] in g and column(row, starts[0] - 1).startswith(" "), row
        assert column(row, starts[1]).startswith("∂("), row
    assert str(ex) == ex.table(lang="en") and ex.table() .startswith("Backward pass from price")
    with using("zh"):
        assert str(ex) == text  # str() speaks the current language


def test_chain_and_traces_in_chinese() -> None:
    a = Value(3.0, "a")
    c = a * a + a
    c.label = "c"
    rule = explain(c).chain(a, max_paths=1, lang="zh")
    assert str(rule) == ("dc/da = ∂c/∂t1 · ∂t1/∂a（第 1 次使用） + … (另有 2 条路径) "
                         "= 1 · a + … (另有 2 条路径) = 1 · 3 + … (另有 2 条路径) = 7")
    assert "从 c 到 a 共 3 条路径；反向传播给出 7" in rule._repr_html_()
    assert "\\text{另有 2 条路径}" in rule.latex()
    assert str(explain(c).chain(a, max_paths=1)).count("(1 more path") == 0  # 2 more paths, plural
    assert "(2 more paths)" in str(explain(c).chain(a, max_paths=1))
    t = explain(survey(Value(2.0, "x1"), Value(5.0, "x2"))).trace(decimals=3, lang="zh")
    assert str(t).splitlines()[0] == "正向传播的原始值轨迹"
    assert t.summary == "一次反向传播就给出了整个梯度：dy/dx₁ = x̄₁ = 5.5, dy/dx₂ = x̄₂ = 1.716。"
    assert "反向传播的伴随值轨迹" in t.html() and "\\text{反向传播的伴随值轨迹}" in t.latex()
    f = forward.trace(survey, (2.0, 5.0), (1.0, 0.0), lang="zh")
    assert "正向传播的切向量轨迹 (ẋ₁ = 1, ẋ₂ = 0)" in str(f)
    assert "整个梯度需要 2 次传播，每个输入一次" in f.summary
    assert explain(a * a).trace(lang="zh").lines("adjoint")[1] == "v̄₀ = v̄₁·∂v₁/∂v₀（第 1 次使用） = v̄₁·v₀ = 3"
    with pytest.raises(ValueError, match="forward.trace: lang"):
        forward.trace(survey, (2.0, 5.0), (1.0, 0.0), lang="de")


def test_the_notebook_table_in_chinese() -> None:
    x = Value(2.0, "x")
    ex = explain(x * x)
    with using("zh"):
        page = ex._repr_html_()
    assert "开始反向传播" in page and "<th" in page and ">局部导数</th>" in page and "最终梯度：x = 4" in page


# ----------------------------------------------------------------------------- the command line
def cli(*args: str, **env: str) -> "subprocess.CompletedProcess[str]":
    environ = {k: v for k, v in os.environ.items()
               if k not in ("AUTOGRAD_LITE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    environ.update(env)
    return subprocess.run([sys.executable, "-m", "autograd_lite", *args], capture_output=True, text=True,
                          cwd=ROOT, env=environ, timeout=120)


def test_the_command_line_speaks_chinese_by_flag_or_environment() -> None:
    by_flag = cli("--lang", "zh", "explain", "(x + y)**2", "x=1", "y=2")
    by_env = cli("explain", "(x + y)**2", "x=1", "y=2", LANG="zh_CN.UTF-8")
    assert by_flag.returncode == 0 and by_flag.stdout == by_env.stdout
    assert by_flag.stdout.splitlines()[-1] == "最终梯度：x = 6, y = 6"
    english = cli("explain", "(x + y)**2", "x=1", "y=2", LANG="zh_CN.UTF-8", AUTOGRAD_LITE_LANG="en")
    assert english.stdout.splitlines()[-1] == "final grads: x = 6, y = 6"
    helped = cli("--lang=zh", "draw", "--help")
    assert helped.stdout.startswith("用法：autograd-lite draw") and "位置参数" in helped.stdout
    assert "显示此帮助信息并退出" in helped.stdout and "只画正向传播的计算图" in helped.stdout
    refused = cli("--lang", "zh", "draw", "log(x)", "x=-1")
    assert refused.returncode == 2 and refused.stderr.startswith("autograd-lite draw: 数学错误：log")
    unused = cli("--lang", "zh", "explain", "x*2", "x=1", "y=3")
    assert "警告：'x*2' 中没有用到 y=3" in unused.stderr
    demos = cli("--lang", "zh", "demo")
    assert demos.stdout.startswith("演示：apple-orange")
    bad = cli("--lang", "fr", "demo")
    assert bad.returncode == 2 and "invalid choice: 'fr'" in bad.stderr


def test_every_cli_template_is_said_in_chinese() -> None:
    # the help of every command, in Chinese, has no English sentence of ours left in it
    for command in ("draw", "explain", "demo", "repl"):
        text = "\n".join(line for line in cli("--lang", "zh", command, "--help").stdout.splitlines()
                         if "autograd-lite " not in line and ">>>" not in line)  # examples are commands
        english = [w for w in re.findall(r"[A-Za-z]{4,}(?: [a-z]{3,}){2,}", text)]
        assert english == [], (command, english)


def test_tr_n_counts() -> None:
    assert tr_n("{n} more path", "{n} more paths", 1, "en") == "{n} more path"
    assert tr_n("{n} more path", "{n} more paths", 2, "en") == "{n} more paths"
    assert tr_n("{n} more path", "{n} more paths", 1, "zh") == "另有 {n} 条路径"
