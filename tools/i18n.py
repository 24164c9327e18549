"""The Chinese catalog: extract the English templates with Babel, update the .po, compile the .mo.

    python tools/i18n.py            # extract, merge into autograd_lite/locale/zh/.../autograd_lite.po,
                                    # compile autograd_lite.mo beside it (commit both)
    python tools/i18n.py --check    # exit 1 if a template has no Chinese or the .mo is stale

Templates are the first arguments of ``tr("...")``, ``tr_mark("...")`` and ``tr_n("...", "...", n)``
in ``autograd_lite/`` and ``viz/`` (see :mod:`autograd_lite.i18n`). Babel is a maintainer's tool
(the ``test`` extra); at run time the standard library's gettext reads the compiled .mo.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import List, Tuple

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "autograd_lite" / "locale" / "zh" / "LC_MESSAGES" / "autograd_lite.po"
MO = PO.with_suffix(".mo")
SOURCES = ("autograd_lite", "viz")
KEYWORDS = {"tr": None, "tr_mark": None, "tr_n": (1, 2)}


def templates() -> "object":
    """A Babel catalog of every template in the sources (with where each is used)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(project="autograd_lite", domain="autograd_lite")
    for source in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
                str(ROOT / source), method_map=[("**.py", "python")], keywords=KEYWORDS):
            catalog.add(message, None, [(f"{source}/{filename}", lineno)], auto_comments=comments,
                        context=context)
    return catalog


def read_catalog() -> "object":
    from babel.messages.pofile import read_po

    with PO.open("rb") as f:
        return read_po(f, locale="zh", domain="autograd_lite")


def compiled(catalog: "object") -> bytes:
    from babel.messages.mofile import write_mo

    out = io.BytesIO()
    write_mo(out, catalog)  # type: ignore[arg-type]
    return out.getvalue()


def problems() -> List[str]:
    """Templates without Chinese (or fuzzy), Chinese for templates no longer used, a stale .mo."""
    zh = read_catalog()
    out: List[str] = []
    for message in templates():  # type: ignore[attr-defined]
        if not message.id:
            continue
        have = zh.get(message.id)  # type: ignore[attr-defined]
        strings: Tuple[str, ...] = ()
        if have is not None:
            strings = have.string if isinstance(have.string, tuple) else (have.string,)
        if have is None or not all(strings) or have.fuzzy:
            where = ", ".join(f"{f}:{n}" for f, n in message.locations)
            out.append(f"no Chinese for {message.id!r} ({where})")
    used = {m.id for m in templates() if m.id}  # type: ignore[attr-defined]
    out += [f"Chinese for a template no longer used: {m.id!r}" for m in zh if m.id and m.id not in used]  # type: ignore[attr-defined]
    if not MO.is_file() or MO.read_bytes() != compiled(zh):
        out.append(f"{MO.relative_to(ROOT)} is stale: run python tools/i18n.py")
    return out


def update() -> None:
    from babel.messages.pofile import write_po

    zh = read_catalog()
    zh.update(templates(), no_fuzzy_matching=True)  # type: ignore[attr-defined]
    with PO.open("wb") as f:
        write_po(f, zh, width=100, no_location=True, include_previous=False)
    MO.write_bytes(compiled(read_catalog()))


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 on a problem")
    args = parser.parse_args(argv)
    if not args.check:
        update()
    found = problems()
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
