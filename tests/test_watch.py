"""viz.watch: what it records is the model's own numbers, it never changes training, a failure
records nothing, its flags say what the numbers say, and bad input is refused up front."""

from __future__ import annotations

import html
import importlib
import json
import math
import re
from typing import Any, List, Tuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import viz
from autograd_lite import Tensor, Value, fmt, nn, optim
from autograd_lite.scalar_nn import MLP, Layer, Neuron
from viz.watch_page import bucket

watch_module = importlib.import_module("viz.watch")  # the module, not viz.watch the function


def moons_like(n: int, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    return x, np.where(x[:, 0] * x[:, 1] > 0, 1.0, -1.0)


def scalar_loss(model: Any, x: np.ndarray, y: np.ndarray) -> Value:
    scores = [model([Value(float(a)) for a in row]) for row in x]
    return sum(((1 + -float(t) * s).relu() for t, s in zip(y, scores)), Value(0.0)) * (1.0 / len(y))


def tensor_loss(net: Any, x: np.ndarray, y: np.ndarray) -> Tensor:
    return (1.0 - Tensor(y.reshape(-1, 1)) * net(Tensor(x))).relu().mean()


def params_of(model: Any) -> List[Any]:
    return list(model.parameters())


def snapshot(model: Any) -> List[Tuple[bytes, bytes]]:
    """Every parameter's data and grad, bit for bit."""
    out = []
    for p in params_of(model):
        g = p.grad
        out.append((np.asarray(p.data, dtype=np.float64).tobytes(),
                    b"none" if g is None else np.asarray(getattr(g, "data", g), dtype=np.float64).tobytes()))
    return out


def train(model: Any, x: np.ndarray, y: np.ndarray, steps: int, w: Any = None, fail_at: int = -1) -> None:
    opt = optim.SGD(params_of(model), lr=0.5)
    lossf = scalar_loss if isinstance(model, (MLP, Layer, Neuron)) else tensor_loss
    for k in range(steps):
        if k == fail_at:
            raise RuntimeError(f"injected fault at step {k}")
        loss = lossf(model, x, y)
        opt.zero_grad()
        loss.backward()
        if w is not None:
            w.record(loss)
        opt.step()


def tensor_net(sizes: List[int], act: Any, seed: int) -> nn.Sequential:
    mods: List[nn.Module] = []
    for i in range(len(sizes) - 1):
        mods.append(nn.Linear(sizes[i], sizes[i + 1], rng=seed + i))
        if i < len(sizes) - 2:
            mods.append(act())
    return nn.Sequential(*mods)


# ----------------------------------------------------------------- the numbers are the model's
@settings(deadline=None, max_examples=15)
@given(hidden=st.lists(st.integers(1, 5), min_size=0, max_size=2),
       act=st.sampled_from(["relu", "tanh", "sigmoid"]), seed=st.integers(0, 10**6),
       steps=st.integers(1, 3), n=st.integers(1, 5))
def test_scalar_record_is_the_models_weights_grads_and_forward(hidden: List[int], act: str, seed: int,
                                                               steps: int, n: int) -> None:
    model = MLP(2, [*hidden, 1], activation=act, seed=seed)
    x, y = moons_like(n, seed)
    w = viz.watch(model, x, labels=y)
    opt = optim.SGD(model.parameters(), lr=0.3)
    for _ in range(steps):
        loss = scalar_loss(model, x, y)
        opt.zero_grad()
        loss.backward()
        rec = w.record(loss)
        assert rec is not None and rec.loss == loss.data
        shown = w._encoded[-1]
        for li, layer in enumerate(model.layers):
            (W, b), (gW, gb) = rec.weights[li], rec.grads[li]
            for j, neuron in enumerate(layer.neurons):
                for i, p in enumerate(neuron.w):
                    assert W[i, j] == p.data and gW[i, j] == p.grad  # exact copies
                    assert shown["layers"][li]["w"][i * len(layer.neurons) + j] == fmt(p.data, 6)
                    assert shown["layers"][li]["gw"][i * len(layer.neurons) + j] == fmt(p.grad, 6)
                assert b[j] == neuron.b.data and gb[j] == neuron.b.grad
                assert shown["layers"][li]["gb"][j] == fmt(neuron.b.grad, 6)
            grads = [p.grad for p in layer.parameters()]
            assert rec.norms[li] == pytest.approx(math.sqrt(math.fsum(g * g for g in grads)), rel=1e-12)
        # each point's forward: the model's own neurons, called on Values, bit for bit
        for k, row in enumerate(x):
            inputs: Any = [Value(float(v)) for v in row]
            for li, layer in enumerate(model.layers):
                outs = [neuron(inputs) for neuron in layer.neurons]
                assert [o.data for o in outs] == rec.forward[li][1][k].tolist()
                assert shown["layers"][li]["a"][k] == [fmt(o.data, 4) for o in outs]
                inputs = outs
        opt.step()
    assert len(w.records) == steps


@settings(deadline=None, max_examples=10)
@given(hidden=st.lists(st.integers(1, 6), min_size=1, max_size=2),
       act=st.sampled_from([nn.ReLU, nn.Tanh, nn.Sigmoid]), seed=st.integers(0, 10**6), n=st.integers(1, 6))
def test_tensor_record_is_the_models_weights_grads_and_forward(hidden: List[int], act: Any, seed: int,
                                                               n: int) -> None:
    net = tensor_net([2, *hidden, 1], act, seed)
    x, y = moons_like(n, seed)
    w = viz.watch(net, x)
    loss = tensor_loss(net, x, y)
    loss.backward()
    rec = w.record(loss)
    assert rec is not None
    linears = [m for m in net if isinstance(m, nn.Linear)]
    for li, lin in enumerate(linears):
        assert np.array_equal(rec.weights[li][0], lin.W.data)
        assert np.array_equal(rec.weights[li][1], lin.b.data)
        assert np.array_equal(rec.grads[li][0], lin.W.grad) and np.array_equal(rec.grads[li][1], lin.b.grad)
        assert w._encoded[-1]["layers"][li]["gw"] == [fmt(v, 6) for v in lin.W.grad.ravel().tolist()]
    out = net(Tensor(x))
    assert np.array_equal(rec.forward[-1][1], out.data)


@pytest.mark.parametrize("kind", ["scalar", "tensor"])
def test_watching_gives_bit_identical_training(kind: str) -> None:
    x, y = moons_like(12, 3)
    runs = []
    for watched in (False, True):
        model = MLP(2, [6, 6, 1], seed=5) if kind == "scalar" else tensor_net([2, 6, 6, 1], nn.Tanh, 5)
        w = viz.watch(model, x[:8], max_steps=20) if watched else None
        train(model, x, y, 6, w)
        runs.append(snapshot(model))
    assert runs[0] == runs[1]


def test_the_moons_demo_watched_trains_the_same_and_writes_the_page(tmp_path: Any) -> None:
    from demos import moons

    plain = moons.train(n_samples=20, steps=4, show_progress=False)
    seen = moons.train(n_samples=20, steps=4, show_progress=False, watched=True)
    assert plain["watch"] is None and len(seen["watch"].records) == 4
    assert plain["history"] == seen["history"] and snapshot(plain["model"]) == snapshot(seen["model"])
    assert moons.main(["--fast", "--no-plot", "--watch", "-o", str(tmp_path)]) == 0
    page = (tmp_path / "moons_watched.html").read_text(encoding="utf-8")
    assert "micrograd&#x27;s moons MLP 2-16-16-1, 40 SGD steps" in page


def test_every_records_every_kth_step_and_counts_steps() -> None:
    model = MLP(2, [3, 1], seed=0)
    x, y = moons_like(4)
    w = viz.watch(model, x, every=3)
    train(model, x, y, 7, w)
    assert [r.step for r in w.records] == [0, 3, 6]


# ----------------------------------------------------------------- failures change nothing
def test_a_loop_that_raises_leaves_the_model_and_the_view_as_they_were() -> None:
    x, y = moons_like(10, 1)
    plain = MLP(2, [5, 1], seed=2)
    with pytest.raises(RuntimeError, match="injected fault at step 3"):
        train(plain, x, y, 6, None, fail_at=3)
    model = MLP(2, [5, 1], seed=2)
    with pytest.raises(RuntimeError, match="injected fault at step 3"):
        with viz.watch(model, x) as w:
            train(model, x, y, 6, w, fail_at=3)
    assert snapshot(model) == snapshot(plain)
    assert [r.step for r in w.records] == [0, 1, 2]
    data = json.loads(re.search(r'id="watch-data">(.*?)</script>', w.html(), re.S).group(1))
    assert len(data["records"]) == 3


@pytest.mark.parametrize("where", ["encode_record", "health_flags"])
def test_a_fault_inside_record_records_nothing(where: str, monkeypatch: Any) -> None:
    x, y = moons_like(6, 2)
    model = MLP(2, [4, 1], activation="tanh", seed=1)
    w = viz.watch(model, x)
    train(model, x, y, 2, w)
    page, before_calls = w.html(), w._calls
    loss = scalar_loss(model, x, y)
    loss.backward()
    before = snapshot(model)

    def fault(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("injected fault inside record")

    monkeypatch.setattr(watch_module, where, fault)
    with pytest.raises(RuntimeError, match="injected fault inside record"):
        w.record(loss)
    assert snapshot(model) == before
    assert len(w.records) == 2 and w._calls == before_calls and w.html() == page
    monkeypatch.undo()
    assert w.record(loss).step == 2  # the failed call did not count as a step


def test_a_record_beyond_max_steps_is_refused_and_changes_nothing() -> None:
    x, y = moons_like(4)
    model = MLP(2, [3, 1], seed=0)
    w = viz.watch(model, x, max_steps=2)
    train(model, x, y, 2, w)
    page = w.html()
    with pytest.raises(ValueError, match=r"2 steps recorded, max_steps=2; .*every=k"):
        train(model, x, y, 1, w)
    assert w.html() == page


# ----------------------------------------------------------------- flags say what the numbers say
def _saturated_tanh() -> Tuple[MLP, np.ndarray, np.ndarray]:
    model = MLP(2, [6, 6, 1], activation="tanh", seed=4)
    for layer in model.layers[:2]:
        for p in layer.parameters():
            p.data *= 30.0
    x, y = moons_like(8, 4)
    return model, x, y


def test_vanishing_flag_names_the_saturated_tanh_with_its_true_slope() -> None:
    model, x, y = _saturated_tanh()
    w = viz.watch(model, x)
    loss = scalar_loss(model, x, y)
    loss.backward()
    rec = w.record(loss)
    vanishing = [f for f in rec.flags if f.kind == "vanish"]
    assert vanishing, [f.text for f in rec.flags]
    flagged = int(vanishing[0].layer[1:]) - 1
    text = vanishing[0].text
    m = re.search(r"tanh saturated in (L\d): 1 - t² = (\S+) \(mean over 8 points × 6 neurons\)", text)
    assert m, text
    layer = model.layers[int(m.group(1)[1:]) - 1]
    slopes = []  # the oracle: the model's own neurons on Values
    for row in x:
        inputs: Any = [Value(float(v)) for v in row]
        for lay in model.layers:
            outs = [n(inputs) for n in lay.neurons]
            if lay is layer:
                slopes += [1 - o.data ** 2 for o in outs]
            inputs = outs
    assert m.group(2) == fmt(float(np.mean(slopes)), 2)
    norms = [math.sqrt(math.fsum(p.grad ** 2 for p in lay.parameters())) for lay in model.layers]
    top = max(norms)
    assert f"gradient norm {fmt(norms[flagged], 3)} is {fmt(norms[flagged] / top, 2)} × " in text
    assert norms[flagged] < 1e-3 * top


def test_dead_relu_flag_counts_the_dead_neurons() -> None:
    model = MLP(2, [5, 5, 1], seed=1)
    for n in model.layers[1].neurons:
        n.b.data = -100.0  # L2's neurons never fire: nothing flows back through them
    x, y = moons_like(6, 1)
    w = viz.watch(model, x)
    loss = scalar_loss(model, x, y)
    loss.backward()
    rec = w.record(loss)
    texts = " | ".join(f.text for f in rec.flags)
    hidden = [model.layers[0]([Value(float(v)) for v in row]) for row in x]
    dead = sum(all(n(h).data <= 0 for h in hidden) for n in model.layers[1].neurons)
    assert dead == 5 and [(f.layer, f.kind) for f in rec.flags] == [("L1", "vanish"), ("L2", "vanish")]
    assert texts.count(f"ReLU dead in L2: {dead} of 5 neurons have z ≤ 0 on all 6 watched points") == 2
    assert rec.flags[0].text.startswith("L1: gradient norm 0 is 0 × L3's ")


def test_exploding_and_nan_flags() -> None:
    model = MLP(2, [3, 1], seed=0)
    x, y = moons_like(3)
    w = viz.watch(model, x, explode=10.0)
    loss = scalar_loss(model, x, y) * 1e6
    loss.backward()
    rec = w.record(loss)
    kinds = {(f.layer, f.kind) for f in rec.flags}
    assert ("L1", "explode") in kinds or ("L2", "explode") in kinds
    assert any(f"> explode=10; the loss is {fmt(loss.data, 4)}" in f.text for f in rec.flags)
    model.layers[0].neurons[0].w[0].grad = math.nan
    rec = w.record(math.nan)
    assert rec.flags[0].text == "the loss is nan"
    assert any(f.layer == "L1" and f.kind == "explode" and "gradient norm nan" in f.text for f in rec.flags)
    page = w.html()
    data = json.loads(re.search(r'id="watch-data">(.*?)</script>', page, re.S).group(1))  # strict JSON
    assert data["records"][-1]["loss"] == "nan" and data["records"][-1]["layers"][0]["e"][0] == -1


def test_the_module_docstring_runs() -> None:
    import doctest

    result = doctest.testmod(watch_module)
    assert result.attempted >= 8 and result.failed == 0


def test_bucket_is_log_scaled_and_clipped() -> None:
    grads = [0.0, 1e-9, 1e-6, 1e-3, -1.0, 1e4, 1e30]
    assert [bucket(g) for g in grads] == [0, 0, 0, 6, 12, 20, 20]
    assert bucket(math.inf) == bucket(math.nan) == -1


# ----------------------------------------------------------------- hostile input
@pytest.mark.parametrize("model, match", [
    ([1, 2], "got list"),
    (nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5)), r"'1' \(Dropout\) is not a Linear"),
    (nn.Sequential(nn.ReLU(), nn.Linear(2, 3)), r"'0' \(ReLU\) follows no Linear"),
    (nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Tanh()), r"'2' \(Tanh\) follows no Linear"),
    (Value(1.0), "got Value"),
])
def test_wrong_model_types_are_refused(model: Any, match: str) -> None:
    with pytest.raises(TypeError, match=match):
        viz.watch(model, np.zeros((1, 2)))


