"""How an evaluation trace reads: its lines as text, LaTeX and HTML (see :mod:`autograd_lite.trace`).

A trace's lines are written once, in placeholders (``V_m1`` for v₋₁, ``Vb_3`` for v̄₃ ...), and
rendered here: as text (``v̄₋₁ = v̄₂·∂v₂/∂v₋₁``), as LaTeX (``\\bar{v}_{-1}``) or as HTML.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Tuple

from .chain import _tex_formula, _tex_name, _tex_text
from .format import atom
from .i18n import in_its_language, tr, tr_mark, using

__all__ = ["Trace", "TraceLine"]

_SUB = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")
_DOT, _BAR = "\u0307", "\u0304"
# Lines are written once in placeholders and then rendered as text or LaTeX:
# V_3 / Vd_3 / Vb_m1 is v₃ / v̇₃ / v̄₋₁; N_0, Nd_0, Nb_0 the name number 0 (an input's label, the
# output's y) plain, dotted and barred; D_5_m1 (or D_5_m1_u2) the local partial ∂v₅/∂v₋₁ (use 2).
_VAR = re.compile(r"(?<![A-Za-z0-9_])(V|N)(d|b)?_(m?)(\d+)(?![A-Za-z0-9_])")
_PART = re.compile(r"(?<![A-Za-z0-9_])D_(m?\d+)_(m?\d+)(?:_u(\d+))?(?![A-Za-z0-9_])")
_TOTAL = re.compile(r"(?<![A-Za-z0-9_])T_(\d+)_(\d+)(?![A-Za-z0-9_])")  # dy/dx₁ (text only: the summary line)
_TEX_VAR = re.compile(r"\\mathrm\{(V|N)(d|b)?\\_(m?)(\d+)\}")
_TEX_PART = re.compile(r"\\mathrm\{D\\_(m?\d+)\\_(m?\d+)(?:\\_u(\d+))?\}")
_TITLES = {"primal": tr_mark("Forward primal trace"), "tangent": tr_mark("Forward tangent trace"),
           "adjoint": tr_mark("Reverse adjoint trace")}


def k_of(i: int) -> str:
    """The placeholder spelling of the index i: 3 is 3, -1 is m1."""
    return f"m{-i}" if i < 0 else str(i)


def _unk(s: str) -> int:
    return -int(s[1:]) if s.startswith("m") else int(s)



@dataclass(frozen=True)
class TraceLine:
    """One assignment: ``target = stage = stage ... = value`` (``target`` and ``stages`` in the
    trace's placeholders; :meth:`Trace.lines` renders them). ``node`` is the graph node it is
    about; ``value`` the exact float (the node's data, its tangent or the grad after this step)."""

    target: str
    stages: Tuple[str, ...]
    value: float
    node: Any
    note: str = ""


class Trace:
    """The primal trace and a second one (``kind``: ``"tangent"`` or ``"adjoint"``) of one
    evaluation; ``str`` is the text, :meth:`latex` and :meth:`html` the other forms."""

    def __init__(self, kind: str, primal: List[TraceLine], second: List[TraceLine], names: List[str],
                 summary: Callable[[], str], seed_note: str, number: Callable[[float], str],
                 lang: Optional[str] = None) -> None:
        self.kind = kind
        self.primal = tuple(primal)
        self.second = tuple(second)
        self.names = names
        self._summary = summary
        self._seed_note = seed_note
        self._number = number
        self.lang = lang  # "en" or "zh" for its words (None: the environment's, at print time)

    @property
    def summary(self) -> str:
        """What the sweep gave, in a sentence (the last line of the text)."""
        with using(self.lang):
            return self._text(self._summary())

    # ------------------------------------------------------------------ text
    def _text(self, s: str) -> str:
        def var(m: "re.Match[str]") -> str:
            mark = {"d": _DOT, "b": _BAR}.get(m.group(2) or "", "")
            index = -int(m.group(4)) if m.group(3) else int(m.group(4))
            if m.group(1) == "V":
                return "v" + mark + str(index).translate(_SUB)
            return _accent_text(self.names[index], mark)

        def part(m: "re.Match[str]") -> str:
            use = tr(" (use {k})").format(k=m.group(3)) if m.group(3) else ""
            top, bottom = (str(_unk(g)).translate(_SUB) for g in m.group(1, 2))
            return f"∂v{top}/∂v{bottom}{use}"

        def total(m: "re.Match[str]") -> str:
            top, bottom = (_accent_text(self.names[int(g)], "") for g in m.group(1, 2))
            top, bottom = (t if atom(self.names[int(g)]) == self.names[int(g)] else f"({t})"
                           for t, g in zip((top, bottom), m.group(1, 2)))
            return f"d{top}/d{bottom}"

        # NFC: ȳ and ẋ as the one character a reader types (v̄ has none: it keeps the combining bar)
        return unicodedata.normalize("NFC", _VAR.sub(var, _PART.sub(part, _TOTAL.sub(total, s))))

    def _line_text(self, line: TraceLine) -> str:
        value = self._number(line.value)
        stages = [self._text(s) for s in line.stages if s != value]  # no "= 2 = 2"
        text = " = ".join([self._text(line.target), *stages, value])
        return text + (f"   ({line.note})" if line.note else "")

    @in_its_language
    def lines(self, part: str = "primal") -> List[str]:
        """The lines of ``part`` (``"primal"``, or the trace's ``kind``) as text."""
        return [self._line_text(line) for line in self._part(part)]

    def _part(self, part: str) -> Tuple[TraceLine, ...]:
        if part == "primal":
            return self.primal
        if part == self.kind:
            return self.second
        raise ValueError(f"trace.lines: part must be 'primal' or {self.kind!r}, got {part!r}")

    def _title(self, part: str) -> str:
        title = tr(_TITLES[part])
        if part == "tangent":
            return f"{title} ({self._text(self._seed_note)})"
        if part == "adjoint":
            return title + tr(" (in the order it runs; the survey prints it bottom to top)")
        return title

    @in_its_language
    def text(self) -> str:
        """Both traces as text, each under its title, then what the sweep gave."""
        out: List[str] = []
        for part in ("primal", self.kind):
            out += [self._title(part), *("  " + s for s in self.lines(part)), ""]
        return "\n".join(out + [self.summary])

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"<Trace: {len(self.primal)} primal and {len(self.second)} {self.kind} lines>"

    # ------------------------------------------------------------------ LaTeX
    def _tex(self, s: str) -> str:
        def var(m: "re.Match[str]") -> str:
            mark = {"d": r"\dot", "b": r"\bar"}.get(m.group(2) or "", "")
            index = -int(m.group(4)) if m.group(3) else int(m.group(4))
            if m.group(1) == "V":
                return f"{mark}{{v}}_{{{index}}}" if mark else f"v_{{{index}}}"
            return _accent_tex(self.names[index], m.group(2) or "")

        def part(m: "re.Match[str]") -> str:
            top, bottom = (_unk(g) for g in m.group(1, 2))
            use = rf"\Big|_{{\mathrm{{use}}\,{m.group(3)}}}" if m.group(3) else ""
            return rf"\frac{{\partial v_{{{top}}}}}{{\partial v_{{{bottom}}}}}{use}"

        tex = _tex_formula(s).replace(r"\textrm{*}", r" \times ")
        return _TEX_VAR.sub(var, _TEX_PART.sub(part, tex))

    @in_its_language
    def latex(self, environment: str = "aligned") -> str:
        """Both traces as one LaTeX block, ``=`` aligned: ``aligned`` (default: inside ``$$ $$``
        or ``\\[ \\]``) or ``align*`` (a document's own environment, from amsmath)."""
        if environment not in ("aligned", "align*"):
            raise ValueError(f"trace.latex: environment must be 'aligned' or 'align*', got {environment!r}")
        rows: List[str] = []
        for part in ("primal", self.kind):
            rows.append(rf"&\text{{{_tex_text(tr(_TITLES[part]))}}}")
            for line in self._part(part):
                value = self._number(line.value)
                rhs = " = ".join([*(self._tex(s) for s in line.stages if s != value), self._tex(value)])
                note = rf" && \text{{({_tex_text(line.note)})}}" if line.note else ""
                rows.append(f"{self._tex(line.target)} &= {rhs}{note}")
        body = " \\\\\n".join(rows)
        return f"\\begin{{{environment}}}\n{body}\n\\end{{{environment}}}"

    def _repr_latex_(self) -> str:
        return f"$${self.latex()}$$"

    # ------------------------------------------------------------------ HTML
    @in_its_language
    def html(self) -> str:
        """The two traces side by side, as the survey's tables, then what the sweep gave."""
        columns = []
        for part in ("primal", self.kind):
            rows = "".join(f"<tr><td>{html.escape(s)}</td></tr>" for s in self.lines(part))
            columns.append(f'<table class="trace-{part}"><thead><tr><th style="text-align:left">'
                           f"{html.escape(self._title(part))}</th></tr></thead><tbody>{rows}</tbody></table>")
        return ('<div class="autograd-lite-trace" style="font-family:monospace">'
                f'<div style="display:flex;gap:3em;align-items:flex-start">{"".join(columns)}</div>'
                f'<p class="trace-summary">{html.escape(self.summary)}</p></div>')

    def _repr_html_(self) -> str:
        return self.html()


def _split(label: str) -> Tuple[str, str]:
    """``x1`` -> (``x``, ``1``): trailing digits are the subscript the textbooks write."""
    m = re.fullmatch(r"(.*?[^0-9])([0-9]+)", label)
    return (m.group(1), m.group(2)) if m else (label, "")


def _accent_text(label: str, mark: str) -> str:
    base, digits = _split(label)
    sub = digits.translate(_SUB)
    if not mark:
        return base + sub
    if len(base) == 1:
        return base + mark + sub
    return ("dot" if mark == _DOT else "bar") + f"({base}{sub})"


def _accent_tex(label: str, mark: str) -> str:
    base, digits = _split(label)
    tex = _tex_name(base)
    if mark == "d":
        tex = rf"\dot{{{tex}}}"
    elif mark == "b":
        tex = rf"\bar{{{tex}}}" if len(base) == 1 else rf"\overline{{{tex}}}"
    return tex + (f"_{{{digits}}}" if digits else "")
