"""The text of a picture: escaping, the palette, and the HTML-like labels of boxes and edges.

Every label is built from escaped text, so a name with quotes, ``<``, ``>``, ``{``, ``|``,
backslashes or newlines shows as text and cannot change the DOT source.  Numbers are
written with :data:`autograd_lite.explain.SHORT_DIGITS` significant digits (the same as
``explain`` tables): a picture is for reading, the exact floats stay on ``.data``/``.grad``.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from autograd_lite.format import atom, fmt
from autograd_lite.i18n import tr, tr_mark, tr_n
from autograd_lite.i18n import width as columns
from autograd_lite.ops import OPS
from autograd_lite.reading import SHORT_DIGITS, formula, op_row, preview, use_note, value_of

# One palette, chosen for slides: forward numbers dark, backward numbers red (as in the
# book's backward arrows), inputs blue, the output green, ops pale yellow.
FONT = "Helvetica,Arial,sans-serif"
INK = "#1F2933"
MUTED = "#6B7785"
BACK = "#C0392B"
OK_GREEN = "#1E8449"
FILL_LEAF = "#E3EEFA"
LINE_LEAF = "#4A7DB5"
FILL_CONST = "#F1F3F5"
LINE_CONST = "#98A2AD"
FILL_MID = "#FFFFFF"
LINE_MID = "#7A8794"
FILL_ROOT = "#E2F3E4"
LINE_ROOT = "#3C8D4F"
FILL_OP = "#FFF6D6"
LINE_OP = "#C9A227"
FILL_HOT = "#FFE08A"
LINE_HOT = "#D35400"
FILL_BAD = "#FADBD8"

OUTSIDE = tr_mark("from a pass outside this picture")  # a grad the root's own pass did not make
MAX_LABEL_CHARS = 48
INLINE_SUM = 32  # longer sums are written one term per line under the grad
MAX_TERMS = 8  # a grad summed from more uses lists the first few and says how many more
WRAP_CHARS = 16  # a Tensor op's words ("sends g copied to every element") wrap at this width
GRID_MAX = 12  # arrays up to this many elements (1-D or 2-D) are drawn as a little grid


class _Symbols(Mapping[str, str]):
    """How pictures write each op of the table (``row.shown``), read from the table when asked,
    so a row registered later is drawn with its symbol too."""

    def __getitem__(self, name: str) -> str:
        return OPS[name].shown

    def __iter__(self) -> Iterator[str]:
        return iter(list(OPS))

    def __len__(self) -> int:
        return len(OPS)


OP_SYMBOLS: Mapping[str, str] = _Symbols()


def esc(text: str) -> str:
    """Text -> safe content of a Graphviz HTML-like label (entities; newlines become <BR/>).

    Control characters are shown as ``\\xNN`` so nothing invisible reaches the DOT source.

    >>> esc('a<b> & "c" {d|e}\\\\')
    'a&lt;b&gt; &amp; &quot;c&quot; {d|e}\\\\'
    """
    return text.translate(_ESCAPES)


# One table for str.translate: HTML entities, newlines as <BR/>, and every invisible or
# unencodable character (controls, lone surrogates) shown as an escape code.
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
            ord("'"): "&#39;", ord("\n"): "<BR/>", ord("\t"): " "}
_ESCAPES.update({c: f"\\x{c:02x}" for c in [*range(32), *range(0x7F, 0xA0)] if c not in _ESCAPES})
_ESCAPES.update({c: f"\\u{c:04x}" for c in range(0xD800, 0xE000)})


def short(text: str) -> str:
    # A 10 kB label would make the picture useless; the full text stays on the node.
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


def font(text: str, color: str = INK, bold: bool = False, italic: bool = False, size: int = 0) -> str:
    """Already-escaped ``text`` in a colour (and style)."""
    if bold:
        text = f"<B>{text}</B>"
    if italic:
        text = f"<I>{text}</I>"
    size_attr = f' POINT-SIZE="{size}"' if size else ""
    return f'<FONT COLOR="{color}"{size_attr}>{text}</FONT>'


def num(x: Any) -> str:
    """A number or array as a picture writes it (``SHORT_DIGITS`` significant digits)."""
    return preview(x, digits=SHORT_DIGITS)


def op_text(op: str) -> str:
    """The op as its picture's circle writes it: the row's symbol; an op with a number as its
    ``op`` string says (``**2``); an op the table does not know by its name."""
    row = op_row(op)
    return op if row is None or row.param else row.shown


def is_tensor(node: Any) -> bool:
    return isinstance(getattr(node, "data", None), np.ndarray)


def _norm(x: np.ndarray) -> str:
    return f"‖·‖={fmt(float(np.linalg.norm(x)), SHORT_DIGITS)}"


def value_text(x: Any) -> str:
    """Text for a number or array: small arrays in full, larger ones by their norm."""
    return _norm(x) if isinstance(x, np.ndarray) and x.size > 3 else num(x)


def flow_text(x: Any) -> str:
    """What flowed along an edge: a number, a 1- or 2-element array, else the array's norm."""
    return _norm(x) if isinstance(x, np.ndarray) and x.size > 2 else num(x)


