"""Rich display in notebooks: HTML for Values, Tensors, explanations and gradcheck reports.

Jupyter calls an object's ``_repr_html_`` when it shows it; the classes delegate to the
functions here, so the plain-text ``repr`` stays as it is and all HTML lives in one file.
Every piece of user text (labels, names) goes through :func:`html.escape`.

>>> from autograd_lite import Value
>>> "<b>x &lt;1&gt;</b>" in value_html(Value(2.0, "x <1>"))
True
"""

from __future__ import annotations

import html
from typing import Any, Iterable, List, Optional

import numpy as np

from .format import ARRAY_DIGITS, fmt
from .i18n import tr, tr_n
from .reading import MAX_TABLE_STEPS, SHORT_DIGITS, check_max_steps, formula, total
from .reading import preview as _preview

__all__ = ["value_html", "tensor_html", "array_html", "explanation_html", "gradcheck_html", "GRID_ROWS",
           "GRID_COLS"]

GRID_ROWS = 8  # a bigger array shows its first and last rows/columns with … between
GRID_COLS = 8
_EDGE = 3  # rows/columns kept at each end of a summarised axis

_INK = "#1F2933"
_MUTED = "#6B7785"
_BACK = "#C0392B"
_OK = "#1E8449"
_HOT = "#FFE08A"
_BOX = (f"display:inline-block;border:1px solid #98A2AD;border-radius:6px;padding:4px 8px;"
        f"font-family:ui-monospace,Menlo,Consolas,monospace;color:{_INK};background:#fff")


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def value_html(v: Any) -> str:
    """A Value as a small box: its name, op, data and grad (grad in red, as in the pictures)."""
    head = f"<b>{_e(v.label)}</b> " if v.label else ""
    op = f' <span style="color:{_MUTED}">op {_e(v.op)}</span>' if v.op else ""
    return (f'<div class="autograd-lite-value" style="{_BOX}">{head}<span style="color:{_MUTED}">Value'
            f"</span>{op} data <b>{_e(fmt(v.data))}</b> "
            f'<span style="color:{_BACK}">grad <b>{_e(fmt(v.grad))}</b></span></div>')


def _axis_index(n: int, limit: int) -> List[Optional[int]]:
    """Indices to show along an axis of length ``n``; ``None`` marks the elided middle."""
    if n <= limit:
        return list(range(n))
    return [*range(_EDGE), None, *range(n - _EDGE, n)]


def array_html(a: np.ndarray, color: str = _INK) -> str:
    """A small grid of an array (1-D as a row, 2-D as a table); bigger ones show their corners.

    Arrays of more than two dimensions show their first 2-D slice and say so.
    """
    a = orig = np.asarray(a)
    note = ""
    if a.ndim == 0:
        return f'<span style="color:{color}">{_e(fmt(a.item(), ARRAY_DIGITS))}</span>'
    if a.size == 0:  # nothing to show but the shape
        shape = "×".join(str(s) for s in a.shape)
        return f'<span style="color:{_MUTED}">empty array of shape {_e(shape)}</span>'
    if a.ndim > 2:
        note = (f'<div style="color:{_MUTED}">first slice [{", ".join("0" for _ in a.shape[:-2])}, :, :]'
                f" of {a.ndim} dimensions</div>")
        a = a[(0,) * (a.ndim - 2)]
    grid = a.reshape(1, -1) if a.ndim == 1 else a
    rows = _axis_index(grid.shape[0], GRID_ROWS)
    cols = _axis_index(grid.shape[1], GRID_COLS)
    cell = 'style="padding:1px 6px;text-align:right;border:1px solid #E1E5EA"'
    body = []
    for i in rows:
        tds = []
        for j in cols:
            text = "…" if i is None or j is None else fmt(grid[i, j], ARRAY_DIGITS)
            if i is None and j is None:
                text = "⋱"
            elif i is None:
                text = "⋮"
            tds.append(f"<td {cell}>{_e(text)}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    table = (f'<table style="border-collapse:collapse;color:{color};margin:2px 0">'
             + "".join(body) + "</table>")
    summarised = len(rows) < grid.shape[0] or len(cols) < grid.shape[1] or note
    if summarised and np.issubdtype(orig.dtype, np.number) and orig.size:
        lo, hi, mean = (_e(fmt(f(orig), ARRAY_DIGITS)) for f in (np.min, np.max, np.mean))
        stats = f'<div style="color:{_MUTED}">all {orig.size} elements: min {lo}, max {hi}, mean {mean}</div>'
    else:
        stats = ""
    return note + table + stats


def tensor_html(t: Any) -> str:
    """A Tensor: name, shape, dtype, how it was made, and grids of its data and grad."""
    shape = "×".join(str(s) for s in t.data.shape) or "scalar"
    facts = [f"shape {shape}", f"dtype {t.data.dtype}"]
    if t.op:
        facts.append(f"op {t.op}")
    if t.requires_grad and t.is_leaf:
        facts.append("requires_grad")
    head = (f"<b>{_e(t.label)}</b> " if t.label else "") + f'<span style="color:{_MUTED}">Tensor, ' \
        + _e(", ".join(facts)) + "</span>"
    grad = (f'<span style="color:{_MUTED}">None</span>' if t.grad is None
            else array_html(t.grad, _BACK))
    cols = (f'<td style="vertical-align:top;padding-right:16px"><div style="color:{_MUTED}">data</div>'
            f"{array_html(t.data)}</td>"
            f'<td style="vertical-align:top"><div style="color:{_BACK}">grad</div>{grad}</td>')
    return (f'<div class="autograd-lite-tensor" style="{_BOX}"><div>{head}</div>'
            f"<table><tr>{cols}</tr></table></div>")


