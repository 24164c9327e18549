"""HIPS autograd's check_grads (forward and reverse mode, any order) with autograd_lite's jvp/grad."""
import numpy as np

import autograd_lite as al
from autograd_lite import Tensor
from autograd_lite import functional as F

TOL = 1e-6
RTOL = 1e-6
EPS = 1e-6


def _close(a, b):
    return abs(a - b) < TOL or abs(a - b) / abs(a + b) < RTOL


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x, dtype=float)


def _evaluate(f, xs):
    with al.no_grad():
        return _data(f(*[Tensor(x) for x in xs]))


def _randn(xs):
    return [np.random.randn(*np.shape(x)) for x in xs]


def _inner(a, b):
    return float(sum(np.sum(np.asarray(x) * np.asarray(y)) for x, y in zip(a, b)))


def _numerical_jvp(f, xs, vs):
    plus = _evaluate(f, [x + v * EPS / 2 for x, v in zip(xs, vs)])
    minus = _evaluate(f, [x - v * EPS / 2 for x, v in zip(xs, vs)])
    return (plus - minus) / EPS


def _vjp(f, xs, u):
    n = len(xs)
    g = al.grad(lambda *ts: (f(*ts) * u).sum(), argnums=tuple(range(n)))(*xs)
    return list(g)


def check_vjp(f, xs):
    y = _evaluate(f, xs)
    x_v, y_v = _randn(xs), np.random.randn(*np.shape(y))
    vjp_y = [_data(g) for g in _vjp(f, xs, y_v)]
    exact = _inner(x_v, vjp_y)
    numeric = float(np.sum(y_v * _numerical_jvp(f, xs, x_v)))
    assert _close(numeric, exact), f"VJP check failed: analytic {exact}, numeric {numeric}"


def check_jvp(f, xs):
    vs = _randn(xs)
    _, t = al.jvp(f, tuple(xs), tuple(vs))
    t = _data(t)
    numeric = _numerical_jvp(f, xs, vs)
    w = np.random.randn(*np.shape(numeric))
    assert _close(float(np.sum(t * w)), float(np.sum(numeric * w))), f"JVP check failed: {t} vs {numeric}"


def _flat(outs):
    outs = outs if isinstance(outs, (list, tuple)) else [outs]
    return F.concatenate([o.reshape(-1) for o in outs]) if len(outs) > 1 else outs[0]


def check_grads(f, argnum=None, modes=None, order=2):
    modes = modes or ["fwd", "rev"]

    def check(*args, **kwargs):
        if kwargs:  # HIPS passes keywords on to the function, held fixed
            return check_grads(lambda *a: f(*a, **kwargs), argnum, modes, order)(*args)
        xs = [np.asarray(a, dtype=float) for a in args]
        if argnum is not None:  # differentiate the chosen arguments only
            nums = (argnum,) if isinstance(argnum, int) else tuple(argnum)
            fixed = list(xs)

            def g(*ts):
                full = list(fixed)
                for k, t in zip(nums, ts):
                    full[k] = t
                return f(*full)
            return check_grads(g, None, modes, order)(*[xs[k] for k in nums])
        if "fwd" in modes:
            check_jvp(f, xs)
            if order > 1:
                n = len(xs)
                jf = lambda *ts: al.jvp(f, tuple(ts[:n]), tuple(ts[n:]))[1]  # noqa: E731
                check_grads(jf, None, modes, order - 1)(*xs, *_randn(xs))
        if "rev" in modes:
            check_vjp(f, xs)
            if order > 1:
                n = len(xs)
                y = _evaluate(f, xs)
                vf = lambda *ts: _flat(_vjp(f, list(ts[:n]), ts[n]))  # noqa: E731
                check_grads(vf, None, modes, order - 1)(*xs, np.random.randn(*np.shape(y)))
    return check


def combo_check(fun, *args, **kwargs):
    """HIPS's: check_grads over every combination of the given arguments and keywords."""
    from itertools import product

    def _combo_check(*arg_lists, **kwarg_lists):
        kwarg_key_vals = [[(k, x) for x in xs] for k, xs in kwarg_lists.items()]
        for _args in product(*arg_lists):
            for _kwargs in product(*kwarg_key_vals):
                kw = dict(_kwargs)
                check_grads(lambda *a, _kw=kw: fun(*a, **_kw), *args, **kwargs)(*_args)

    return _combo_check