def _content(x: Any, color: str, bold: bool) -> str:
    """A value cell's content: a number, a small grid for a small array, else its norm."""
    if isinstance(x, np.ndarray) and x.ndim > 2 and all(s == 1 for s in x.shape[:-2]):
        x = x.reshape(x.shape[-2:])  # one image of one channel (1×1×3×3): its 3×3 grid
    if isinstance(x, np.ndarray) and x.ndim in (1, 2) and 0 < x.size <= GRID_MAX:
        rows = x.reshape(-1, 1) if x.ndim == 1 else x  # a vector as a column, like the math
        cell = '<TD ALIGN="RIGHT">{}</TD>'
        body = "".join("<TR>" + "".join(cell.format(font(esc(fmt(v, SHORT_DIGITS)), color, bold))
                                        for v in row.tolist()) + "</TR>" for row in rows)
        return (f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2" COLOR="{LINE_CONST}">'
                f"{body}</TABLE>")
    return font(esc(value_text(x)), color, bold)


@dataclass
class Frame:
    """What a step-by-step frame overrides in a picture (used by :func:`viz.render_steps`).

    ``grads``: text shown as a node's grad (``?`` when not computed yet); ``flows``: text on
    the edge ``(node, i)`` (``None`` hides it); ``hot``: nodes to highlight (their op and
    input edges too); ``widths``: minimum cell widths in points, so every frame has the
    same layout.
    """

    grads: Dict[Any, str] = field(default_factory=dict)
    flows: Dict[Tuple[Any, int], Optional[str]] = field(default_factory=dict)
    hot: Sequence[Any] = ()
    hot_inputs: bool = True  # also highlight the op and input edges of the hot nodes
    widths: Dict[Tuple[Any, ...], int] = field(default_factory=dict)
    caption: str = ""
    tooltips: bool = False  # hover texts (name and formula) instead of Graphviz ids, for the page
    marks: bool = False  # SVG ids on boxes, ops, edges and the changing cells, for the page's script
    pins: Optional[Any] = None  # a :class:`viz.pinned.Layout`: every position fixed (one layout)
    max_values: Optional[int] = None  # the page's own bound, checked by the page, instead of MAX_DRAWN


def _cell(text: str, key: Tuple[Any, ...], frame: Optional[Frame], align: str = "RIGHT",
          mark: str = "") -> str:
    width = frame.widths.get(key) if frame is not None else None
    w = f' WIDTH="{width}"' if width else ""
    # an ID reaches the SVG (as id="a_<ID>") only with an HREF; the page's script drops the link
    m = f' ID="{mark}" HREF="#"' if mark and frame is not None and frame.marks else ""
    return f'<TD ALIGN="{align}"{w}{m}>{text}</TD>'


def grad_sum(g: Any, parts: List[Tuple[Any, bool]]) -> Tuple[str, List[str]]:
    """A grad as the sum of what flowed in: ``("2.2 = 1.1 + 1.1", [])`` when short,
    else ``("5.14", ["= -0.73", "+ 0.37", ...])``; an array's terms by :func:`flow_text`.

    ``parts``: ``(contribution, drawn)`` in the order the engine added them; uses whose edge
    is not in the picture (a cut graph) are added up into one term that says so, so the
    sum shown always adds up.  The sum is only claimed when the grad is exactly the sum
    the engine made.  Otherwise the grad holds more than the edges drawn send, and the terms
    are labelled as what those edges send: a leaf may have accumulated over several backward
    calls, or a pass may have started outside the picture (a sub-graph of a larger root, a
    gradient graph that a larger one contains); the picture cannot tell which, so it says
    only what it shows.
    """
    shown = num(g) if not isinstance(g, np.ndarray) else ""
    if not parts:  # the root (its seed) or a value nothing drawn reaches
        return shown, []
    total: Any = 0.0
    for p, _ in parts:
        total = total + p
    exact = _same(total, g)
    if exact and len(parts) < 2 and all(drawn for _, drawn in parts):
        return shown, []  # one drawn edge sent it all: the edge says so
    term = flow_text if isinstance(g, np.ndarray) else num
    terms = [term(p) for p, drawn in parts if drawn]
    hidden = [p for p, drawn in parts if not drawn]
    if hidden:
        h: Any = 0.0
        for p in hidden:
            h = h + p
        terms.append(tr_n("{sum} (from {n} use not drawn)", "{sum} (from {n} uses not drawn)",
                          len(hidden)).format(sum=term(h), n=len(hidden)))
    more = len(terms) - (MAX_TERMS - 1) if len(terms) > MAX_TERMS else 0
    if more:
        terms = terms[: MAX_TERMS - 1] + [tr("… {n} more terms").format(n=more)]
    inline = " + ".join(terms)
    share = tr("edges drawn send")
    text = f"{shown} = {inline}" if exact else tr("{shown} ({share}: {inline})").format(
        shown=shown, share=share, inline=inline)
    if shown and columns(text) <= INLINE_SUM:  # columns, not characters: a Chinese one takes two
        return text, []
    lines = [("= " if exact else tr("{share}: ").format(share=share)) + terms[0]]
    lines += [f"− {t[1:]}" if t.startswith("-") else f"+ {t}" for t in terms[1:]]
    return shown, lines