def test_huge_sizes_are_refused_up_front_with_the_sizes() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    x = np.zeros((32, 2))
    with pytest.raises(ValueError, match=r"max_steps must be from 1 to 10000, got 1000000"):
        viz.watch(model, x, max_steps=10**6)
    with pytest.raises(ValueError, match=r"10000 steps × 2786 numbers a step .* = 27860000 numbers, more "
                                         r"than 5000000; lower max_steps"):
        viz.watch(model, x, max_steps=10_000)
    with pytest.raises(ValueError, match=r"33 points given but max_points=32; watch fewer \(points\[:32\]\)"):
        viz.watch(model, np.zeros((33, 2)))
    with pytest.raises(ValueError, match="max_points must be from 1 to 1000"):
        viz.watch(model, x, max_points=10**9)
    with pytest.raises(ValueError, match=r"a column of 100 neurons and 300 weights; the picture draws at "
                                         r"most 64"):
        viz.watch(MLP(2, [100, 1]), x)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"points": np.zeros((3, 5))}, ValueError, r"shape \(points, 2\) .* got shape \(3, 5\)"),
    ({"points": [[0.0, math.nan]]}, ValueError, "points holds values that are not finite"),
    ({"points": "abc"}, TypeError, "points must be an array of numbers"),
    ({"labels": [1.0, 2.0]}, ValueError, "2 labels for 1 points"),
    ({"every": 0}, ValueError, "every must be from 1"),
    ({"every": 1.5}, TypeError, "every must be an int"),
    ({"vanish": 2.0}, ValueError, "vanish must be between 0 and 1"),
    ({"explode": math.inf}, TypeError, "explode must be a finite number"),
    ({"title": 3}, TypeError, "title must be a str"),
])
def test_bad_options_are_refused(kwargs: Any, error: Any, match: str) -> None:
    args = {"points": np.zeros((1, 2))}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        viz.watch(MLP(2, [2, 1], seed=0), **args)


