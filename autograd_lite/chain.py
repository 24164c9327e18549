"""The chain rule written out for one input: droot/dleaf as a sum over paths of products.

Every path from the root down to the leaf contributes the product of the local
derivatives along it; droot/dleaf is the sum of those products.  Written out as the
seed articles do:

>>> from autograd_lite import Value, explain
>>> x, y = Value(1.0, "x"), Value(2.0, "y")
>>> t = x + y
>>> t.label = "t"
>>> z = t ** 2
>>> z.label = "z"
>>> print(explain(z).chain(x))
dz/dx = ∂z/∂t · ∂t/∂x = (2·t) · 1 = 6 · 1 = 6

``dz/dx`` is the total derivative (what ``x.grad`` holds); each ``∂z/∂t`` is one edge's local
partial derivative (see :func:`autograd_lite.words.total`).

A graph can have exponentially many paths, so they are *counted* by dynamic
programming (exact integers) and only the first ``max_paths`` are written out; the
total is computed over all of them by forward accumulation (ḋleaf = 1, each node
sums local × ḋparent), a computation independent of the backward sweep.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from .format import atom, fmt
from .i18n import in_its_language, tr_n
from .words import chain_word, function_names, partial, total, use_number

__all__ = ["ChainRule", "chain_rule", "MAX_PATHS", "MAX_FACTORS"]

MAX_PATHS = 8  # paths written out; the others are counted and said
MAX_FACTORS = 12  # factors of one path written out; a longer path shows its two ends
# What max_paths may ask for (about a second of work): the factors the written-out paths show
# (paths × shown factors each), and the edges they keep (paths × their length).
MAX_SHOWN = 50_000
MAX_EDGES = 2_000_000

Edge = Tuple[Any, int]  # (node, index of the parent in node.parents)



@dataclass(frozen=True)
class ChainRule:
    """droot/dleaf as a sum over paths.

    ``paths``: the first paths (each a tuple of ``(node, parent_index)`` edges from the root
    down); ``count``: how many paths there are in all (exact); ``total``: the sum over *all*
    paths of the products of local derivatives; ``grad``: the grad the backward pass gave
    the leaf (with the default seed 1 the two agree up to rounding: the sums run in another
    order; with another seed ``grad`` is seed × total).
    """

    root: Any
    leaf: Any
    names: Dict[Any, str]
    paths: Tuple[Tuple[Edge, ...], ...]
    count: int
    total: float
    grad: Any
    max_factors: int = MAX_FACTORS
    lang: Optional[str] = None  # "en" or "zh" for its words (None: the environment's, at print time)

    # ------------------------------------------------------------------ parts
    def _d(self, top: Any, bottom: Any) -> str:
        return total(self.names[top], self.names[bottom])

    def factor_symbols(self, path: Tuple[Edge, ...]) -> List[str]:
        """``['∂z/∂t', '∂t/∂x']``: one local partial derivative per edge of ``path``."""
        return [partial(n, i, self.names) for n, i in path]

    def factor_words(self, path: Tuple[Edge, ...]) -> List[str]:
        """``['2·t', '1']``: each local derivative as a formula of the node's parents."""
        return [chain_word(n, i, self.names) for n, i in path]

    @staticmethod
    def factor_values(path: Tuple[Edge, ...]) -> List[float]:
        """Each local derivative as the number the engine used."""
        return [float(n.local_grads[i]) for n, i in path]

    def product(self, path: Tuple[Edge, ...]) -> float:
        """The product of the local derivatives along ``path`` (its contribution)."""
        p = 1.0
        for v in self.factor_values(path):
            p *= v
        return p

    @property
    def more(self) -> int:
        """How many paths are counted but not written out (none when leaf is root: dz/dz = 1)."""
        return 0 if self.root is self.leaf else self.count - len(self.paths)

    # ------------------------------------------------------------------ text
    @in_its_language
    def stages(self) -> List[str]:
        """The right-hand sides, in order: symbols, formulas, numbers, the total."""
        if self.root is self.leaf:
            return ["1"]
        if self.count == 0:
            return ["0"]
        stages = []
        for how in ("symbols", "words", "numbers"):
            terms = [" · ".join(self._shown(p, how)) for p in self.paths]
            if self.more:
                more = tr_n("{n} more path", "{n} more paths", self.more).format(n=self.more)
                terms.append(f"… ({more})")
            stages.append(" + ".join(terms))
        stages.append(fmt(self.total))
        out: List[str] = []
        for s in stages:  # a stage that says nothing new is left out
            if not out or s != out[-1]:
                out.append(s)
        return out

    def _factors(self, path: Tuple[Edge, ...], how: str, length: int) -> List[str]:
        if how == "symbols":
            return self.factor_symbols(path)
        if how == "words":
            words = self.factor_words(path)
            return [atom(w) if length > 1 or len(self.paths) > 1 else w for w in words]
        return [atom(fmt(v)) for v in self.factor_values(path)]

    def _ends(self, path: Tuple[Edge, ...]) -> Tuple[Tuple[Edge, ...], Tuple[Edge, ...], int]:
        """The edges a path shows (all, or its two ends) and how many are left out: only the
        shown factors are ever formatted, so a long path costs what it shows."""
        k = self.max_factors
        if len(path) <= k:
            return path, (), 0
        half = k // 2
        return path[:half], path[-half:], len(path) - 2 * half

    def _shown(self, path: Tuple[Edge, ...], how: str) -> List[str]:
        head, tail, hidden = self._ends(path)
        if not hidden:
            return self._factors(path, how, len(path))
        more = tr_n("{n} more factor", "{n} more factors", hidden).format(n=hidden)
        return (self._factors(head, how, len(path)) + [f"… ({more})"]
                + self._factors(tail, how, len(path)))

    @in_its_language
    def text(self) -> str:
        """One line: ``dz/dx = ∂z/∂t · ∂t/∂x = (2·t) · 1 = 6 · 1 = 6``."""
        return " = ".join([self._d(self.root, self.leaf)] + self.stages())

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return (f"<ChainRule {self._d(self.root, self.leaf)}: {self.count} "
                f"path{'s' if self.count != 1 else ''}, total {fmt(self.total)}>")

    @in_its_language
    def latex(self, environment: Optional[str] = None) -> str:
        """The same equation in LaTeX (for slides), without the surrounding ``$``; with
        ``environment="aligned"`` (or ``"align*"``) one stage per line, ``=`` aligned."""
        from .tex_blocks import aligned

        def d(top: Any, bottom: Any) -> str:  # the total derivative
            top_, bottom_ = _tex_name(self.names[top]), _tex_name(self.names[bottom])
            return rf"\frac{{\mathrm{{d}} {top_}}}{{\mathrm{{d}} {bottom_}}}"

        def part(n: Any, i: int) -> str:  # one edge's local partial, with its use when twice
            top_, bottom_ = _tex_name(self.names[n]), _tex_name(self.names[n.parents[i]])
            k = use_number(n, i)
            at = rf"\Big|_{{\mathrm{{use}}\,{k}}}" if k else ""
            return rf"\frac{{\partial {top_}}}{{\partial {bottom_}}}{at}"

        parts = [d(self.root, self.leaf)]
        if self.root is self.leaf or self.count == 0:
            return aligned([parts[0], str(1 if self.root is self.leaf else 0)], environment, "chain latex")
        paths_ = tr_n("{n} more path", "{n} more paths", self.more).format(n=self.more)
        more = (rf" + \dots\ (\text{{{_tex_text(paths_)}}})" if self.more else "")
        sym = " + ".join(r" \cdot ".join(self._shown_tex(p, lambda q, n: [part(m, i) for m, i in q]))
                         for p in self.paths) + more
        words = " + ".join(r" \cdot ".join(self._shown_tex(p, lambda q, n: [
            _tex_formula(atom(w) if n > 1 else w) for w in self.factor_words(q)])) for p in self.paths) + more
        nums = " + ".join(r" \cdot ".join(self._shown_tex(p, lambda q, n: [
            _tex_number(v, paren=True) for v in self.factor_values(q)])) for p in self.paths) + more
        for s in (sym, words, nums, _tex_number(self.total)):
            if s != parts[-1]:
                parts.append(s)
        return aligned(parts, environment, "chain latex")

    def _shown_tex(self, path: Tuple[Edge, ...], factors: Any) -> List[str]:
        head, tail, hidden = self._ends(path)
        if not hidden:
            return factors(path, len(path))  # type: ignore[no-any-return]
        factors_ = tr_n("{n} more factor", "{n} more factors", hidden).format(n=hidden)
        more = rf"\dots\ (\text{{{_tex_text(factors_)}}})"
        return factors(head, len(path)) + [more] + factors(tail, len(path))  # type: ignore[no-any-return]

    def _repr_latex_(self) -> str:
        return f"$${self.latex()}$$"

    @in_its_language
    def _repr_html_(self) -> str:
        head = html.escape(self._d(self.root, self.leaf))
        rows = "".join(
            f'<div style="margin-left:2em">= {html.escape(s)}</div>' for s in self.stages())
        said = tr_n("{n} path from {root} to {leaf}; the backward pass gave {grad}",
                    "{n} paths from {root} to {leaf}; the backward pass gave {grad}", self.count).format(
            n=self.count, root=self.names[self.root], leaf=self.names[self.leaf], grad=fmt(self.grad))
        note = f'<div style="color:#6B7785">{html.escape(said)}</div>'
        return (f'<div class="autograd-lite-chain" style="font-family:monospace">'
                f"<div>{head}</div>{rows}{note}</div>")