def adds_up(g: Any, parts: List[Tuple[Any, bool]]) -> bool:
    """True when ``g`` is exactly the sum of ``parts`` (what its uses sent, drawn or not)."""
    total: Any = 0.0
    for p, _ in parts:
        total = total + p
    return _same(total, g)


def _same(total: Any, g: Any) -> bool:
    """The grad is exactly the sum shown (nan where the sum is nan counts as the same)."""
    if isinstance(g, np.ndarray) or isinstance(total, np.ndarray):
        a, b = np.asarray(total), np.asarray(g)
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    return bool(total == g or (math.isnan(total) and math.isnan(g)))


def value_label(n: Any, name: str, *, is_root: bool, is_hot: bool, show_grad: bool,
                backward_ran: bool, parts: List[Tuple[Any, bool]], record: Any,
                frame: Optional[Frame], note: str = "", mark: str = "") -> str:
    """The box of one value: its name, data and grad (with the sum of its uses); ``mark``: the
    grad cell's id on a page (``g<mark>``)."""
    is_leaf = n.is_leaf
    is_const = is_leaf and not getattr(n, "label", "") and not getattr(n, "requires_grad", False)
    fill, line = box_colors(n, is_root, is_hot)
    if record is not None and not record.ok:
        fill, line = FILL_BAD, BACK
    if getattr(n, "label", ""):
        head = font(esc(short(name)), INK, bold=True)
    elif is_const and is_tensor(n):  # an array has a name in words (t1): the box says it too
        head = font(esc(tr("{name} (constant)").format(name=name)), MUTED, italic=True, size=11)
    elif is_const:  # a number: its name is its value, shown under it
        head = font(esc(tr("constant")), MUTED, italic=True, size=11)
    else:
        head = font(esc(name), MUTED, italic=True)
    rows = [f'<TR><TD COLSPAN="2" ALIGN="CENTER">{head}</TD></TR>']
    if is_tensor(n):  # the shape under the name, small: it does not widen the box
        shape = "×".join(str(s) for s in n.data.shape) or tr("scalar")
        text = font(esc(f"{shape} {n.data.dtype}"), MUTED, size=11)
        rows.append(f'<TR><TD COLSPAN="2" ALIGN="CENTER">{text}</TD></TR>')
    data_word, grad_word = tr("data"), tr("grad")
    rows.append(f'<TR><TD ALIGN="LEFT">{font(esc(data_word), MUTED)}</TD>'
                + _cell(_content(n.data, INK, False), ("data", n), frame) + "</TR>")
    if show_grad:
        sum_lines: List[str] = []
        g = value_of(n.grad)  # after create_graph=True a grad is a node: shown by its value
        if frame is not None and n in frame.grads:
            content = font(esc(frame.grads[n]), BACK, bold=True)
        elif g is None:
            content = font("None", MUTED)
        elif backward_ran:
            text, sum_lines = grad_sum(g, parts)
            if note and is_tensor(n):
                sum_lines.append(note)
            elif note:
                text += f" ({note})"
            content = _content(g, BACK, True) if is_tensor(n) else font(esc(text), BACK, bold=True)
        elif is_tensor(n):
            content = _content(g, BACK, True)
            sum_lines = [tr(OUTSIDE)] if np.any(g != 0) else []
        else:  # no pass from this root: a grad other than 0 came from elsewhere, and says so
            content = font(esc(value_text(g) + (f" ({tr(OUTSIDE)})" if g != 0 else "")), BACK, bold=True)
        rows.append(f'<TR><TD ALIGN="LEFT">{font(esc(grad_word), BACK)}</TD>'
                    + _cell(content, ("grad", n), frame, mark=f"g{mark}" if mark else "") + "</TR>")
        if sum_lines:
            stacked = '<BR ALIGN="RIGHT"/>'.join(esc(line) for line in sum_lines) + '<BR ALIGN="RIGHT"/>'
            rows.append(f'<TR><TD COLSPAN="2" ALIGN="RIGHT">{font(stacked, BACK, size=12)}</TD></TR>')
    if record is not None:
        verdict = "✓" if record.ok else tr("✗ mismatch")
        color = OK_GREEN if record.ok else BACK
        analytic, numeric = tr("analytic"), tr("vs numeric")
        rows.append(f'<TR><TD ALIGN="LEFT">{font(esc(analytic), color, size=11)}</TD>'
                    f'<TD ALIGN="RIGHT">{font(esc(num(record.analytic)), color, size=11)}</TD></TR>')
        rows.append(f'<TR><TD ALIGN="LEFT">{font(esc(numeric), color, size=11)}</TD>'
                    f'<TD ALIGN="RIGHT">{font(esc(num(record.numeric) + " " + verdict), color, size=11)}'
                    '</TD></TR>')
    return _box(rows, fill, line)


