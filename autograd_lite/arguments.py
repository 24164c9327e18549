"""Arguments of ``grad`` / ``value_and_grad`` beyond plain numbers and arrays: keywords passed on
to ``f`` unchanged (not differentiated), arguments that are tuples or lists (nested, of numbers,
arrays, Values or Tensors: their gradient has the same structure), and ``grad_and_aux`` for an
``f`` that returns ``(value, aux)`` (HIPS autograd's names).

>>> from autograd_lite import grad, grad_and_aux
>>> grad(lambda p, scale=1.0: (p[0] * p[1]) * scale)((3.0, 4.0), scale=2.0)
(8.0, 6.0)
>>> grad_and_aux(lambda x: (x * x, "aux"))(3.0)
(6.0, 'aux')
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Sequence, Tuple

__all__ = ["call"]

#: (f, argnums, args, warn) -> (value, grads) and (argnums, count, where) -> (which, many): the
#: derivatives module's own, handed in by it (it imports this module, not the other way round).
Differentiate = Callable[[Callable[..., Any], Any, Tuple[Any, ...], bool], Any]
Argnums = Callable[[Any, int, str], Tuple[Sequence[int], bool]]


def _flatten(x: Any, into: List[Any]) -> Any:
    """The leaves of ``x`` appended to ``into``; returns x's structure (an int: a leaf's place)."""
    if isinstance(x, (tuple, list)) and not hasattr(x, "_fields"):
        return type(x), [_flatten(v, into) for v in x]
    into.append(x)
    return len(into) - 1


def _build(structure: Any, leaves: Sequence[Any]) -> Any:
    if isinstance(structure, int):
        return leaves[structure]
    kind, parts = structure
    return kind(_build(p, leaves) for p in parts)


def _places(structure: Any) -> List[int]:
    if isinstance(structure, int):
        return [structure]
    return [k for p in structure[1] for k in _places(p)]


def call(f: Callable[..., Any], argnums: Any, args: Tuple[Any, ...], kwargs: Dict[str, Any],
         aux: bool, where: str, differentiate: Differentiate, argnums_of: Argnums) -> Any:
    """``(value, gradient[, aux])`` of ``f(*args, **kwargs)`` (see the module notes)."""
    plain = not kwargs and not aux and not any(isinstance(a, (tuple, list)) for a in args)
    if plain:  # the common case: the derivatives module's own path
        return differentiate(f, argnums, args, True)
    leaves: List[Any] = []
    shapes = [_flatten(a, leaves) for a in args]
    which, many = argnums_of(argnums, len(args), where)
    places = [k for i in which for k in _places(shapes[i])]
    if not places:
        raise ValueError(f"{where}: the arguments to differentiate ({argnums!r}) hold no numbers or arrays")
    box: List[Any] = []

    def flat_f(*xs: Any) -> Any:
        try:
            out = f(*[_build(s, xs) for s in shapes], **kwargs)
        except TypeError as e:
            held = [i for i, s in enumerate(shapes) if not isinstance(s, int)]
            if not held:
                raise
            raise TypeError(f"{where}: f raised TypeError ({e}); note that argument(s) {held} are tuples or "
                            "lists, which f gets as tuples or lists of numbers (their gradient has the same "
                            "structure): give an array (np.array) for a vector") from e
        if aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError(f"{where}: f must return a pair (value, aux), got {type(out).__name__}")
            out, extra = out
            box[:] = [extra]
        return out

    value, gs = differentiate(flat_f, tuple(places), tuple(leaves), True)
    by_place = dict(zip(places, gs))
    grads = [_build(shapes[i], [by_place.get(k) for k in range(len(leaves))]) for i in which]
    g = tuple(grads) if many else grads[0]
    return (value, g, box[0]) if aux else (value, g)