# User text inside \\textrm{...} (text mode, where LaTeX and KaTeX both know these commands)
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "$": r"\$", "#": r"\#",
                "%": r"\%", "&": r"\&", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
                # no raw < or > either: a notebook shows $$...$$ inside HTML, where <img ...> is a tag
                "<": r"\textless{}", ">": r"\textgreater{}"}


def _tex_text(s: str) -> str:
    return "".join(_TEX_SPECIAL.get(c, c) for c in s)


def _tex_name(name: str) -> str:
    """A display name in LaTeX: one letter as math, a number as itself, a word upright, other user
    text as escaped text (``\\textrm``: its ``\\``, ``^``, ``~`` are text, not math)."""
    if len(name) == 1 and name.isalpha() and name.isascii():
        return name
    if re.fullmatch(r"[0-9]+(?:\.[0-9]*)?(?:e[+-][0-9]+)?", name):
        return _tex_number_text(name)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        return rf"\mathrm{{{_tex_text(name)}}}"
    return rf"\textrm{{{_tex_text(name)}}}"


def _tex_number_text(s: str) -> str:
    if "e" in s:
        mant, exp = s.split("e")
        return rf"{mant} \times 10^{{{int(exp)}}}"
    if s in ("inf", "-inf"):
        return s.replace("inf", r"\infty")
    if s == "nan":
        return r"\mathrm{nan}"
    return s


