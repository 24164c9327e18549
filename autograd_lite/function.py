"""Your own op: ``Function``, with ``forward(ctx, *inputs)`` and ``backward(ctx, *grads)``.

PyTorch's shape (``torch.autograd.Function``): ``forward`` computes on plain numbers (a float for
``Value`` inputs, an ndarray for ``Tensor`` inputs) and keeps what ``backward`` needs on ``ctx``;
``backward`` gets the upstream gradient and returns one gradient per input of ``apply`` (``None``
for an input that needs none).  A Function is a row like any built-in op: its nodes carry its
name, ``explain``, the pictures and ``chain`` show them, ``gradcheck`` and ``draw(check=True)``
check them, ``plant_bug`` plants in them.

>>> from autograd_lite import Value
>>> class Mul(Function):
...     local = ("{b}", "{a}")            # optional: the local derivatives in words
...     @staticmethod
...     def forward(ctx, x, y):
...         ctx.save_for_backward(x, y)
...         return x * y
...     @staticmethod
...     def backward(ctx, dout):
...         x, y = ctx.saved_values
...         return dout * y, dout * x
>>> a, b = Value(2.0, "a"), Value(3.0, "b")
>>> c = Mul.apply(a, b) + a
>>> c.backward()
>>> a.grad, b.grad, c.parents[0].op
(4.0, 2.0, 'Mul')

On ``Value`` s, a node keeps its local derivatives as numbers (``backward(ctx, 1.0)``, at forward
time, as every Value op does), for any number of Value inputs; on ``Tensor`` s ``backward`` runs
in the backward pass with the upstream array.  ``backward(create_graph=True)`` and the functional
API (``grad(grad(f))``, ``hessian``, ``jvp``) differentiate through a Function when its backward
uses differentiable operations on what ``ctx`` holds: there the inputs and the output are graph
nodes.  A value computed in ``forward`` and kept on ``ctx`` (not an input, not the output, not a
constant argument of ``apply``) cannot be differentiated through, and a backward that returns plain
numbers is not differentiable: both are refused with the Function's name, never a silent 0.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

from . import checks as _checks
from . import engine as _engine
from . import ops as _ops
from .value import Value, _new

__all__ = ["Function", "Context"]


class Context:
    """What ``forward`` leaves for ``backward``: ``save_for_backward(*values)`` and any
    attribute you set; ``needs_input_grad`` says which inputs of ``apply`` want a gradient."""

    def __init__(self, needs_input_grad: Tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self._saved: Tuple[Any, ...] = ()

    def __setattr__(self, name: str, value: Any) -> None:  # any attribute, as on PyTorch's ctx
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:  # only called for a name never set
        raise AttributeError(f"ctx has no attribute {name!r}: set it in forward (ctx.{name} = ...)")

    def save_for_backward(self, *values: Any) -> None:
        """Keep ``values`` (inputs, the output, constants) for ``backward``."""
        self._saved = values

    @property
    def saved_values(self) -> Tuple[Any, ...]:
        """What ``save_for_backward`` kept, in order."""
        return self._saved

    saved_tensors = saved_values  # PyTorch's name

    def _attributes(self) -> Iterator[Tuple[str, Any]]:
        return ((k, v) for k, v in vars(self).items() if not k.startswith("_") and k != "needs_input_grad")


class _FunctionValue(Value):
    """A Value made by a Function: it keeps its Function and context (for graph mode, replay)."""

    __slots__ = ("_fn", "_ctx")
    _fn: Any
    _ctx: Any

    def _sends(self, g: Any, graph: bool = False) -> Tuple[Tuple[Value, Any], ...]:
        # as graph: the Function's backward run on the nodes themselves (else the stored locals)
        if not graph or self._a is None:
            return Value._sends(self, g, graph)
        if type(g) is not Value and g == 0.0:
            return ()  # nothing flowed here
        with _engine.rules_as_graph():
            return tuple(graph_sends(self, g))


class _FunctionValueN(_FunctionValue):
    """A Value made by a Function of more than two Value inputs (the third on in ``_rest``)."""

    __slots__ = ("_rest", "_lrest")


class Function:
    """Subclass it and write ``forward`` and ``backward`` as static methods; call ``apply``.

    Optional class attributes for the words of ``explain`` and the pictures: ``local`` (the
    local derivatives as templates in the inputs' names ``{a}``, ``{b}``, as the op table
    writes them) and ``sends`` (what a Tensor Function sends each input, ``g`` the upstream).
    """

    local: Tuple[str, ...] = ()
    _row: Any  # its row in the op table (the nodes it makes keep its tag)
    sends: Tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__name__
        if name in _ops.OPS:
            raise TypeError(f"Function {name}: the name is a built-in op's; give the class another name")
        doc = (cls.__doc__ or "").strip().splitlines()
        cls._row = _ops.FUNCTIONS[name] = _ops.Op(
            name, -1, f"{name}({{args}})", tuple(cls.local), (), doc=doc[0] if doc else "your own op",
            sends=tuple(cls.sends) or (f"{name}.backward(g)",), kinds=("Value", "Tensor"),
            again=_again, user=True)

    @staticmethod
    def forward(ctx: Context, *inputs: Any) -> Any:
        """The op on plain numbers or arrays; keep what backward needs on ``ctx``."""
        raise NotImplementedError("a Function defines forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: Context, *grads: Any) -> Any:
        """The upstream gradient in, one gradient per input of ``apply`` out."""
        raise NotImplementedError("a Function defines backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run the op on ``args`` (Values, or Tensors; other arguments are constants)."""
        if cls is Function:
            raise TypeError("Function.apply: subclass Function and call apply on the subclass")
        if not args:
            raise TypeError(f"{cls.__name__}.apply: give at least one input")
        if any(isinstance(a, Value) for a in args):
            return _apply_values(cls, args)
        if any(type(a).__name__ == "Tensor" for a in args):
            return apply_tensors(cls, args)
        raise TypeError(f"{cls.__name__}.apply: expected at least one Value or Tensor input, got "
                        + ", ".join(type(a).__name__ for a in args))


