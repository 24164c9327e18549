"""A thin shim: HIPS autograd's test API on top of autograd_lite (for porting its tests)."""
import numpy as _np

import autograd_lite as _al
from autograd_lite import Tensor as _Tensor


def _as_array(x):
    return x if isinstance(x, _Tensor) else _np.asarray(x, dtype=float)


def grad(fun, argnum=0):
    def g(*args):
        args = [_as_array(a) for a in args]
        out = _al.grad(lambda *ts: fun(*ts), argnums=argnum)(*args)
        return out
    return g


def value_and_grad(fun, argnum=0):
    def g(*args):
        args = [_as_array(a) for a in args]
        return _al.value_and_grad(lambda *ts: fun(*ts), argnums=argnum)(*args)
    return g
