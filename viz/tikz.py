"""Pictures for slides: any picture as TikZ/PGF, drawn where Graphviz laid it out.

``viz.render(root, "g.tex")`` writes a LaTeX document that ``pdflatex`` (or ``lualatex``) compiles
on a standard install (TikZ and geometry only); ``"g.tikz"`` writes the ``tikzpicture`` alone, to
``\\input`` into slides (it needs ``\\usepackage{tikz}``).  Any ``graphviz.Digraph`` of viz works:
``draw``'s pictures, a frame of ``steps``, ``compare_orders(...).draw()``.

How: Graphviz lays the picture out and ``dot -Tjson`` lists every drawing operation it would
paint (xdot): the boxes (filled and outlined Bézier paths and polygons), the op circles, every
edge's spline and arrowhead, and each piece of text with its place, size, weight and colour.
Each operation becomes one TikZ command, in big points (Graphviz's unit), so the slide keeps the
picture's colours, data, grads and edge words where Graphviz put them; the text is set in
LaTeX's sans-serif at Graphviz's sizes (its widths differ from Helvetica's by a few per cent).

Why not dot2tex: it reads the DOT source and redraws the nodes from their labels, but every box
here is an HTML-like label (a table of name, data and grad; each edge's fraction ∂t/∂x); dot2tex
2.12 cannot parse those (a ``TypeError`` in its ``parse_html``), and earlier versions print
them as raw markup.  The layout's own drawing operations carry everything the picture shows.

>>> from autograd_lite import Value
>>> a = Value(2.0, "a")
>>> b = a * a
>>> b.backward()
>>> lines = tikz(b).splitlines()
>>> print(lines[0])
\\begin{tikzpicture}[x=1bp, y=1bp]
>>> print(next(line for line in lines if "leftarrow" in line).rsplit(") ", 1)[1])  # a grad sent back
{$\\leftarrow$ 2};
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import graphviz

__all__ = ["tikz", "tikz_document", "write_tikz", "TIKZ_SUFFIXES"]

TIKZ_SUFFIXES = (".tex", ".tikz")

# Text: LaTeX's specials, and the characters the pictures use, as commands every LaTeX knows
# (default OT1 fonts: < > | " are not in the text font either).
_TEXT = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "$": r"\$", "#": r"\#",
         "%": r"\%", "&": r"\&", "^": r"\^{}", "~": r"\~{}", "<": r"$<$", ">": r"$>$", "|": r"$|$",
         '"': "''", "·": r"$\cdot$", "∂": r"$\partial$", "×": r"$\times$", "…": r"\ldots{}",
         "←": r"$\leftarrow$", "→": r"$\rightarrow$", "↔": r"$\leftrightarrow$", "≤": r"$\leq$",
         "≥": r"$\geq$", "≠": r"$\neq$", "‖": r"$\|$", "−": r"$-$", "—": "---", "–": "--",
         "Σ": r"$\Sigma$", "π": r"$\pi$", "µ": r"$\mu$", "μ": r"$\mu$", "ε": r"$\varepsilon$",
         "÷": r"$\div$", "±": r"$\pm$", "✓": r"$\surd$", "✗": r"$\times$", "▶": r"$\triangleright$",
         "◀": r"$\triangleleft$", "√": r"$\surd$", "∑": r"$\Sigma$", "ᵀ": r"$^{\mathsf{T}}$",
         "\u0304": r"\={}", "\u0307": r"\.{}", " ": " "}
_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₋₊", "0123456789-+"))


def _text(s: str) -> str:
    """A piece of the picture's text as LaTeX text: every character shown, none read as a command.
    A character no standard LaTeX font has is written as its code point, ``[U+4E2D]``."""
    out: List[str] = []
    for ch in s:
        if ch in _TEXT:
            out.append(_TEXT[ch])
        elif ch in _SUPER:
            out.append(f"\\textsuperscript{{{_TEXT.get(_SUPER[ch], _SUPER[ch])}}}")
        elif ch in _SUB:
            out.append(f"$_{{{_SUB[ch]}}}$")
        elif ch.isascii():
            out.append(ch)
        else:
            out.append(f"[U+{ord(ch):04X}]")
    return "".join(out)


def _color(spec: str) -> Tuple[Optional[str], float]:
    """``#rrggbb[aa]`` -> (xcolor's ``{rgb,255:...}``, opacity); (None, 0) if invisible.  Graphviz's
    drawing operations write every colour so (a name in the DOT becomes its hex)."""
    spec = spec.strip().lower()
    if spec in ("none", "transparent", "invis"):
        return None, 0.0
    if spec.startswith("#") and len(spec) in (7, 9):
        r, g, b = (int(spec[i:i + 2], 16) for i in (1, 3, 5))
        alpha = int(spec[7:9], 16) / 255 if len(spec) == 9 else 1.0
    else:
        raise ValueError(f"tikz: the colour {spec!r} of the layout is not #rrggbb or #rrggbbaa")
    if alpha == 0.0:
        return None, 0.0
    return f"{{rgb,255:red,{r};green,{g};blue,{b}}}", alpha


def _pt(p: Iterable[float]) -> str:
    x, y = p
    return f"({_n(x)},{_n(y)})"


def _n(x: float) -> str:
    return f"{round(float(x), 2):g}"


class _Painter:
    """xdot's drawing state (pen, fill, font, style) and its operations as TikZ commands."""

    def __init__(self, filled_spline: str = "b") -> None:
        self.lines: List[str] = []
        self.filled_spline = filled_spline

    def paint(self, ops: List[Dict[str, Any]]) -> None:
        pen, fill, width, dash, size, face, flags = "#000000", "#000000", 1.0, "", 14.0, "", 0
        invisible = False
        for op in ops:
            kind = op["op"]
            if kind == "c":
                pen = op["color"]
            elif kind == "C":
                fill = op["color"]
            elif kind == "S":
                style = op["style"]
                m = re.fullmatch(r"setlinewidth\(([0-9.]+)\)", style)
                if m:
                    width = float(m.group(1))
                elif style in ("dashed", "dotted", "solid"):
                    dash = {"dashed": "dash pattern=on 4bp off 2bp", "dotted": "dotted", "solid": ""}[style]
                elif style == "bold":
                    width = 2.0
                elif style == "invis":
                    invisible = True
            elif kind == "F":
                size, face = float(op["size"]), op["face"]
            elif kind == "t":
                flags = int(op["fontchar"])
            elif invisible:
                continue
            elif kind in ("P", "p", "L"):
                self._path(kind, op["points"], pen, fill, width, dash)
            elif kind in ("B", "b"):
                self._path("b" if kind == self.filled_spline else "B", op["points"], pen, fill, width, dash)
            elif kind in ("E", "e"):
                x, y, w, h = op["rect"]
                ellipse = f"{_pt((x, y))} ellipse ({_n(w)} and {_n(h)})"
                self._shape(kind == "E", ellipse, pen, fill, width, dash)
            elif kind == "T":
                self._label(op, pen, size, face, flags)
            # "I" (images) and gradients are not used by viz's pictures

    def _path(self, kind: str, points: List[List[float]], pen: str, fill: str, width: float,
              dash: str) -> None:
        if kind in ("B", "b"):
            parts = [_pt(points[0])]
            for k in range(1, len(points) - 2, 3):
                parts.append(f".. controls {_pt(points[k])} and {_pt(points[k + 1])} .. {_pt(points[k + 2])}")
            path = " ".join(parts)
        else:
            path = " -- ".join(_pt(p) for p in points)
        closed = kind in ("P", "p", "b")  # L is a polyline and B an open spline (xdot's letters)
        self._shape(kind in ("P", "b"), path + (" -- cycle" if closed else ""), pen, fill, width, dash)

    def _shape(self, filled: bool, path: str, pen: str, fill: str, width: float, dash: str) -> None:
        opts: List[str] = []
        draw_color, draw_alpha = _color(pen)
        if filled:
            fill_color, fill_alpha = _color(fill)
            if fill_color is not None:
                opts.append(f"fill={fill_color}")
                if fill_alpha < 1.0:
                    opts.append(f"fill opacity={_n(fill_alpha)}")
        if draw_color is not None:
            opts += [f"draw={draw_color}", f"line width={_n(width)}bp"]
            if draw_alpha < 1.0:
                opts.append(f"draw opacity={_n(draw_alpha)}")
            if dash:
                opts.append(dash)
        if not any(o.startswith(("fill=", "draw=")) for o in opts):
            return  # nothing visible
        self.lines.append(f"\\path[{', '.join(opts)}] {path};")

    def _label(self, op: Dict[str, Any], pen: str, size: float, face: str, flags: int) -> None:
        color, alpha = _color(pen)
        if color is None or not op["text"].strip():
            return
        anchor = {"l": "base west", "c": "base", "r": "base east"}[op.get("align", "c")]
        family = r"\ttfamily" if re.search(r"mono|courier", face, re.I) else (
            r"\rmfamily" if re.search(r"times|serif", face, re.I) and not re.search("sans", face, re.I)
            else r"\sffamily")
        shape = (r"\bfseries" if flags & 1 else "") + (r"\itshape" if flags & 2 else "")
        font = rf"\fontsize{{{_n(size)}}}{{{_n(size * 1.2)}}}\selectfont{family}{shape}"
        opacity = f", text opacity={_n(alpha)}" if alpha < 1.0 else ""
        self.lines.append(f"\\node[anchor={anchor}, inner sep=0pt, text={color}{opacity}, font={font}] "
                          f"at {_pt(op['pt'])} {{{_text(op['text'])}}};")