# --------------------------------------------------------------------------- shared
def apply_tensors(cls: Any, args: Tuple[Any, ...]) -> Any:
    """Function.apply on Tensors: :mod:`autograd_lite.tensor.function` puts its own here when the
    Tensor package loads (which it has whenever a Tensor exists)."""
    raise TypeError(f"{cls.__name__}.apply: Tensors need autograd_lite.tensor (import autograd_lite.Tensor)")


def grads_of(cls: Any, out: Any, count: int) -> Tuple[Any, ...]:
    """backward's result as one entry per input of ``apply``."""
    if count == 1 and not isinstance(out, (tuple, list)):
        out = (out,)
    if not isinstance(out, (tuple, list)) or len(out) != count:
        got = f"{len(out)} values" if isinstance(out, (tuple, list)) else type(out).__name__
        raise TypeError(f"{cls.__name__}.backward must return {count} gradients (one per input of apply, "
                        f"None for an input that needs none), got {got}")
    return tuple(out)


def graph_context(cls: Any, ctx: Context, raw: List[Any], nodes: List[Any], out_raw: Any, out: Any,
                  constants: List[Any]) -> Context:
    """``ctx`` for backward as graph: each input that forward saw (by identity) becomes its node,
    the output the result node; a float or float array computed in forward is refused."""
    swap: Dict[int, Any] = {id(r): n for r, n in zip(raw, nodes)}
    swap.setdefault(id(out_raw), out)
    keep = {id(c) for c in constants}

    def sub(x: Any, where: str) -> Any:
        if id(x) in swap:
            return swap[id(x)]
        if id(x) in keep or _constant(x):
            return x
        if isinstance(x, (tuple, list)):
            return type(x)(sub(v, f"{where}[{i}]") for i, v in enumerate(x))
        if isinstance(x, dict):
            return {k: sub(v, f"{where}[{k!r}]") for k, v in x.items()}
        what = "a value computed in forward" if _is_number(x) else f"a {type(x).__name__} object"
        raise ValueError(
            f"backward(create_graph=True): {cls.__name__} keeps {where}, {what} (not an input, the "
            "output, a constant argument of apply, or a plain int, bool, str or mask), so its backward "
            "cannot be differentiated through it; save the inputs or the output and compute from them "
            "in backward")

    graph = Context(ctx.needs_input_grad)
    graph._saved = tuple(sub(v, f"saved value {i}") for i, v in enumerate(ctx._saved))
    for k, v in ctx._attributes():
        setattr(graph, k, sub(v, f"ctx.{k}"))
    return graph


