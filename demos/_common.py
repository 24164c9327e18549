"""What every demo needs and nothing else: output folder, progress bar, plots, summary table.

Not a demo itself (the CLI runs ``demos.<name>.main``; this module has no ``main``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, Optional, Sequence, Tuple, TypeVar

import numpy as np

from autograd_lite import fmt

T = TypeVar("T")

DEFAULT_OUT = Path("out")


def parser(name: str, doc: Optional[str],
           out_help: str = "folder for the pictures") -> argparse.ArgumentParser:
    """The options every demo shares: ``-o/--out-dir``, ``--no-plot``, ``--fast``."""
    # __package__ is "demos" in a checkout and "autograd_lite_demos" when installed (see setup.cfg).
    p = argparse.ArgumentParser(prog=f"python -m {__package__}.{name}", description=doc,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-o", "--out-dir", type=Path, default=DEFAULT_OUT / name,
                   help=f"{out_help} (default: {DEFAULT_OUT / name})")
    p.add_argument("--no-plot", action="store_true", help="do not write any picture")
    p.add_argument("--fast", action="store_true", help="a small, quick run (used by the tests)")
    return p


def out_path(out_dir: Path, filename: str) -> Path:
    """``out_dir / filename``, creating the folder on first use."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return out_dir / filename


def pyplot() -> Any:
    """matplotlib's pyplot on the file-only Agg backend (no window, works on servers).

    Raises ImportError with the install command when matplotlib is missing.
    """
    try:
        import matplotlib
    except ImportError as e:  # an optional extra: say how to get it
        raise ImportError("this picture needs matplotlib: pip install 'autograd_lite[demos]'") from e
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def missing_extra(demo: str, what: str, module: str = "matplotlib") -> bool:
    """True, after one line on stderr saying how to get it, when ``module`` cannot be imported.

    Called before a demo does any work, so a plain ``pip install`` (without the ``demos``
    extra) gets the install command at once instead of a traceback after the training.
    """
    try:
        importlib.import_module(module)
    except ImportError:
        print(f"{demo}: {what} needs {module}, which is not installed: "
              "pip install 'autograd_lite[demos]', or run with --no-plot", file=sys.stderr)
        return True
    return False


def progress(items: Iterable[T], total: int, desc: str, enabled: bool = True) -> Iterator[T]:
    """Iterate with a progress bar: tqdm when installed, else a plain line every 10%."""
    if not enabled:
        yield from items
        return
    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None
    if tqdm is not None:
        yield from tqdm(items, total=total, desc=desc, leave=False, file=sys.stderr, mininterval=0.5)
        return
    step = max(1, total // 10)
    start = time.perf_counter()
    for i, item in enumerate(items, 1):
        yield item
        if i % step == 0 or i == total:
            print(f"{desc}: {i}/{total} ({100 * i // total}%, {time.perf_counter() - start:.1f} s)",
                  file=sys.stderr)


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run numpy's matrix products on one thread (via threadpoolctl, when installed).

    The demos multiply small matrices (100 x 784 by 784 x 50) thousands of times.  Threads
    gain nothing at that size, and on a machine shared with other jobs, BLAS threads that
    wait for a busy core slowed the MNIST demo ten- to twentyfold in our measurements.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # comes with scikit-learn (the 'demos' extra); without it, no limit
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def missing_picture(demo: str, error: Exception) -> Tuple[str, str]:
    """Report a picture that could not be made (no Graphviz ``dot``, no Pillow) on stderr.

    The demo's numbers are still printed and checked; it then exits with status 1, the
    CLI's code for "the environment cannot do it".
    """
    print(f"{demo}: {error}", file=sys.stderr)
    return ("picture", f"not written: {str(error).splitlines()[0]}")


def grad_of(t: Any) -> np.ndarray:
    """A Tensor's ``.grad`` after ``backward()``; a clear error if it got none."""
    if t.grad is None:
        raise RuntimeError(f"no gradient reached this tensor (shape {t.shape}); did backward() run?")
    return np.asarray(t.grad)


def summary(title: str, rows: Sequence[Tuple[str, Any]]) -> None:
    """Print a titled two-column table; numbers go through :func:`autograd_lite.fmt`."""
    cells = [(k, v if isinstance(v, str) else fmt(v)) for k, v in rows]
    width = max(len(k) for k, _ in cells)
    print(f"\n== {title} ==")
    for k, v in cells:
        print(f"  {k.ljust(width)}  {v}")


def wrap_title(title: str, width: int = 75) -> str:
    """Every line of a plot title wrapped to the accuracy plot's width (at 10 pt, ~75 characters):
    a long title is not clipped at the figure's edge."""
    return "\n".join(textwrap.fill(line, width) for line in title.splitlines())


def plot_accuracy(history: Dict[str, Dict[str, Any]], styles: Dict[str, Tuple[str, str]], path: Path,
                  title: str) -> None:
    """Train and test accuracy per epoch, one line style per build (``styles[build] = (name, ls)``)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for build, h in history.items():
        name, ls = styles[build]
        epochs = np.arange(len(h["train"]))
        ax.plot(epochs, h["train"], ls, color="#1f6fb4", label=f"train ({name})")
        ax.plot(epochs, h["test"], ls, color="#d9541e", label=f"test ({name})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0.0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title(wrap_title(title), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
