"""The op table in words: how a node reads and what its local derivative is, from its row.

Every op's row (:mod:`autograd_lite.ops`) carries templates in its parents' names: ``expr``
(how the node reads, ``{a}*{b}``), ``local`` (each local derivative, ``{b}`` and ``{a}``) and,
for a Tensor op, ``sends`` (what it sends each parent, ``g·{b}``).  Here they are filled in with
the names a graph gives its nodes, for ``explain`` tables, the chain rule and the pictures; an op
the table does not know (a user's own) reads as a call, ``my_op(x, y)``.

>>> render("{a}**{b}·ln({a})", ("x + y", "2"))   # a name keeps its own parentheses in a call
'(x + y)**2·ln(x + y)'
>>> local_formula("*", ["w", "x"], 0, 3.0)
('w*x', 'x')
>>> cube = ops.param_tag("**n", 3.0, "**3")   # a node's op (x ** 3).op: its row and exponent
>>> local_formula(cube, ["x"], 0, 12.0)
('x**3', '3·x**2')
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import numpy as np

from . import ops
from .format import SIGNIFICANT_DIGITS, atom, fmt
from .i18n import tr

__all__ = ["render", "reads", "local_formula", "chain_word", "sends", "expression", "formula",
           "markdown_table", "unbroadcast_note", "function_names", "total", "partial", "use_note",
           "use_number"]

_FIELD = re.compile(r"\{([a-m]|n|local|args)\}")
_PARENTS = "abcdefghijklm"  # the parents' names in templates, in order (a Function may have more than two)


def render(template: str, names: Sequence[str], n: str = "", local: str = "") -> str:
    """A row's template in the parents' names: ``{a}``, ``{b}`` (first and second parent; a
    Function's further inputs ``{c}``, ``{d}`` ... up to ``{m}``),
    ``{args}`` (all of them), ``{n}`` (the op's number) and ``{local}`` (the local derivative in
    words).  A name is parenthesised as :func:`atom` says, except alone inside a call's
    parentheses: ``exp({a})`` reads ``exp(x + y)``, ``1/{a}`` reads ``1/(x + y)``."""
    fields = {k: names[i] for i, k in enumerate(_PARENTS) if i < len(names)}

    def fill(m: "re.Match[str]") -> str:
        key = m.group(1)
        if key == "args":
            return ", ".join(names)
        if key == "n":
            return atom(n)
        if key == "local":
            return local
        name = fields.get(key, "?")
        start, end = m.span()
        alone = template[start - 1:start] == "(" and template[end:end + 1] == ")"
        return name if alone else atom(name)

    return _FIELD.sub(fill, template)


def _row(op: str, count: int) -> Optional[ops.Op]:
    """The row that spells ``op`` with ``count`` parents (None: the op reads as a call).
    A row of arity < 1 takes any number of parents (``concatenate``)."""
    row = ops.op_row(op)
    return row if row is not None and (row.arity == count or row.arity < 1) else None


def reads(row: ops.Op, names: Sequence[str], n: str = "") -> str:
    """How a node of ``row`` reads in its parents' names (a row of any arity reads as a call of
    all of them unless its ``expr`` says ``{args}``)."""
    if row.arity < 1 and "{args}" not in row.expr:
        return f"{row.name}({', '.join(names)})"
    return render(row.expr, names, n)


def local_formula(op: str, names: List[str], index: int, local: Optional[float]) -> Tuple[str, str]:
    """(the node in its parents' names, d node / d parent ``index`` in words; '' if unknown)."""
    row = _row(op, len(names))
    if row is None:
        labels = ", labels" if op == "cross_entropy" and len(names) == 1 else ""  # see _shaped_sends
        return f"{op}({', '.join(names)}{labels})", ""
    n = ops.param_text(op)
    return reads(row, names, n), _local_words(row, names, index, n, local)


def _local_words(row: ops.Op, names: Sequence[str], index: int, n: str, local: Optional[float]) -> str:
    if row.words is not None:
        return row.words(tuple(names), n, local)
    return render(row.local[index], names, n) if index < len(row.local) else ""


def _sends_template(row: ops.Op, index: int) -> Optional[str]:
    if row.arity < 1 and row.sends:  # any number of parents: the same words for each
        return row.sends[min(index, len(row.sends) - 1)]
    return row.sends[index] if index < len(row.sends) else None


def sends(op: str, names: List[str], index: int) -> str:
    """What a Tensor op sends parent ``index``, in words (``g`` is the upstream grad)."""
    row = _row(op, len(names))
    template = None if row is None else _sends_template(row, index)
    if row is None or template is None:
        return f"vjp of {op}"
    n = ops.param_text(op)
    return render(template, names, n, _local_words(row, names, index, n, None))


# ---------------------------------------------------------------------------- notation
# Two symbols for two things, as textbooks (and the book's dApple) write them: d for the total
# derivative of the root, what backward computes and a grad holds (dz/dx = x.grad); ∂ for one
# edge's local partial derivative, a node's derivative with respect to one use of a parent,
# the other inputs held fixed (∂(a*b)/∂a = b).  A parent used twice by a node (x*x) has two
# partials, one per use: "(use 1)", "(use 2)" tell them apart.
def total(top: str, bottom: str) -> str:
    """The total derivative of ``top`` with respect to ``bottom``: ``dz/dx``."""
    return f"d{atom(top)}/d{atom(bottom)}"


def use_number(node: Any, index: int) -> int:
    """Which use of its parent edge ``(node, index)`` is (1, 2 ...); 0 when the parent is used once."""
    p = node.parents[index]
    if sum(q is p for q in node.parents) < 2:
        return 0
    return sum(q is p for q in node.parents[:index + 1])


def use_note(node: Any, index: int) -> str:
    """`` (use 2)`` when ``node`` uses that parent more than once, else ''."""
    k = use_number(node, index)
    return tr(" (use {k})").format(k=k) if k else ""


def partial(node: Any, index: int, names: Dict[Any, str], top: Optional[str] = None) -> str:
    """The local partial of edge ``(node, index)``: ``∂t1/∂x`` (``top``: how the node is written,
    default its name), with the use it is when the parent is used twice: ``∂y/∂x (use 2)``."""
    top = names.get(node, "?") if top is None else top
    return f"∂{atom(top)}/∂{atom(names.get(node.parents[index], '?'))}" + use_note(node, index)


def _states_value(row: Optional[ops.Op], word: str, value: str) -> bool:
    """Words from a row's own ``words`` that begin with the value state it (relu: ``1 (x > 0)``)."""
    return row is not None and row.words is not None and word.startswith(value + " ")


def expression(node: Any, names: Dict[Any, str]) -> str:
    """``node`` written in its parents' names exactly as :func:`formula` spells it.

    >>> from autograd_lite import Value
    >>> w, x = Value(2.0, "w"), Value(3.0, "x")
    >>> wx = w * x
    >>> y = wx + 1
    >>> expression(y, {wx: "w*x", y.parents[1]: "1"})
    '(w*x)+1'
    """
    if not node.parents:
        return names.get(node, "?")
    return local_formula(node.op, [names.get(p, "?") for p in node.parents], 0, _local_of(node, 0))[0]


def formula(node: Any, index: int, names: Dict[Any, str], digits: int = SIGNIFICANT_DIGITS) -> str:
    """The local derivative of ``node`` w.r.t. its parent number ``index``, in words.

    ``∂(a*b)/∂a = b = 3``: the derivative of the node's expression, its symbolic form,
    then its value (the number the engine uses, with ``digits`` significant digits).
    A Tensor op says what it sends instead: ``∂sum(x)/∂x: sends g copied to every element``.
    """
    pnames = [names.get(p, "?") for p in node.parents]
    local = _local_of(node, index)
    expr, word = local_formula(node.op, pnames, index, local)
    head = partial(node, index, names, top=expr)
    if local is None:  # a Tensor op: it sends a vector-Jacobian product, not one number
        shaped = _shaped_sends(node, index, pnames)
        if shaped is not None:
            return f"{head}: sends {shaped}"
        return f"{head}: sends {sends(node.op, pnames, index)}" + unbroadcast_note(node, index)
    value = fmt(local, digits)
    if _states_value(_row(node.op, len(pnames)), word, value):
        return f"{head} = {word}"
    if not word or word == value:
        return f"{head} = {value}"
    return f"{head} = {word} = {value}"


def chain_word(node: Any, index: int, names: Dict[Any, str]) -> str:
    """The local derivative as a factor of a product of the chain rule: its words, or its value
    where the words say no more (``2·t``, ``1``)."""
    local = float(node.local_grads[index])
    _, word = local_formula(node.op, [names[p] for p in node.parents], index, local)
    value = fmt(local)
    if not word or _states_value(_row(node.op, len(node.parents)), word, value):
        return value
    return word


def _local_of(node: Any, index: int) -> Optional[float]:
    locals_ = getattr(node, "local_grads", None)
    if locals_ is None:
        return None
    return float(locals_[index])


def unbroadcast_note(node: Any, index: int) -> str:
    """What un-broadcasting does to a Tensor edge, in words (empty when shapes match).

    ``t1 + b`` with ``t1`` 2×3 and ``b`` of shape 3 sends ``g`` (2×3) towards ``b``; b's grad
    is ``g`` summed over axis 0: each element of ``b`` was used once per row, and the chain
    rule sums over those uses.  Short, as it is written on the picture's edge.  An op
    broadcasts its parents when its result has their broadcast shape (``+``, ``maximum``,
    ``where`` ...); ``@`` broadcasts only its batch axes and says so itself.
    """
    if len(node.parents) < 2 or node.op == "@":
        return ""
    out = np.shape(node.data)
    shapes = [np.shape(p.data) for p in node.parents]
    try:
        if np.broadcast_shapes(*shapes) != out:
            return ""
    except ValueError:
        return ""
    return _summed(shapes[index], out)


def _summed(mine: Tuple[int, ...], out: Tuple[int, ...]) -> str:
    """`` summed over axis 0`` for an operand of shape ``mine`` broadcast to ``out`` ('' if not)."""
    if mine == out:
        return ""
    pad = len(out) - len(mine)
    axes = [i for i in range(len(out)) if i < pad or (mine[i - pad] == 1 and out[i] != 1)]
    if not axes:
        return ""
    where = f"axis {axes[0]}" if len(axes) == 1 else "axes " + ", ".join(str(a) for a in axes)
    return f" summed over {where}"


def _shaped_sends(node: Any, index: int, names: List[str]) -> Optional[str]:
    """What a Tensor op sends when the words depend on the operands' shapes (``@``) or on an
    input that is not a parent (cross_entropy's integer labels); None: the row's words say it."""
    if node.op == "@" and len(names) == 2:
        return _matmul_sends(node, index, names)
    if node.op == "diff" and len(names) == 1:
        # the transpose of a difference (the row's "g·(shifted by one) - g" reads as a product)
        return "g[i-1] - g[i] for each element i (0 past the ends), once per order n"
    if node.op == "cross_entropy":
        # The row is written for two parents; integer labels are no parent, so a node has one.
        if len(names) == 1:
            return render("g·(softmax({a}) - onehot(labels))/N", names)
        if index == 0:  # probability rows t: (softmax·(row sums of t) - t)/N, exact for any t
            return render("g·(softmax({a})·rowsum({b}) - {b})/N", names)
    return None


def _matmul_sends(node: Any, index: int, names: List[str]) -> str:
    """``@`` by its operands' dimensions: inner, outer, matrix-vector and batched products."""
    a, b = (atom(n) for n in names)
    da, db = (np.ndim(p.data) for p in node.parents)
    out = np.shape(node.data)
    if da == 1 and db == 1:  # an inner product: g is a number
        return f"g·{b}" if index == 0 else f"g·{a}"
    if db == 1:  # matrix @ vector: out_i = Σ_j A_ij x_j
        word = f"outer(g, {b})" if index == 0 else f"{a}ᵀ @ g"
        vector = index == 1
    elif da == 1:  # vector @ matrix: out_j = Σ_i x_i B_ij
        word = f"g @ {b}ᵀ" if index == 0 else f"outer({a}, g)"
        vector = index == 0
    else:
        word = f"g @ {b}ᵀ" if index == 0 else f"{a}ᵀ @ g"
        mine = np.shape(node.parents[index].data)
        return word + _summed(mine[:-2], out[:-2])  # batch axes broadcast: summed back
    # the vector is shared by every matrix of a batch: its grad sums over the batch axes
    return word + (_summed((), out[:-1]) if vector else "")


def function_names() -> Set[str]:
    """Every function a row's words call (``exp``, ``ln``, ``sign`` ...), for typesetting."""
    called = re.compile(r"([A-Za-z_][A-Za-z_0-9]*)\(")
    out: Set[str] = set()
    for row in ops.OPS.values():
        for template in (row.expr, *row.local, *row.sends):
            out.update(called.findall(template))
    return out


# ---------------------------------------------------------------------------- the docs' op list
def _markdown_text(doc: str) -> str:
    """A row's doc as a Markdown table cell: ``code`` as `code`, ``*`` outside code not emphasis."""
    parts = doc.replace("``", "`").split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show it, do not open a code span
        parts = [doc.replace("`", "\\`")]
    for k in range(0, len(parts), 2):
        parts[k] = parts[k].replace("*", "\\*")
    return "`".join(parts).replace("|", "\\|")


def markdown_table() -> str:
    """The op list of docs/api.md: one line per row of the table, in table order, written from
    the row's own templates (``tests/test_docs.py`` checks the doc holds exactly this text)."""
    ops.load_all()

    def cell(texts: Tuple[str, ...]) -> str:  # a Tensor-only row has no local words ("")
        return ", ".join(f"`{t}`" for t in texts if t).replace("|", "\\|")

    lines = ["| `op` | reads | local derivative(s) | a Tensor sends | on | command line | what |",
             "|---|---|---|---|---|---|---|"]
    for row in ops.OPS.values():
        names = ("a", "b", "…") if row.arity < 1 else ("a", "b")[:row.arity] if row.arity <= 2 \
            else tuple(f"x{i}" for i in range(row.arity))  # arity < 1: any number of parents
        n = "n" if row.param else ""
        local = tuple(render(t, names, n) for t in row.local)
        sends = tuple(render(t, names, n, local[i] if i < len(local) else "")
                      for i, t in enumerate(row.sends)) if "Tensor" in row.kinds else ()
        lines.append(f"| `{row.name}` | {cell((reads(row, names, n),))} | {cell(local)} | {cell(sends)} "
                     f"| {', '.join(row.kinds)} | {f'`{row.name}(x)`' if row.cli else ''} "
                     f"| {_markdown_text(row.doc)} |")
    return "\n".join(lines) + "\n"