def _tex_number(v: float, paren: bool = False) -> str:
    """A number in LaTeX; ``paren``: a negative one in parentheses (a factor of a product)."""
    s = _tex_number_text(fmt(v))
    return f"({s})" if paren and s.startswith("-") else s


_TOKEN = re.compile(r"\*\*|[A-Za-z_][A-Za-z_0-9]*|[0-9][0-9.]*(?:e[+-]?[0-9]+)?|.", re.S)
_TEX_OPS = {"·": r" \cdot ", "²": "^2", "(": "(", ")": ")", "-": "-", "+": "+", "/": "/", " ": " "}


def _tex_formula(word: str) -> str:
    """``2·t**(3)`` -> ``2 \\cdot t^{3}``: a formula in words, as LaTeX (names escaped)."""
    out: List[str] = []
    tokens = _TOKEN.findall(word)
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        if tok == "**" and k + 1 < len(tokens):
            # exponent: one atom, or a parenthesised group
            call = tokens[k + 1] in function_names() and k + 2 < len(tokens) and tokens[k + 2] == "("
            if tokens[k + 1] == "(" or call:
                depth, j = 0, k + 2 if call else k + 1
                while j < len(tokens):
                    depth += tokens[j] == "("
                    depth -= tokens[j] == ")"
                    if depth == 0:
                        break
                    j += 1
                inner = tokens[k + 1:j + 1] if call else tokens[k + 2:j]  # a call keeps name and ()
                out.append("^{" + _tex_formula("".join(inner)) + "}")
                k = j + 1
            else:
                out.append("^{" + _tex_formula(tokens[k + 1]) + "}")
                k += 2
            continue
        if tok in function_names():
            out.append(rf"\operatorname{{{tok}}}")
        elif re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", tok):
            out.append(_tex_name(tok))
        elif tok in _TEX_OPS:
            out.append(_TEX_OPS[tok])
        elif re.fullmatch(r"[0-9][0-9.]*(?:e[+-]?[0-9]+)?", tok):
            out.append(_tex_number_text(tok))
        else:
            out.append(rf"\textrm{{{_tex_text(tok)}}}")  # user text: as text, in math mode too
        k += 1
    return "".join(out).strip()


