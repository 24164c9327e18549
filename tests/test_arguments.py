"""grad / value_and_grad with keywords and tuple arguments, and grad_and_aux (autograd_lite.arguments):
hand values, central differences, second order through a tuple argument, and bad use refused."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_lite import Tensor, Value, grad, grad_and_aux, value_and_grad


def test_keywords_go_to_f_and_are_not_differentiated() -> None:
    f = lambda w, x=1.0, scale=1.0: (w * x) ** 2 * scale  # noqa: E731
    assert grad(f)(3.0, x=2.0, scale=0.5) == 12.0  # d/dw 0.5 (2w)² = 4w
    assert value_and_grad(f)(3.0, x=2.0) == (36.0, 24.0)
    assert grad(f, argnums=(0,))(3.0, scale=2.0) == (12.0,)


def test_a_tuple_argument_gets_a_gradient_of_its_structure() -> None:
    g = grad(lambda p: p[0] * p[1][0] + p[1][1])((3.0, [4.0, 5.0]))
    assert g == (4.0, [3.0, 1.0]) and type(g) is tuple and type(g[1]) is list
    x = np.array([1.0, 2.0])
    ws = (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -1.0]))
    loss = lambda x, ws: ((ws[0] @ x + ws[1]) ** 2).sum()  # noqa: E731
    value, (gx, gw) = value_and_grad(loss, argnums=(0, 1))(x, ws)
    assert value == loss(x, ws)
    eps = 1e-6
    for k in range(2):
        for idx in np.ndindex(*ws[k].shape):
            hi = [w.copy() for w in ws]
            lo = [w.copy() for w in ws]
            hi[k][idx] += eps
            lo[k][idx] -= eps
            num = (loss(x, tuple(hi)) - loss(x, tuple(lo))) / (2 * eps)
            assert gw[k][idx] == pytest.approx(num, rel=1e-6)
    np.testing.assert_allclose(gx, 2 * ws[0].T @ (ws[0] @ x + ws[1]), rtol=1e-15)


def test_second_derivatives_through_a_tuple_argument() -> None:
    f = lambda p: p[0] ** 3 * p[1]  # noqa: E731
    d2 = grad(lambda p: grad(f)(p)[0])((2.0, 5.0))  # ∂/∂p of 3 p0² p1
    assert d2 == (60.0, 12.0)
    t = (Tensor([2.0], requires_grad=True), Tensor([5.0], requires_grad=True))
    g = grad(lambda p: (p[0] ** 3 * p[1]).sum())(t)
    assert isinstance(g[0], Tensor) and g[0].requires_grad  # nodes in, nodes out


def test_grad_and_aux_returns_the_aux_as_f_gave_it() -> None:
    aux = {"logits": [1, 2]}
    g, got = grad_and_aux(lambda x, y: (x * y, aux), argnums=(0, 1))(3.0, 4.0)
    assert g == (4.0, 3.0) and got is aux
    g, got = grad_and_aux(lambda x, k=2.0: (x ** k, x))(Value(3.0), k=3.0)
    assert isinstance(g, Value) and g.data == 27.0 and isinstance(got, Value)


def test_bad_uses_are_refused_naming_the_function() -> None:
    with pytest.raises(TypeError, match="grad_and_aux: f must return a pair"):
        grad_and_aux(lambda x: x * x)(3.0)
    with pytest.raises(ValueError, match="grad: the arguments to differentiate .* hold no numbers"):
        grad(lambda p, x: x * 2.0)((), 3.0)
    with pytest.raises(ValueError, match="argnums 2 is out of range"):
        grad(lambda p, x: x, argnums=2)((1.0,), 3.0)
    with pytest.raises(TypeError, match="grad: f raised TypeError .* are tuples or lists"):
        grad(lambda v: v * v)([1.0, 2.0])  # a list is a structure, not a vector
    with pytest.raises(TypeError, match="use one kind"):
        grad(lambda p: p[0] * p[1][0])((Value(1.0), np.ones(1)))