def test_bad_losses_and_missing_grads_are_refused_and_record_nothing() -> None:
    net = tensor_net([2, 3, 1], nn.ReLU, 0)
    w = viz.watch(net, np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"'0.W' of Linear\(2, 3.* has no grad yet; call loss.backward\(\)"):
        w.record()
    with pytest.raises(TypeError, match="got a bool"):
        w.record(True)
    with pytest.raises(ValueError, match=r"one number, got a Tensor of shape \(3,\)"):
        w.record(Tensor(np.zeros(3)))
    with pytest.raises(TypeError, match="got str"):
        w.record("0.5")
    assert w.records == () and w._calls == 0


def test_without_anywidget_a_notebook_shows_the_still_page(monkeypatch: Any) -> None:
    import sys

    model = MLP(2, [3, 1], seed=0)
    x, y = moons_like(3)
    w = viz.watch(model, x)
    train(model, x, y, 1, w)
    monkeypatch.setitem(sys.modules, "viz.watch_widget", None)  # as if anywidget were not installed
    with pytest.raises(ImportError, match=r"pip install 'autograd_lite\[notebook\]'"):
        w.widget()
    bundle = w._repr_mimebundle_()
    assert bundle["text/plain"] == repr(w)
    assert '<iframe class="autograd-lite-watch" sandbox="allow-scripts"' in bundle["text/html"]
    assert html.escape(w.html(), quote=True) in bundle["text/html"]
    train(model, x, y, 1, w)  # recording goes on without a widget
    assert len(w.records) == 2


