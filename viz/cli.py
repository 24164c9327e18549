"""The ``autograd-lite`` command (also ``python -m autograd_lite``).

Subcommands: ``draw`` (picture of an expression's graph with its gradients), ``explain``
(the backward pass as a step table, optionally as frames), ``demo`` (run a program from
``demos/``), ``repl`` (a Python console with the library imported).

Exit codes: 0 success; 2 bad input -- a refused or invalid expression, a malformed or
repeated ``name=value``, an expression whose picture or frames would be too big to make in
seconds, an unknown demo, or a math domain error while evaluating (``log(-1)``, ``1/0``,
overflow); 1 the environment cannot do it (Graphviz ``dot`` or Pillow missing, a file that
cannot be written).  Input errors are one line on stderr, before anything is written; a
``name=value`` the expression does not use is a one-line warning.  Every hint names what
can be typed here: a flag of this command, never a Python argument.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

from autograd_lite import DomainError, Value, __version__, explain, fmt
from autograd_lite.explain import Explanation
from autograd_lite.i18n import tr, tr_mark, using
from autograd_lite.reading import graph_nodes, preview

from .cli_demo import BANNER, DEMO_PACKAGES, _cmd_demo, _cmd_repl, _demo_names, _demos, _Usage, repl_namespace  # noqa: F401
from .cli_lang import Formatter, lang_option, localize
from .expr import FUNCTIONS, ExpressionError, evaluate, parse_bindings

PROG = "autograd-lite"
EXPR_HELP = tr_mark("an arithmetic expression in quotes: numbers, your variables, pi, e, + - * / **, "
                    'unary -, and {functions}; start it with a space (" -x") or put -- before it if it '
                    "begins with -")
PICTURE_SUFFIXES = (".png", ".svg", ".pdf", ".dot", ".gv")
# Budgets measured on this project's worst shapes (docs/api.md, "Limits of the command line").
# Graphviz's layout time grows with the boxes and edges it places and, steeply, with the
# bends of edges that skip ranks (x*x*...*x: every use of x reaches past all the products
# before it): 40 factors (layout size 1680) took 8 s, 45 took 63 s, 50 took 197 s.
MAX_LAYOUT = 600
# A PNG is rasterised by cairo at 144 dpi (viz.draw.pipe) in about 0.2 s per million pixels
# here, whatever the graph: a 60-value chain is 15000 x 4000 px (61 Mpx, 10 s).  SVG and PDF
# are vector: the same pictures take under half a second.
PNG_DPI = 144
MAX_PNG_MEGAPIXELS = 25
# explain --steps draws one full PNG per step (all of the same size) and an animated GIF of
# them: beyond 8 frames the sequence is no lesson, and beyond 25 Mpx of frames in all it takes
# more than a few seconds (x*x*...*x with 8 factors: 8 frames of 8 Mpx, 15 s).
MAX_FRAMES = 8
MAX_FRAMES_MEGAPIXELS = 25


def _parser() -> argparse.ArgumentParser:
    raw = Formatter
    expr_help = tr(EXPR_HELP).format(functions=", ".join(FUNCTIONS))
    variable = tr("a number for each variable, e.g. x=1")
    p = argparse.ArgumentParser(
        prog=PROG, formatter_class=raw,
        description=tr("autograd_lite: the chain rule you can run, see and check."),
        epilog=(tr("examples:") + "\n"
                f'  {PROG} draw "(x + y)**2" x=1 y=2 -o z.png\n'
                f'  {PROG} explain "(x + y)**2" x=1 y=2\n'
                f"  {PROG} demo apple-orange -o graph.png\n"
                f"  {PROG} repl\n\n"
                + tr("exit codes: 0 done; 2 bad input (a refused expression, a malformed or repeated\n"
                     "name=value, a picture too big to draw in seconds, an unknown demo, or a math domain\n"
                     "error such as log(-1)); 1 Graphviz or Pillow missing.")),
    )
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    p.add_argument("--lang", choices=["en", "zh"],
                   help=tr("the language of the words: en or zh (default: the LANG environment)"))
    sub = p.add_subparsers(dest="command", metavar="{draw,explain,demo,repl}")

    d = sub.add_parser(
        "draw", formatter_class=raw,
        help=tr("render an expression's graph with data, grads and local derivatives"),
        description=tr("Build the graph of EXPR, run backward, and render it (PNG, SVG, PDF or DOT by "
                       "suffix)."),
        epilog=tr("example:") + f'\n  {PROG} draw "(x + y)**2" x=1 y=2 -o z.png\n'
               f'  {PROG} draw "tanh(w*x + b)" w=0.5 x=2 b=-1 -o neuron.svg --check')
    d.add_argument("expr", help=expr_help)
    d.add_argument("bindings", nargs="*", metavar="name=value", help=variable)
    d.add_argument("-o", "--output", default="graph.png",
                   help=tr("output file: .png, .svg, .pdf or .dot (default: graph.png); .svg for big graphs"))
    d.add_argument("--rankdir", default="LR", choices=["LR", "TB"], help=tr("layout direction (default LR)"))
    d.add_argument("--no-backward", action="store_true", help=tr("draw the forward graph only"))
    d.add_argument("--check", action="store_true",
                   help=tr("gradcheck the inputs and write analytic vs numeric"))
    d.add_argument("--max-nodes", type=int, default=150,
                   help=tr("draw at most this many values (default 150)"))

    e = sub.add_parser(
        "explain", formatter_class=raw, help=tr("print the backward pass step by step"),
        description=tr("Build the graph of EXPR and print every chain-rule step of its backward pass."),
        epilog=tr("example:") + f'\n  {PROG} explain "(x + y)**2" x=1 y=2\n'
               f'  {PROG} explain "x*y + exp(x)" x=1 y=2 --steps frames/')
    e.add_argument("expr", help=expr_help)
    e.add_argument("bindings", nargs="*", metavar="name=value", help=variable)
    e.add_argument("--steps", metavar="DIR",
                   help=tr("also write one PNG per step and a GIF to DIR; at most {n} frames").format(
                       n=MAX_FRAMES))
    e.add_argument("--quiz", action="store_true",
                   help=tr("with --steps: hide the grads for learners to fill in"))
    e.add_argument("--no-gif", action="store_true", help=tr("with --steps: PNG frames only"))

    m = sub.add_parser(
        "demo", formatter_class=raw, help=tr("run a demo program (apple-orange, chain-rule, ...)"),
        description=tr("Run demos/<NAME>.py (dashes become underscores); the remaining arguments go to it."),
        epilog=tr("example:") + f"\n  {PROG} demo apple-orange -o graph.png\n"
                                f"  {PROG} demo apple-orange --help")
    m.add_argument("name", nargs="?", help=tr("the demo to run; leave out to list them"))
    m.add_argument("args", nargs=argparse.REMAINDER, help=tr("arguments for the demo"))

    sub.add_parser(
        "repl", formatter_class=raw, help=tr("a Python console with Value, Tensor, explain and viz imported"),
        description=tr("Open an interactive Python console with the library imported."),
        epilog=tr("example:") + f"\n  {PROG} repl\n"
               "  >>> z = (Value(1.0, 'x') + 2)**2; z.backward(); print(explain(z))")
    return localize(p)


def _build(args: argparse.Namespace) -> Tuple[Value, List[str], List[str]]:
    """The graph of the expression, the names given, and a warning per ``name=value`` it does not use."""
    try:
        names = parse_bindings(args.bindings)
        root = evaluate(args.expr, names)
    except ExpressionError as err:
        raise _Usage(tr("refused: {error}").format(error=err)) from None
    except (DomainError, ZeroDivisionError, OverflowError) as err:
        raise _Usage(tr("math error: {error}").format(error=err)) from None
    used = {n.label for n in graph_nodes(root) if not n.parents}
    warnings = [tr("warning: {name}={value} is not used in {expr}").format(
                    name=name, value=fmt(v), expr=repr(args.expr.strip()))
                for name, v in names.items() if name not in used]
    return root, list(names), warnings


def _warn(args: argparse.Namespace, warnings: List[str]) -> None:
    for w in warnings:
        print(f"{PROG} {args.command}: {w}", file=sys.stderr)


def layout_size(root: Value, max_nodes: int) -> Tuple[int, int, int]:
    """``(values, edges, size)`` of the picture ``draw`` makes of ``root`` with ``max_nodes``.

    ``size`` counts what Graphviz must place: the value boxes and op circles, the edges,
    the small copies ``draw`` makes for uses far from their value, and one bend for every
    rank any other edge skips (ranks as late as possible: a value sits just before its
    first use, as Graphviz's ranking puts it).  Linear in the graph.
    """
    from .layout import far_uses, keep

    nodes, every = keep(root, max_nodes)
    cut = len(every) - len(nodes)
    kept = set(nodes)
    ops = [n for n in nodes if n.parents]
    rank = {root: 0}
    for n in reversed(nodes):  # newest first: every use of a value is ranked before the value
        for p in n.parents:
            if p in kept:
                rank[p] = max(rank.get(p, 0), rank[n] + 2)  # the op circle sits between
    far = far_uses(nodes, root)  # uses draw draws from a small copy of the value: no long edge
    edges = bends = copies = 0
    for n in ops:
        uses = [(i, p) for i, p in enumerate(n.parents) if p in kept]
        edges += 1 + len(uses) + (len(uses) < len(n.parents))  # op -> value, parents -> op, "more"
        for i, p in uses:
            if (n, i) in far:
                copies += 1
            else:
                bends += rank[p] - rank[n] - 2
    return len(nodes), edges, len(nodes) + len(ops) + copies + bool(cut) + edges + bends


def _cmd_draw(args: argparse.Namespace) -> int:
    if Path(args.output).suffix.lower() not in PICTURE_SUFFIXES:
        raise _Usage(tr("cannot tell the picture format of -o {output}; end it with {suffixes}, e.g. -o "
                        "graph.png").format(output=args.output, suffixes=", ".join(PICTURE_SUFFIXES[:-1])))
    if args.max_nodes < 1:
        raise _Usage(tr("--max-nodes must be at least 1, got {n}").format(n=args.max_nodes))
    root, _, warnings = _build(args)
    total = len(graph_nodes(root))
    if args.check and total > args.max_nodes:
        raise _Usage(tr("--check compares every input, so every value must be drawn: the graph has {total}, "
                        "more than --max-nodes {n}; add --max-nodes {total}").format(total=total,
                                                                                    n=args.max_nodes))
    values, edges, size = layout_size(root, args.max_nodes)
    if size > MAX_LAYOUT:
        fits = _largest_fitting(root, args.max_nodes)
        raise _Usage(tr("a picture of {values} values and {edges} edges is too big to lay out in seconds "
                        "(layout size {size}, the limit is {limit}); draw the {fits} values nearest the "
                        "result with --max-nodes {fits}, or see every step with: {prog} explain").format(
            values=values, edges=edges, size=size, limit=MAX_LAYOUT, fits=fits, prog=PROG))
    if not args.no_backward:
        root.backward()
    from .draw import dot_available, draw, render

    try:
        g = draw(root, rankdir=args.rankdir, check=args.check, max_nodes=args.max_nodes)
    except (DomainError, ZeroDivisionError, OverflowError) as err:  # --check steps off the domain
        what = str(err).split("; ")[0]  # the rest is gradcheck's advice in Python terms (eps=...)
        raise _Usage(tr("math error in --check: {error}; give values further from the edge of the domain, "
                        "or leave out --check").format(error=what)) from None
    if args.output.lower().endswith(".png") and dot_available():
        width, height = _png_size(g)
        if width * height > MAX_PNG_MEGAPIXELS * 1e6:
            mpx = width * height / 1e6
            raise _Usage(tr("the PNG would be {width}x{height} pixels ({mpx} Mpx, the limit is {limit}): too "
                            "slow to draw; write it as -o {svg} (vector, any size) or draw fewer values with "
                            "--max-nodes").format(width=width, height=height, mpx=f"{mpx:.1f}",
                                                  limit=MAX_PNG_MEGAPIXELS,
                                                  svg=Path(args.output).with_suffix(".svg")))
    _warn(args, warnings)
    path = render(g, args.output)
    print(tr("{expr} = {value}; graph written to {path}").format(expr=args.expr.strip(), value=fmt(root.data),
                                                                  path=path))
    return 0


def _png_size(g: Any) -> Tuple[int, int]:
    """Pixel width and height of ``g`` as a PNG: Graphviz lays it out (no drawing) and says its size."""
    try:
        laid_out = g.pipe(format="dot").decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 -- dot failed: render() runs it again and reports it
        return 0, 0
    found = re.search(r'\bbb="([-\d.e]+),([-\d.e]+),([-\d.e]+),([-\d.e]+)"', laid_out)
    if found is None:
        return 0, 0
    x0, y0, x1, y1 = (float(v) for v in found.groups())
    scale = PNG_DPI / 72  # Graphviz measures in points
    return round((x1 - x0) * scale), round((y1 - y0) * scale)


def _largest_fitting(root: Value, max_nodes: int) -> int:
    """The largest --max-nodes below ``max_nodes`` whose picture fits MAX_LAYOUT (bisection)."""
    lo, hi = 1, max_nodes - 1  # a single box always fits
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if layout_size(root, mid)[2] <= MAX_LAYOUT:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _table(steps: Explanation, inputs: Sequence[str]) -> str:
    """Every step (the expression's length bounds them), then the grads of the named inputs only."""
    text = steps.table(max_steps=None)
    if not steps.steps:  # the expression is a single variable: no steps
        return text
    body, _, _ = text.rpartition("\n")
    grads = ", ".join(f"{name} = {preview(g)}" for name, g in steps.leaf_grads() if name in inputs)
    grads = grads or tr("none (the expression has no variables)")
    return body + "\n" + tr("final grads: {grads}").format(grads=grads)


def _check_frames(root: Value, count: int) -> None:
    """Refuse --steps when its frames, all the size of the first, would take long to draw."""
    from .draw import dot_available, draw
    from .steps import frames

    if not dot_available():
        return  # render_steps says how to install Graphviz
    width, height = _png_size(draw(root, frame=frames(root)[0], max_nodes=None))
    total = count * width * height / 1e6
    if total > MAX_FRAMES_MEGAPIXELS:
        raise _Usage(tr("--steps would draw {count} frames of {width}x{height} pixels ({mpx} Mpx in all, the "
                        "limit is {limit}): too slow; leave out --steps for the table, or draw one picture "
                        "with: {prog} draw ... -o graph.svg").format(count=count, width=width, height=height,
                                                                     mpx=f"{total:.1f}",
                                                                     limit=MAX_FRAMES_MEGAPIXELS, prog=PROG))


def _cmd_explain(args: argparse.Namespace) -> int:
    if args.steps is not None and not args.steps.strip():
        raise _Usage(tr("--steps needs a directory to write the frames to, got an empty name"))
    if not args.steps and (args.quiz or args.no_gif):
        raise _Usage(tr("{flag} only applies to frames: add --steps DIR").format(
            flag="--quiz" if args.quiz else "--no-gif"))
    root, inputs, warnings = _build(args)
    steps = explain(root)
    if args.steps and len(steps) + 1 > MAX_FRAMES:
        raise _Usage(tr("--steps would draw {n} frames (one per backward step, and the seed); the limit is "
                        "{limit}, as each is a full Graphviz picture: leave out --steps for the table, or "
                        "shorten the expression").format(n=len(steps) + 1, limit=MAX_FRAMES))
    if args.steps:
        _check_frames(root, len(steps) + 1)
    if args.steps and not args.no_gif:
        try:
            import PIL  # noqa: F401  -- the animated GIF needs it; the PNG frames do not
        except ImportError:
            raise RuntimeError(tr("the animated GIF needs Pillow (pip install Pillow); add --no-gif for "
                                  "the PNG frames only")) from None
    _warn(args, warnings)
    print(_table(steps, inputs))
    if args.steps:
        from .steps import render_steps

        written = render_steps(root, args.steps, gif=not args.no_gif, quiz=args.quiz)
        print(tr("{n} frames written to {dir}").format(n=len(written.frames), dir=args.steps)
              + (tr("; animation: {gif}").format(gif=written.gif) if written.gif else ""))
    return 0


def _hint_dash(argv: List[str]) -> None:
    """argparse reads an expression that starts with - (``-y``, ``-x*2``) as an unknown option."""
    for item in argv:  # options are -h, -o and --words; an expression is anything else after one -
        if item.startswith("-") and not item.startswith("--") and item[:2] not in ("-h", "-o") \
                and len(item) > 1 and (item[1].isalnum() or item[1] in "(."):
            hint = tr("hint: {item} starts with '-', so it reads as an option; write the expression in "
                      "parentheses, '({raw})', or put -- before it").format(item=repr(item), raw=item)
            print(f"{PROG}: {hint}", file=sys.stderr)
            return


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it). Its words are
    English or Chinese: ``--lang zh``, or the ``LANG`` environment (``autograd_lite.i18n``)."""
    items = list(sys.argv[1:] if argv is None else argv)
    with using(lang_option(items)):
        return _main(items)


def _main(argv: List[str]) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or argparse's own usage error (code 2)
        code_ = int(exit_.code or 0)
        if code_ == 2:
            _hint_dash(argv)
        return code_
    commands = {"draw": _cmd_draw, "explain": _cmd_explain, "demo": _cmd_demo, "repl": _cmd_repl}
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return commands[args.command](args)
    except _Usage as err:
        print(f"{PROG} {args.command}: {err}", file=sys.stderr)
        return 2
    except RuntimeError as err:  # dot or Pillow missing, dot failed
        print(f"{PROG} {args.command}: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"{PROG} {args.command}: " + tr("cannot write: {error}").format(error=err), file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