def chain_rule(root: Any, leaf: Any, names: Dict[Any, str], nodes: List[Any], grad: Any,
               max_paths: int = MAX_PATHS, max_factors: int = MAX_FACTORS) -> ChainRule:
    """droot/dleaf over the graph ``nodes`` (oldest first); see :meth:`Explanation.chain`."""
    if isinstance(max_paths, bool) or not isinstance(max_paths, int) or max_paths < 0:
        raise ValueError(f"chain: max_paths must be an int >= 0, got {max_paths!r}")
    if isinstance(max_factors, bool) or not isinstance(max_factors, int) or max_factors < 2:
        raise ValueError(f"chain: max_factors must be an int >= 2, got {max_factors!r}")
    if any(n.parents and getattr(n, "local_grads", None) is None for n in nodes):
        raise TypeError("chain: works on Value graphs, whose local derivatives are numbers; a Tensor op "
                        "sends a vector-Jacobian product (see explain(root) for what each edge sends)")
    # Paths from each node down to the leaf (exact ints) and forward accumulation of
    # d node / d leaf, both oldest first: a node comes after its parents.
    to_leaf: Dict[Any, int] = {}
    dot: Dict[Any, float] = {}
    depth: Dict[Any, int] = {}  # the longest path down to the leaf
    for n in nodes:
        if n is leaf:
            to_leaf[n], dot[n], depth[n] = 1, 1.0, 0
            continue
        count, d, longest = 0, 0.0, -1
        for p, local in zip(n.parents, n.local_grads):
            c = to_leaf.get(p, 0)
            if c:
                count += c
                d += float(local) * dot[p]
                longest = max(longest, depth[p])
        to_leaf[n], dot[n], depth[n] = count, d, longest + 1
    _check_size(max_paths, min(max_paths, to_leaf.get(root, 0)), depth.get(root, 0), max_factors)
    paths = _first_paths(root, leaf, to_leaf, max_paths)
    return ChainRule(root, leaf, names, tuple(paths), to_leaf.get(root, 0), dot.get(root, 0.0), grad,
                     max_factors)


def _check_size(max_paths: int, written: int, longest: int, max_factors: int) -> None:
    """Refuse up front what max_paths would make too big to write out (see MAX_SHOWN, MAX_EDGES)."""
    shown, edges = written * min(longest, max_factors), written * longest
    if shown > MAX_SHOWN or edges > MAX_EDGES:
        raise ValueError(f"chain: max_paths={max_paths} would write out {written} paths of up to {longest} "
                         f"factors: {shown} factors shown and {edges} edges kept, more than "
                         f"{MAX_SHOWN} / {MAX_EDGES} (chain.MAX_SHOWN / MAX_EDGES); ask for fewer paths "
                         "(the count and the total stay exact whatever max_paths is)")


def _first_paths(root: Any, leaf: Any, to_leaf: Dict[Any, int], k: int) -> List[Tuple[Edge, ...]]:
    """The first ``k`` paths root -> leaf in parent order (iterative; only edges that reach the leaf)."""
    out: List[Tuple[Edge, ...]] = []
    if k == 0 or not to_leaf.get(root) or root is leaf:
        return out
    path: List[Edge] = []
    stack: List[List[Any]] = [[root, 0]]  # [node, next parent index to try]
    while stack and len(out) < k:
        frame = stack[-1]
        node, i = frame
        parents = node.parents
        if node is leaf:
            out.append(tuple(path))
            stack.pop()
            if path:
                path.pop()
            continue
        while i < len(parents) and not to_leaf.get(parents[i]):
            i += 1
        if i == len(parents):
            stack.pop()
            if path:
                path.pop()
            continue
        frame[1] = i + 1
        path.append((node, i))
        stack.append([parents[i], 0])
    return out


def find_node(nodes: List[Any], names: Dict[Any, str], which: Any, where: str) -> Optional[Any]:
    """``which`` as a node of the graph: a node itself or its display name; else a ValueError."""
    if isinstance(which, str):
        hits = [n for n in nodes if names.get(n) == which]
        if len(hits) == 1:
            return hits[0]
        known = ", ".join(sorted({names[n] for n in nodes}))
        if not hits:
            raise ValueError(f"{where}: no node named {which!r} in this graph (names: {known})")
        raise ValueError(f"{where}: {len(hits)} nodes are named {which!r}; pass the node itself")
    if any(n is which for n in nodes):
        return which
    raise ValueError(f"{where}: {which!r} is not part of this graph")