def explanation_html(ex: Any, current: Optional[int] = None, quiz: bool = False,
                     max_steps: Optional[int] = None) -> str:
    """The step table of an :class:`~autograd_lite.explain.Explanation` as an HTML table.

    One row per edge, with the formula of its local derivative; ``current`` (1-based step)
    highlights that step's rows; ``quiz`` writes ``?`` for every computed grad.  Rows carry
    ``data-step`` attributes so a page can highlight them.
    """
    def preview(x: Any) -> str:  # the digits of the pictures beside it (and of table())
        return _preview(x, digits=SHORT_DIGITS)

    check_max_steps(max_steps, "explanation_html")
    limit = MAX_TABLE_STEPS if max_steps is None else int(max_steps)
    names = ex.names
    root_name = names[ex.root]
    title = _e(tr("Backward pass from {root} = {value}, seed {seed_name} = {seed}")).format(
        root=f"<b>{_e(root_name)}</b>", value=_e(preview(ex.root.data)),
        seed_name=_e(total(root_name, root_name)), seed=_e(preview(ex.seed)))
    header = [_e(tr(h)) for h in ("step", "node", "upstream", "parent", "local derivative",
                                  "sent = upstream × local", "parent.grad before → after")]
    th = "".join(f'<th style="text-align:left;padding:2px 8px;border-bottom:1px solid {_MUTED}">{h}</th>'
                 for h in header)
    rows = []
    shown = ex.steps[:limit]
    for k, step in enumerate(shown, 1):
        up = "?" if quiz and k > 1 else preview(step.upstream)
        style = f' style="background:{_HOT}"' if current == k else ""
        for j, e in enumerate(step.edges):
            local = preview(e.local) if e.local is not None else "vjp"
            if quiz:
                sent, around = "?", "?"
            else:
                sent = f"{up} × {local} = {preview(e.sent)}" if e.local is not None else preview(e.sent)
                around = f"{preview(e.before)} → {preview(e.after)}"
            cells = [str(k) if j == 0 else "", f"{names[step.node]} ({step.node.op})" if j == 0 else "",
                     up if j == 0 else "", names[e.parent], formula(e.node, e.index, names, SHORT_DIGITS),
                     sent, around]
            tds = "".join(f'<td style="padding:2px 8px">{_e(c)}</td>' for c in cells)
            rows.append(f'<tr class="step-row" data-step="{k}"{style}>{tds}</tr>')
    more = ""
    if len(shown) < len(ex.steps):
        steps = tr_n("… {n} more step", "… {n} more steps", len(ex.steps) - len(shown))
        more = f'<div style="color:{_MUTED}">{_e(steps.format(n=len(ex.steps) - len(shown)))}</div>'
    finals = ""
    if not quiz:
        grads = ", ".join(f"{n} = {preview(g)}" for n, g in ex.leaf_grads())
        finals = '<div class="final-grads">' + _e(tr("final grads: {grads}").format(grads=grads)) + "</div>"
    leaf = tr("{root} is a leaf: backward only seeds it.").format(root=root_name)
    empty = f"<div>{_e(leaf)}</div>" if not ex.steps else ""
    return (f'<div class="autograd-lite-explain" style="font-family:ui-monospace,Menlo,Consolas,monospace">'
            f"<div>{title}</div>{empty}"
            f'<table class="explain-table" style="border-collapse:collapse"><thead><tr>{th}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>{more}{finals}</div>")


def gradcheck_html(records: Iterable[Any]) -> str:
    """A gradcheck report as a table: each input's analytic and numeric gradient and a verdict."""
    rows = []
    for r in records:
        name = f"input {r.index}" + (f" {r.label!r}" if r.label else "")
        where = f"worst element {r.element} of shape {r.shape}" if r.element is not None else ""
        color = _OK if r.ok else _BACK
        verdict = "✓ ok" if r.ok else "✗ mismatch"
        cells = [name, where, fmt(r.analytic), fmt(r.numeric), fmt(r.abs_error)]
        tds = "".join(f'<td style="padding:2px 8px">{_e(c)}</td>' for c in cells)
        rows.append(f'<tr>{tds}<td style="padding:2px 8px;color:{color}"><b>{verdict}</b></td></tr>')
    th = "".join(f'<th style="text-align:left;padding:2px 8px">{h}</th>'
                 for h in ("input", "", "analytic", "numeric", "abs error", ""))
    return (f'<table class="autograd-lite-gradcheck" style="border-collapse:collapse;'
            f'font-family:ui-monospace,Menlo,Consolas,monospace"><thead><tr>{th}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")