_KEYS = ("_draw_", "_ldraw_", "_hdraw_", "_tdraw_", "_hldraw_", "_tldraw_")


def _layout(g: graphviz.Digraph, out: Optional[Path] = None) -> Dict[str, Any]:
    """Graphviz's layout with its drawing operations; without ``dot``, the DOT source is written
    beside ``out`` (as :func:`viz.render` does) and the error says how to install it."""
    try:
        data = g.pipe(format="json")
    except graphviz.ExecutableNotFound:
        from .draw import INSTALL_HINT, GraphvizNotFoundError

        dot_path = (out or Path("graph.tikz")).with_suffix(".dot")
        dot_path.write_text(g.source, encoding="utf-8")
        raise GraphvizNotFoundError(f"tikz: the Graphviz 'dot' program lays the picture out and was not "
                                    f"found on PATH; the DOT source is in {dot_path}.\n{INSTALL_HINT}",
                                    dot_path) from None
    return json.loads(data)  # type: ignore[no-any-return]


def _filled_spline(layout: Dict[str, Any]) -> str:
    """The letter of a filled spline in this layout: ``b`` in xdot's own text, but Graphviz's JSON
    output (2.43 and others) writes an edge's open spline as ``b`` and a filled one as ``B``; an
    edge's spline is never filled, so the edges tell which."""
    for edge in layout.get("edges", []):
        for op in edge.get("_draw_", []):
            if op["op"] in ("B", "b"):
                return "B" if op["op"] == "b" else "b"
    return "b"


