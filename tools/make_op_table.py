"""Write the op list of docs/api.md from the op table (``autograd_lite.words.markdown_table()``).

The list sits between two marker lines in docs/api.md; everything else in the file is left as it
is.  ``tests/test_docs.py`` fails when the doc and the table disagree.
Run: .venv/bin/python tools/make_op_table.py
"""

from __future__ import annotations

import sys
from pathlib import Path

API = Path(__file__).resolve().parent.parent / "docs" / "api.md"
BEGIN = "<!-- op table: written by tools/make_op_table.py from autograd_lite.ops; do not edit by hand -->"
END = "<!-- end of op table -->"


def with_table(text: str, table: str) -> str:
    """``text`` with the lines between the markers replaced by ``table``."""
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise ValueError(f"{API.name}: expected one {BEGIN!r} line, then one {END!r} line")
    head, rest = text.split(BEGIN + "\n", 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table}{END}{tail}"


def main() -> int:
    sys.path.insert(0, str(API.parent.parent))  # this checkout's autograd_lite, run from anywhere
    from autograd_lite.words import markdown_table

    text = API.read_text(encoding="utf-8")
    new = with_table(text, markdown_table())
    if new != text:
        API.write_text(new, encoding="utf-8")
        print(f"wrote the op table into {API}")
    else:
        print(f"{API} already holds the op table")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
