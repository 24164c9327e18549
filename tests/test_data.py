"""``autograd_lite.data.DataLoader``: batches in order, shuffled with a seed, drawn with
replacement (the book's way), drop_last, the progress bar, and bad arguments."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite.data import DataLoader


def _xt(n: int) -> Any:
    return np.arange(2.0 * n).reshape(n, 2), np.arange(n)


@settings(deadline=None, max_examples=60)
@given(st.integers(1, 40), st.integers(1, 50), st.booleans(), st.booleans(), st.integers(0, 2**32 - 1))
def test_one_pass_holds_every_row_once(n: int, size: int, shuffle: bool, drop_last: bool, seed: int) -> None:
    x, t = _xt(n)
    loader = DataLoader(x, t, batch_size=size, shuffle=shuffle, drop_last=drop_last, seed=seed)
    batches = list(loader)
    assert len(batches) == len(loader) == (n // size if drop_last else -(-n // size))
    rows = np.concatenate([tb for _, tb in batches]) if batches else np.zeros(0, int)
    assert all(len(tb) == size for _, tb in batches[:-1])
    if drop_last:
        assert all(len(tb) == size for _, tb in batches) and len(rows) == (n // size) * size
    else:
        assert sorted(rows.tolist()) == list(range(n))
    for xb, tb in batches:  # x and t stay paired
        assert np.array_equal(xb, x[tb])
    if not shuffle:
        assert rows.tolist() == list(range(len(rows)))
    else:
        assert rows.tolist() == np.random.default_rng(seed).permutation(n)[:len(rows)].tolist()


def test_each_pass_is_a_new_order_and_a_seed_repeats_them() -> None:
    x, t = _xt(20)
    a = DataLoader(x, t, batch_size=20, shuffle=True, seed=1)
    b = DataLoader(x, t, batch_size=20, shuffle=True, seed=1)
    first, second = [tb for _, tb in a][0], [tb for _, tb in a][0]
    assert not np.array_equal(first, second)
    assert np.array_equal(first, [tb for _, tb in b][0]) and np.array_equal(second, [tb for _, tb in b][0])


def test_in_order_batches_are_views_and_one_array_gives_arrays() -> None:
    x, _ = _xt(6)
    batches = list(DataLoader(x, batch_size=4))
    assert [b.shape for b in batches] == [(4, 2), (2, 2)] and np.shares_memory(batches[0], x)


def test_replacement_draws_what_the_book_draws() -> None:
    x, t = _xt(50)
    rng, book = np.random.default_rng(7), np.random.default_rng(7)
    loader = DataLoader(x, t, batch_size=8, shuffle=True, replacement=True, num_batches=30, seed=rng)
    got = [tb for _, tb in loader]
    assert len(got) == len(loader) == 30
    assert all(np.array_equal(g, book.choice(50, 8)) for g in got)
    assert len(DataLoader(x, batch_size=8, shuffle=True, replacement=True)) == 50 // 8


def test_a_generator_seed_shares_its_stream() -> None:
    x, _ = _xt(10)
    rng = np.random.default_rng(3)
    list(DataLoader(x, batch_size=10, shuffle=True, seed=rng))
    again = np.random.default_rng(3)
    again.permutation(10)
    assert rng.random() == again.random()


@pytest.mark.parametrize("args, kwargs, error, match", [
    ((), {}, TypeError, "give at least one array"),
    ((np.zeros((3, 1)), np.zeros(4)), {}, ValueError, r"same length along the first axis, got \[3, 4\]"),
    ((np.zeros(0),), {}, ValueError, "the arrays are empty"),
    ((np.float64(1.0),), {}, TypeError, "array 0 is a float64"),
    ((np.zeros(3),), {"batch_size": 0}, ValueError, "batch_size"),
    ((np.zeros(3),), {"batch_size": 2.5}, TypeError, "batch_size"),
    ((np.zeros(3),), {"shuffle": "yes"}, TypeError, "shuffle"),
    ((np.zeros(3),), {"replacement": True}, ValueError, "needs shuffle=True"),
    ((np.zeros(3),), {"shuffle": True, "replacement": True, "batch_size": 4}, ValueError,
     "more than the 3 rows"),
    ((np.zeros(3),), {"num_batches": 4}, ValueError, "num_batches is for replacement=True"),
    ((np.zeros(3),), {"seed": "a"}, TypeError, "seed must be an int"),
    ((np.zeros(3),), {"progress": "yes"}, TypeError, "progress must be True, False or None"),
])
def test_bad_arguments(args: Any, kwargs: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        DataLoader(*args, **kwargs)


def test_progress_bar_with_tqdm(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    x, _ = _xt(30)
    assert len(list(DataLoader(x, batch_size=3, progress=True, desc="epoch 1"))) == 10
    assert "epoch 1" in capsys.readouterr().err
    list(DataLoader(x, batch_size=3, progress=False, desc="quiet"))
    list(DataLoader(x, batch_size=1, desc="auto"))  # None: not a terminal here, so no bar
    assert capsys.readouterr().err == ""


def test_without_tqdm(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm` fail
    x, _ = _xt(300)
    with pytest.raises(ImportError, match="progress=True needs tqdm"):
        DataLoader(x, progress=True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert len(list(DataLoader(x, batch_size=1))) == 300  # a long loop, but no tqdm: no bar
    assert capsys.readouterr().err == ""


def test_a_long_loop_in_a_terminal_gets_a_bar_by_default(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    x, _ = _xt(200)
    list(DataLoader(x, batch_size=2, desc="short"))  # 100 batches: a long loop
    assert "short" in capsys.readouterr().err
    list(DataLoader(x, batch_size=3, desc="shorter"))  # 67 batches: no bar
    assert capsys.readouterr().err == ""
