"""The documentation runs: every Python block of the README, the tutorial and the API reference.

Conventions (also in CONTRIBUTING.md):

* Blocks fenced as ```` ```python ```` run in order, one namespace per Markdown file, with the
  working directory set to a fresh temporary folder (files a block writes land there).
* A ``python`` block whose first line starts with ``>>> `` is a doctest: every shown output is
  asserted by :mod:`doctest` (``ELLIPSIS`` and ``NORMALIZE_WHITESPACE`` are off: outputs are exact).
* Any other ``python`` block is executed as a script; if the very next fenced block (only blank
  lines between them) is fenced as ```` ```text ````, it is that script's standard output and is
  compared exactly.  Put a line of prose between them to show a ``text`` block that is not output.
* Other blocks (``sh``, ``dot`` ...) are shown, not run.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import importlib.util
import io
import re
import runpy
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ["README.md", "docs/tutorial.md", "docs/api.md", "docs/zh/apple_orange.md"]

_FENCE = re.compile(r"^(`{3,})\s*([\w+-]*)[^\n]*$")


@dataclass
class Block:
    lang: str
    code: str
    line: int  # 1-based line of the first code line
    output: Optional[str] = None  # the ``text`` block that follows a script block


def parse_blocks(text: str) -> List[Block]:
    """The fenced code blocks of a Markdown text, with script outputs attached."""
    blocks: List[Block] = []
    lines = text.splitlines()
    i = 0
    last_close = -10  # line index where the previous block closed
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang = m.group(1), m.group(2).lower()
        start = i + 1
        j = start
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        if j == len(lines):
            raise ValueError(f"unclosed code block opened on line {i + 1}")
        code = "\n".join(lines[start:j]) + "\n"
        between = lines[last_close + 1:i] if last_close >= 0 else ["x"]
        follows_script = (
            blocks and blocks[-1].lang == "python" and not _is_doctest(blocks[-1].code)
            and blocks[-1].output is None and all(not s.strip() for s in between)
        )
        if lang == "text" and follows_script:
            blocks[-1].output = code
        else:
            blocks.append(Block(lang, code, start + 1))
        last_close = j
        i = j + 1
    return blocks


def _is_doctest(code: str) -> bool:
    return code.lstrip().startswith(">>> ")


def run_file(path: Path, relpath: str) -> int:
    """Run every Python block of one Markdown file; return how many ran."""
    namespace: Dict[str, object] = {"__name__": "__docs__"}
    parser = doctest.DocTestParser()
    ran = 0
    for block in parse_blocks(path.read_text(encoding="utf-8")):
        if block.lang != "python":
            continue
        where = f"{relpath}:{block.line}"
        if _is_doctest(block.code):
            test = parser.get_doctest(block.code, namespace, where, str(path), block.line - 1)
            test.globs = namespace  # get_doctest copies the globals; the file shares one namespace
            out = io.StringIO()
            runner = doctest.DocTestRunner(optionflags=doctest.REPORT_NDIFF)
            runner.run(test, out=out.write, clear_globs=False)
            if runner.failures:
                pytest.fail(f"doctest block at {where} failed:\n{out.getvalue()}", pytrace=False)
        else:
            captured = io.StringIO()
            try:
                with contextlib.redirect_stdout(captured):
                    exec(compile(block.code, where, "exec"), namespace)  # noqa: S102 - our own docs
            except Exception as exc:  # report which block broke, with the traceback chained
                raise AssertionError(f"code block at {where} raised {type(exc).__name__}: {exc}") from exc
            if block.output is not None and captured.getvalue() != block.output:
                pytest.fail(
                    f"output of the block at {where} differs from the text block after it:\n"
                    f"--- shown\n{block.output}--- actual\n{captured.getvalue()}",
                    pytrace=False,
                )
        ran += 1
    return ran


@pytest.mark.parametrize("relpath", DOCS)
def test_markdown_code_blocks_run_and_outputs_match(relpath: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    if not (ROOT / relpath).exists():
        pytest.fail(f"{relpath} is missing")
    if "viz.render" in (ROOT / relpath).read_text(encoding="utf-8") and shutil.which("dot") is None:
        pytest.skip(f"{relpath} renders pictures and the Graphviz 'dot' program is not installed")
    monkeypatch.chdir(tmp_path)
    assert run_file(ROOT / relpath, relpath) > 0, f"{relpath} has no Python block to run"


def test_runner_catches_a_wrong_shown_output(tmp_path: Path) -> None:
    # The runner itself must be able to fail: a wrong doctest output and a wrong text block.
    md = tmp_path / "bad.md"
    md.write_text("```python\n>>> 1 + 1\n3\n```\n", encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match="doctest block"):
        run_file(md, "bad.md")
    md.write_text("```python\nprint(2)\n```\n\n```text\n3\n```\n", encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match="differs"):
        run_file(md, "bad.md")
    md.write_text("```python\nprint(3)\n```\n\n```text\n3\n```\n", encoding="utf-8")
    assert run_file(md, "bad.md") == 1


def test_parse_blocks_conventions() -> None:
    text = (
        "```python\nprint(1)\n```\n\n```text\n1\n```\n"  # output of the script above
        "prose\n```python\n>>> 2\n2\n```\n```text\nnot attached to a doctest\n```\n"
        "```sh\nmake test\n```\n"
    )
    blocks = parse_blocks(text)
    assert [(b.lang, b.output) for b in blocks] == [
        ("python", "1\n"), ("python", None), ("text", None), ("sh", None)
    ]
    assert blocks[0].line == 2 and blocks[1].line == 10


# ------------------------------------------------------------------------------------ coverage
PUBLIC_MODULES = ["autograd_lite", "autograd_lite.nn", "autograd_lite.optim", "autograd_lite.functional",
                  "autograd_lite.datasets", "autograd_lite.explain", "viz", "autograd_lite.chain",
                  "autograd_lite.display"]


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_every_public_name_is_in_the_api_reference(module: str) -> None:
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    prose = "\n".join(line for line in api.splitlines() if not line.startswith("```"))
    code_spans = " ".join(re.findall(r"`([^`]+)`", prose))  # names in `...` of the prose
    names = importlib.import_module(module).__all__
    missing = [n for n in names if not re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", code_spans)]
    assert not missing, f"docs/api.md does not describe {module}: {missing}"


# ------------------------------------------------------------------------------------ pictures
IMAGES = ROOT / "docs" / "images"
_IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize("relpath", DOCS)
def test_every_picture_the_docs_show_exists_and_is_a_png(relpath: str) -> None:
    path = ROOT / relpath
    for link in _IMAGE_LINK.findall(path.read_text(encoding="utf-8")):
        image = (path.parent / link).resolve()
        assert image.is_file(), f"{relpath} shows {link}, which does not exist"
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{link} is not a PNG"
        assert image.with_suffix(".dot").is_file(), f"{link} has no DOT source beside it"


def test_readme_picture_is_reproducible_by_the_demo(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    # `make docs-images` runs the demo exactly as `make demo` does; the committed DOT source of
    # the README's picture must be byte-identical to what the demo draws now.
    from demos import apple_orange

    assert apple_orange.main(["-o", str(tmp_path / "apple_orange.dot")]) == 0
    capsys.readouterr()
    for name in ("apple_orange", "apple_orange_one_fruit"):
        assert (tmp_path / f"{name}.dot").read_bytes() == (IMAGES / f"{name}.dot").read_bytes(), (
            f"docs/images/{name}.dot is stale: run `make docs-images` and commit the pictures"
        )
    assert "docs/images/apple_orange.png" in (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^docs-images:.*\n\t.*tools/make_doc_images\.py", makefile, re.M)


def test_tutorial_pictures_are_reproducible() -> None:
    tool = runpy.run_path(str(ROOT / "tools" / "make_doc_images.py"))
    sources = tool["sources"]()
    assert sources, "tools/make_doc_images.py builds no picture"
    for name, source in sources.items():
        committed = (IMAGES / f"{name}.dot").read_text(encoding="utf-8")
        assert source == committed, f"docs/images/{name}.dot is stale: run `make docs-images`"


# ------------------------------------------------------------------------------------ links
LINKED_DOCS = [*DOCS, "CONTRIBUTING.md", "CHANGELOG.md"]
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _prose_lines(text: str) -> List[str]:
    """The lines of a Markdown text outside fenced code blocks."""
    out, fence = [], None
    for line in text.splitlines():
        m = _FENCE.match(line)
        if m and (fence is None or line.startswith(fence)):
            fence = m.group(1) if fence is None else None
            continue
        if fence is None:
            out.append(line)
    return out


def _anchors(path: Path) -> set:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    slugs = set()
    for line in _prose_lines(path.read_text(encoding="utf-8")):
        m = re.match(r"#{1,6}\s+(.*)", line)
        if m:
            slugs.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return slugs


def test_parse_anchor_rules() -> None:
    assert _prose_lines("a\n```python\n# not a heading\n```\nb") == ["a", "b"]


@pytest.mark.parametrize("relpath", LINKED_DOCS)
def test_every_link_between_the_docs_resolves(relpath: str) -> None:
    path = ROOT / relpath
    bad = []
    for line in _prose_lines(path.read_text(encoding="utf-8")):
        for target in _LINK.findall(line):
            if re.match(r"[a-z]+://", target):
                continue  # the web is not checked here
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path
            if not dest.exists():
                bad.append(f"{target}: {file_part} does not exist")
            elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
                bad.append(f"{target}: no heading with anchor #{anchor} in {dest.name}")
    assert not bad, f"{relpath} has broken links:\n" + "\n".join(bad)


# ------------------------------------------------------------------------------------ op table
def test_the_op_list_in_the_api_reference_is_the_op_table() -> None:
    """docs/api.md holds, between its markers, what ``words.markdown_table()`` writes from the table
    (computed in a fresh interpreter: the library's own rows, not the tests' stand-ins)."""
    import subprocess
    import sys

    spec = importlib.util.spec_from_file_location("make_op_table", ROOT / "tools" / "make_op_table.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    code = "from autograd_lite.words import markdown_table; print(markdown_table(), end='')"
    table = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                           check=True, encoding="utf-8").stdout
    assert table.count("\n") >= 18 and "| `exp` | `exp(a)` | `exp(a)` |" in table
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert tool.with_table(text, table) == text, (
        "docs/api.md's op list differs from the op table: run .venv/bin/python tools/make_op_table.py")