def test_the_widget_follows_the_records() -> None:
    pytest.importorskip("anywidget", reason="anywidget is not installed (the 'notebook' extra)")
    model = MLP(2, [3, 1], seed=0)
    x, y = moons_like(3)
    w = viz.watch(model, x)
    train(model, x, y, 1, w)
    widget = w.widget()
    assert widget.records == w._encoded and widget.static["svg"].startswith("<svg")
    train(model, x, y, 2, w)
    assert widget.latest == {"index": 2, "record": w._encoded[2]} and len(widget.records) == 1
    w.finish()
    assert widget.records == w._encoded and widget.latest == {}
    widget._on_msg(widget, {"type": "resync"}, [])
    assert widget.records == w._encoded


def test_the_page_is_self_contained() -> None:
    model = MLP(2, [3, 1], seed=0)
    x, y = moons_like(3)
    w = viz.watch(model, x, labels=y, title="A </script> title")
    train(model, x, y, 2, w)
    page = w.html()
    assert "default-src 'none'" in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page and page.count("</script>") == 2
    assert repr(w) == "<Watch of a 2-3-1 network: 2 of at most 200 steps recorded, 3 points>"


def test_the_screenshots_are_pngs_that_fit_a_slide() -> None:
    import struct
    from pathlib import Path

    images = Path(__file__).resolve().parent.parent / "docs" / "images" / "watch"
    for name in ("moons.png", "moons_step0.png", "vanishing.png"):
        head = (images / name).read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", head[16:24])
        assert 0 < width <= 2000 and height > 0, (name, width)