def tikz(root: Any, *, _out: Optional[Path] = None, **draw_options: Any) -> str:
    """The picture of ``root``'s graph (or a ``graphviz.Digraph`` of viz) as a ``tikzpicture``:
    ``\\input`` it in a document or a beamer frame that loads ``tikz``. Keyword arguments go to
    :func:`viz.draw`."""
    layout = _layout(_digraph(root, draw_options), _out)
    painter = _Painter(_filled_spline(layout))
    painter.paint(layout.get("_draw_", []))  # the background
    objects = layout.get("objects", [])
    clusters = [o for o in objects if "nodes" in o or "edges" in o]
    nodes = [o for o in objects if o not in clusters]
    for item in [*clusters, *layout.get("edges", []), *nodes]:
        for key in _KEYS:
            painter.paint(item.get(key, []))
    body = "\n".join("  " + line for line in painter.lines)
    return f"\\begin{{tikzpicture}}[x=1bp, y=1bp]\n{body}\n\\end{{tikzpicture}}\n"


def tikz_document(root: Any, *, _out: Optional[Path] = None, **draw_options: Any) -> str:
    """A whole LaTeX document of one page the picture's size (``pdflatex`` compiles it)."""
    g = _digraph(root, draw_options)
    layout = _layout(g, _out)
    x0, y0, x1, y1 = _extent(layout)
    margin = 2.0
    width, height = x1 - x0 + 2 * margin + 1.0, y1 - y0 + 2 * margin + 1.0  # 1bp: rounding's slack
    picture = tikz(g, _out=_out)
    return ("% A picture of autograd_lite (viz.render): pdflatex or lualatex compiles it.\n"
            "\\documentclass{article}\n"
            f"\\usepackage[papersize={{{_n(width)}bp,{_n(height)}bp}},margin={_n(margin)}bp]{{geometry}}\n"
            "\\usepackage{tikz}\n"
            "\\pagestyle{empty}\n"
            "\\setlength{\\parindent}{0pt}\n"
            "\\setlength{\\topskip}{0pt}\n"
            "\\begin{document}\n"
            f"{picture}"
            "\\end{document}\n")


def _extent(layout: Dict[str, Any]) -> Tuple[float, float, float, float]:
    """The picture's box: the background Graphviz paints (the bounding box and its pad), else the
    bounding box."""
    points = [p for op in layout.get("_draw_", []) if op["op"] in ("P", "p") for p in op["points"]]
    if points:
        xs, ys = [float(p[0]) for p in points], [float(p[1]) for p in points]
        return min(xs), min(ys), max(xs), max(ys)
    x0, y0, x1, y1 = (float(v) for v in layout["bb"].split(","))
    return x0, y0, x1, y1


def _digraph(root: Any, draw_options: Dict[str, Any]) -> graphviz.Digraph:
    if isinstance(root, graphviz.Digraph):
        if draw_options:
            raise TypeError(f"tikz: options {sorted(draw_options)} are for drawing a graph, not for a "
                            "finished picture")
        return root
    from autograd_lite.i18n import language

    from .draw import draw

    # pdflatex has no Chinese (the text is written in ASCII): a TikZ picture is English whatever
    # the environment says, and refuses lang="zh" rather than write [U+68AF] for 梯
    lang = draw_options.pop("lang", None)
    if lang is not None and language(lang, "tikz") != "en":
        raise ValueError(f"tikz: a TikZ picture is English (its text is for pdflatex), got lang={lang!r}; "
                         "draw Chinese pictures as PNG, SVG or PDF (viz.render(root, 'g.png', lang='zh'))")
    return draw(root, lang="en", **draw_options)


def write_tikz(root: Any, out: Path, **draw_options: Any) -> Path:
    """``render``'s writer for ``.tex`` (a document) and ``.tikz`` (the picture alone)."""
    suffix = out.suffix.lower()
    if suffix not in TIKZ_SUFFIXES:
        raise ValueError(f"render: a TikZ picture is written to a .tex or .tikz path, got {str(out)!r}")
    write = tikz_document if suffix == ".tex" else tikz
    text = write(root, _out=out, **draw_options)
    out.write_text(text, encoding="utf-8")
    return out