def _constant(x: Any) -> bool:
    """What backward may keep as it is under create_graph: no derivative can flow through it (ints,
    bools, strings, None, integer or boolean arrays such as masks and labels)."""
    if x is None or isinstance(x, (bool, int, str, bytes, slice, range)):
        return True
    dtype = getattr(x, "dtype", None)
    return type(x).__module__ == "numpy" and getattr(dtype, "kind", "") in ("b", "i", "u")


def _is_number(x: Any) -> bool:
    return isinstance(x, float) or getattr(getattr(x, "dtype", None), "kind", "") in ("f", "c")


def not_differentiable(cls: Any, i: int, got: Any) -> TypeError:
    return TypeError(
        f"backward(create_graph=True): {cls.__name__}.backward returned a plain {type(got).__name__} for "
        f"input {i}, not a graph node: write backward with the operations of the values ctx holds "
        "(they are graph nodes here) so its result can be differentiated again")


def _again(node: Any, parents: List[Any]) -> Any:
    """The node's Function applied again to ``parents`` (its constant arguments as they were)."""
    fn, ctx = (node._fn, node._ctx) if isinstance(node, _FunctionValue) else node._saved[:2]
    it = iter(parents)
    return fn.apply(*[next(it) if is_input else a for a, is_input in zip(ctx._args, ctx._inputs)])


# --------------------------------------------------------------------------- on Values
def _apply_values(cls: Any, args: Tuple[Any, ...]) -> Value:
    name = cls.__name__
    inputs = tuple(isinstance(a, Value) for a in args)
    for i, a in enumerate(args):
        if type(a).__name__ == "Tensor":
            raise TypeError(f"{name}.apply: argument {i} is a Tensor, others are Values; use one kind")
    parents = [a for a in args if isinstance(a, Value)]
    # a fresh float per input: ctx can then tell the inputs apart by identity (graph mode)
    raw = [a.data * 1.0 if is_input else a for a, is_input in zip(args, inputs)]
    ctx = Context(inputs)
    with _engine.no_grad():
        out = cls.forward(ctx, *raw)
        if isinstance(out, Value):
            raise TypeError(f"{name}.forward must return a number (it computes on plain numbers), "
                            "got a Value")
        data = _checks.real_number(out, f"{name}.forward")
        grads = grads_of(cls, cls.backward(ctx, 1.0), len(args))
    local = []
    for i, (g, is_input) in enumerate(zip(grads, inputs)):
        if is_input:
            local.append(0.0 if g is None else _checks.real_number(g, f"{name}.backward (input {i})"))
    ctx._args, ctx._inputs, ctx._raw, ctx._out = args, inputs, raw, out  # type: ignore[attr-defined]
    if len(parents) == 1:
        node = _new(data, cls._row.tag, parents[0], local[0], cls=_FunctionValue)
    elif len(parents) == 2:
        node = _new(data, cls._row.tag, parents[0], local[0], parents[1], local[1], cls=_FunctionValue)
    else:  # the parents after the second in the node class's own slots
        node = _new(data, cls._row.tag, parents[0], local[0], parents[1], local[1], cls=_FunctionValueN)
        wide: Any = node
        wide._rest, wide._lrest = None, ()
        if node._a is not None:  # (else no_grad: a leaf)
            wide._rest, wide._lrest = tuple(parents[2:]), tuple(local[2:])
    node._fn, node._ctx = cls, ctx  # type: ignore[attr-defined]
    return node


def graph_sends(node: Any, g: Any) -> List[Tuple[Value, Any]]:
    """A Value Function's contributions as graph: backward run on the nodes themselves."""
    cls, ctx = node._fn, node._ctx
    parents = node.parents
    raw = [r for r, is_input in zip(ctx._raw, ctx._inputs) if is_input]
    constants = [a for a, is_input in zip(ctx._args, ctx._inputs) if not is_input]
    graph = graph_context(cls, ctx, raw, list(parents), ctx._out, node, constants)
    upstream = g if isinstance(g, Value) else Value(g)
    grads = grads_of(cls, cls.backward(graph, upstream), len(ctx._args))
    out: List[Tuple[Value, Any]] = []
    it = iter(parents)
    for i, (c, is_input) in enumerate(zip(grads, ctx._inputs)):
        if not is_input:
            continue
        p = next(it)
        if c is None:
            continue
        if not isinstance(c, Value):
            raise not_differentiable(cls, i, c)
        out.append((p, c))
    return out
