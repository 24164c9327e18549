"""A row of the op table (:class:`Op`) and the tag a node keeps (:class:`OpName`), with the two
tables that find rows by name (:data:`OPS`, filled by :mod:`autograd_lite.ops`; :data:`FUNCTIONS`,
users' Functions). :mod:`autograd_lite.ops` holds the table itself and re-exports all of this.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

__all__ = ["Op", "OpName", "OPS", "FUNCTIONS", "op_row", "param_tag", "param_text"]


class OpName(str):
    """A node's ``op``: the op as text (``'*'``, ``'**2'``, ``'Square'``), holding its row and the
    number it carries (the exponent of ``x**n``; else None).

    It is a ``str`` (``node.op == "*"`` and ``op in OPS`` read as before); readers take the row
    from it (:func:`op_row`) and never parse the text.  One per row, made with the row; a row
    with a parameter has one per number (:func:`param_tag`).

    >>> from autograd_lite import Value
    >>> y = Value(3.0) ** 2
    >>> y.op, y.op.row.name, y.op.param
    ('**2', '**n', 2.0)
    """

    row: "Op"
    param: Any
    #: Where a number operand sits (0: first, ``2 - x``; 1: second, ``x * 3``) when the node keeps
    #: it instead of a parent (see :attr:`Op.kept`); None for every other tag.
    const: Optional[int] = None

    def __new__(cls, text: str, row: "Op", param: Any = None, const: Optional[int] = None) -> "OpName":
        self = str.__new__(cls, text)
        self.row = row
        self.param = param
        if const is not None:
            self.const = const
        return self

    def __reduce__(self) -> Any:  # pickles and copies as the op's text, found again by name
        return (_tag_named, (str(self), self.param, self.const))


_FIELDS = ("name", "arity", "expr", "local", "rules", "cli", "param", "doc", "symbol", "sends", "kinds",
           "vjp", "again", "words", "user", "scalar", "domain", "overflows", "array", "inline")


class Op:
    """One op. ``rules[i](*parents, out[, param])`` is ∂out/∂parent i (see the module notes).

    ``expr``, ``local`` and ``sends`` are templates in the parents' names ``{a}``, ``{b}`` (and
    the parameter ``{n}``; ``sends`` may also use ``{local}``, the local derivative in words);
    ``cli`` says whether the command line offers it as a function.
    """

    name: str
    arity: int
    expr: str
    local: Tuple[str, ...]
    rules: Tuple[Callable[..., Any], ...]
    cli: bool = False
    param: bool = False  # the op carries a number (the exponent of x**n)
    doc: str = ""
    symbol: str = ""  # how a picture writes the op (default: its name)
    sends: Tuple[str, ...] = ()  # a Tensor op: what it sends each parent, in words (g: upstream)
    kinds: Tuple[str, ...] = ("Value",)  # the node types that have the op
    vjp: Optional[Callable[..., Any]] = None  # a Tensor op's rule (see autograd_lite.tensor)
    again: Optional[Callable[..., Any]] = None  # again(node, parents): the op re-applied to parents
    # The local derivative in words where a template cannot say it: words(names, n, local) with the
    # parents' names, the op's number ("" unless param) and the local value (None on a Tensor).
    # Words that begin with the value and a space state it themselves (relu: "1 (x > 0)").
    words: Optional[Callable[..., str]] = None
    user: bool = False  # a user's Function (autograd_lite.function): read like a row, not listed
    # An elementwise one-parent row: its forward on a float (math's function: its ValueError is
    # the domain error, its OverflowError the policy's), the domain (words, the test for a bad x on
    # a float or an ndarray), whether a finite x may overflow, and numpy's function (by name) for
    # Tensors. Value, forward mode's Dual and Tensor get their methods from these (generated).
    scalar: Optional[Callable[[float], float]] = None
    domain: Optional[Tuple[str, Callable[[Any], Any]]] = None
    overflows: bool = False
    array: str = ""
    # The float forward as text in the parents' names, where it is plain arithmetic (``a * b``):
    # Value's method inlines it (autograd_lite.specialise); an elementwise row's ``scalar`` is made
    # from it.
    inline: str = ""
    tag: OpName  # what a node of the row keeps
    # The tags of a two-parent row's nodes that keep a number operand in place of a parent
    # (``x * 3``: no leaf for the 3 until a reader asks for it): ``kept[i]``, the number at i.
    kept: Tuple[OpName, ...]

    # A frozen record, written out (the dataclasses module would cost every script that imports
    # Value ~10 ms of start-up: it loads inspect).
    def __init__(self, name: str, arity: int, expr: str, local: Tuple[str, ...],
                 rules: Tuple[Callable[..., Any], ...], cli: bool = False, param: bool = False, doc: str = "",
                 symbol: str = "", sends: Tuple[str, ...] = (), kinds: Tuple[str, ...] = ("Value",),
                 vjp: Optional[Callable[..., Any]] = None, again: Optional[Callable[..., Any]] = None,
                 words: Optional[Callable[..., str]] = None, user: bool = False,
                 scalar: Optional[Callable[[float], float]] = None,
                 domain: Optional[Tuple[str, Callable[[Any], Any]]] = None, overflows: bool = False,
                 array: str = "", inline: str = "") -> None:
        values = locals()
        for key in _FIELDS:
            object.__setattr__(self, key, values[key])
        object.__setattr__(self, "tag", OpName(name, self))
        kept = tuple(OpName(name, self, None, i) for i in range(2)) if arity == 2 else ()
        object.__setattr__(self, "kept", kept)

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"op table: a row is not changed in place (cannot set {key!r} of {self.name!r})")

    def __delattr__(self, key: str) -> None:
        raise AttributeError(f"op table: a row is not changed in place (cannot delete {key!r})")

    def __repr__(self) -> str:
        return f"Op({self.name!r}, arity={self.arity}, expr={self.expr!r}, kinds={self.kinds!r})"

    def replace(self, **changes: Any) -> "Op":
        """A new row with ``changes`` (field names) made."""
        unknown = set(changes) - set(_FIELDS)
        if unknown:
            raise TypeError(f"op table: a row has no field {sorted(unknown)}")
        return Op(**{**{key: getattr(self, key) for key in _FIELDS}, **changes})

    @property
    def shown(self) -> str:
        """The op as pictures write it."""
        return self.symbol or self.name


#: Every op by name: the rows of :mod:`autograd_lite.ops`, and the Tensor ops that
#: :mod:`autograd_lite.tensor` registers beside their code (``ops.register``).
OPS: Dict[str, Op] = {}

#: The rows of users' Functions by name (:mod:`autograd_lite.function` adds one per subclass):
#: every reader finds them as it finds a built-in row; the docs' op list shows built-ins only.
FUNCTIONS: Dict[str, Op] = {}


_PARAM_TAGS: Dict[str, Dict[Any, OpName]] = {}
_MAX_PARAM_TAGS = 1024  # per row; beyond, a tag is made per node (the same text and row)


def param_tag(name: str, param: Any, text: str) -> OpName:
    """The tag of row ``name`` carrying the number ``param`` (``text``: how the op spells it,
    ``'**2'``); one per number, kept for the most used."""
    tags = _PARAM_TAGS.setdefault(name, {})
    tag = tags.get(text)
    if tag is None:
        tag = OpName(text, OPS[name], param)
        if len(tags) < _MAX_PARAM_TAGS:
            tags[text] = tag
    return tag


def _tag_named(text: str, param: Any, const: Optional[int] = None) -> str:
    """An op found again from its text (an unpickled node): its tag, or the text if unknown."""
    row = OPS.get(text) or FUNCTIONS.get(text)
    if row is not None:
        return row.tag if const is None else row.kept[const]
    if param is not None:
        for r in OPS.values():
            if r.param and text.startswith(r.name[:-1]):
                return param_tag(r.name, param, text)
    return text


def op_row(op: str) -> Optional[Op]:
    """The row of a node's ``op``, or None (a leaf, or an op the table does not know).

    A node made by an op holds its row in its ``op`` (an :class:`OpName`); a plain string
    (an ``op`` set by hand) is found by name (a user's Function by its class name).

    >>> from autograd_lite import Value
    >>> op_row((Value(3.0) ** 2).op).name, op_row("exp").arity, op_row("my_op")
    ('**n', 1, None)
    """
    row = getattr(op, "row", None)
    return (OPS.get(op) or FUNCTIONS.get(op)) if row is None else row


def param_text(op: str) -> str:
    """The number a parameter op carries, as the node's ``op`` spells it (``'**2'`` -> ``'2'``),
    else ``''``."""
    row = getattr(op, "row", None)
    return op[len(row.name) - 1:] if row is not None and row.param else ""