def _box(rows: List[str], fill: str, line: str, style: str = "ROUNDED") -> str:
    # One row per line: whitespace between table elements is ignored by Graphviz, and the
    # DOT source (and its golden tests) stays readable.
    body = "".join(f"\n\t\t{r}" for r in rows)
    return (f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="{style}" '
            f'BGCOLOR="{fill}" COLOR="{line}">{body}\n\t</TABLE>>')


def box_colors(n: Any, is_root: bool, is_hot: bool) -> Tuple[str, str]:
    """(fill, line) of a value's box: hot, root, constant, leaf or intermediate."""
    is_leaf = n.is_leaf
    if is_hot:
        return FILL_HOT, LINE_HOT
    if is_root:
        return FILL_ROOT, LINE_ROOT
    if is_leaf and not getattr(n, "label", "") and not getattr(n, "requires_grad", False):
        return FILL_CONST, LINE_CONST
    return (FILL_LEAF, LINE_LEAF) if is_leaf else (FILL_MID, LINE_MID)


def copy_label(name: str, use: int, uses: int) -> str:
    """A small stand-in for a value used far from where its box is (no long edge across the picture)."""
    which = tr("use {use} of {uses}").format(use=use, uses=uses)
    rows = [f'<TR><TD ALIGN="CENTER">{font(esc(short(name)), INK, bold=True)}</TD></TR>',
            f'<TR><TD ALIGN="CENTER">{font(esc(which), MUTED, italic=True, size=10)}'
            "</TD></TR>"]
    return _box(rows, FILL_CONST, LINE_CONST, style="ROUNDED,DASHED")


def edge_label(n: Any, i: int, names: Dict[Any, str], show_local: bool, show_grad: bool,
               sent: Dict[Tuple[Any, int], Any], frame: Optional[Frame], mark: str = "") -> str:
    """The local derivative of one use and what flowed back along it (``← 6``).

    A Value's local derivative is written as a fraction, ``∂t`` over ``∂x``, ``= 2`` beside
    it (narrow, and read as the math is written); a Tensor's as its formula in two lines.
    """
    rows = []
    if show_local:
        local = getattr(n, "local_grads", None)
        if local is not None:
            top = font(esc(short(f"∂{atom(names[n])}")), MUTED)
            bottom = font(esc(short(f"∂{atom(names[n.parents[i]])}{use_note(n, i)}")), MUTED)
            rows.append(f'<TR><TD BORDER="1" SIDES="B" COLOR="{MUTED}">{top}</TD>'
                        f'<TD ROWSPAN="2" CELLPADDING="3">{font(esc(f"= {num(local[i])}"), MUTED)}</TD></TR>')
            rows.append(f"<TR><TD>{bottom}</TD></TR>")
        else:
            head, _, words = formula(n, i, names, digits=SHORT_DIGITS).partition(": ")
            lines = [head + ":", *textwrap.wrap(words, WRAP_CHARS)] if words else [head]
            rows += [f'<TR><TD COLSPAN="2">{font(esc(short(line)), MUTED)}</TD></TR>' for line in lines]
    if show_grad:
        if frame is not None and (n, i) in frame.flows:
            flow = frame.flows[(n, i)]
        else:
            flow = f"← {flow_text(sent[(n, i)])}" if (n, i) in sent else None
        if flow is not None:
            width = frame.widths.get(("edge", n, i)) if frame is not None else None
            w = f' WIDTH="{width}"' if width else ""
            if mark and frame is not None and frame.marks:  # the page changes this text: its id, and
                w += f' ID="f{mark}" HREF="#" ALIGN="LEFT"'  # a start that stays where Graphviz put it
            rows.append(f'<TR><TD COLSPAN="2"{w}>{font(esc(flow), BACK, bold=True)}</TD></TR>')
    if not rows:
        return ""
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>>")
