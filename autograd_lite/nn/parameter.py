"""``Parameter``: a ``Tensor`` that a ``Module`` always counts as trainable (PyTorch's name).

Any ``Tensor`` with ``requires_grad=True`` assigned to a module attribute is already a
parameter; ``Parameter`` says so in the type and defaults ``requires_grad`` to True.

>>> import numpy as np
>>> w = Parameter(np.zeros(2))
>>> w.requires_grad, isinstance(w, Tensor)
(True, True)
>>> type(w * 2).__name__  # results of ops are plain Tensors
'Tensor'
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """``Parameter(data, requires_grad=True, dtype=None, label="")``: a trainable leaf Tensor.

    ``data`` may be numbers, an array or a ``Tensor`` (its array is shared, not copied, as
    ``torch.nn.Parameter`` shares its tensor's storage).
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None, label: str = "") -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype, label=label)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
