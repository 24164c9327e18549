"""The ``autograd-lite`` command (also ``python -m autograd_lite``).

Subcommands: ``draw`` (picture of an expression's graph with its gradients), ``explain``
(the backward pass as a step table, optionally as frames), ``demo`` (run a program from
``demos/``), ``repl`` (a Python console with the library imported).

Exit codes: 0 success; 2 bad input -- a refused or invalid expression, a malformed
``name=value``, an unknown demo, or a math domain error while evaluating (``log(-1)``,
``1/0``, overflow); 1 the environment cannot do it (Graphviz ``dot`` or Pillow missing,
a file that cannot be written).  Input errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import code
import importlib
import pkgutil
import sys
from typing import Any, Dict, List, Optional, Sequence

from autograd_lite import DomainError, Value, __version__, explain, fmt

from .expr import FUNCTIONS, ExpressionError, evaluate, parse_bindings

PROG = "autograd-lite"
EXPR_HELP = (f"an arithmetic expression in quotes: numbers, your variables, + - * / **, unary -, "
             f"and {', '.join(FUNCTIONS)}; "
             'start it with a space (" -x") or put -- before it if it begins with -')


class _Usage(Exception):
    """A bad command line: one line on stderr, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(
        prog=PROG, formatter_class=raw,
        description="autograd_lite: the chain rule you can run, see and check.",
        epilog=("examples:\n"
                f'  {PROG} draw "(x + y)**2" x=1 y=2 -o z.png\n'
                f'  {PROG} explain "(x + y)**2" x=1 y=2\n'
                f"  {PROG} demo apple-orange -o graph.png\n"
                f"  {PROG} repl\n\n"
                "exit codes: 0 done; 2 bad input (a refused expression, a malformed name=value, an\n"
                "unknown demo, or a math domain error such as log(-1)); 1 Graphviz or Pillow missing."),
    )
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = p.add_subparsers(dest="command", metavar="{draw,explain,demo,repl}")

    d = sub.add_parser(
        "draw", formatter_class=raw,
        help="render an expression's graph with data, grads and local derivatives",
        description="Build the graph of EXPR, run backward, and render it (PNG, SVG, PDF or DOT by suffix).",
        epilog=f'example:\n  {PROG} draw "(x + y)**2" x=1 y=2 -o z.png\n'
               f'  {PROG} draw "tanh(w*x + b)" w=0.5 x=2 b=-1 -o neuron.svg --check')
    d.add_argument("expr", help=EXPR_HELP)
    d.add_argument("bindings", nargs="*", metavar="name=value", help="a number for each variable, e.g. x=1")
    d.add_argument("-o", "--output", default="graph.png", help="output file (default: graph.png)")
    d.add_argument("--rankdir", default="LR", choices=["LR", "TB"], help="layout direction (default LR)")
    d.add_argument("--no-backward", action="store_true", help="draw the forward graph only")
    d.add_argument("--check", action="store_true", help="gradcheck the inputs and write analytic vs numeric")
    d.add_argument("--max-nodes", type=int, default=150, help="draw at most this many values (default 150)")

    e = sub.add_parser(
        "explain", formatter_class=raw, help="print the backward pass step by step",
        description="Build the graph of EXPR and print every chain-rule step of its backward pass.",
        epilog=f'example:\n  {PROG} explain "(x + y)**2" x=1 y=2\n'
               f'  {PROG} explain "x*y + exp(x)" x=1 y=2 --steps frames/')
    e.add_argument("expr", help=EXPR_HELP)
    e.add_argument("bindings", nargs="*", metavar="name=value", help="a number for each variable, e.g. x=1")
    e.add_argument("--steps", metavar="DIR", help="also write one PNG per step (and an animated GIF) to DIR")
    e.add_argument("--quiz", action="store_true", help="with --steps: hide the grads for learners to fill in")
    e.add_argument("--no-gif", action="store_true", help="with --steps: PNG frames only")

    m = sub.add_parser(
        "demo", formatter_class=raw, help="run a demo program (apple-orange, chain-rule, ...)",
        description="Run demos/<NAME>.py (dashes become underscores); the remaining arguments go to it.",
        epilog=f"example:\n  {PROG} demo apple-orange -o graph.png\n  {PROG} demo apple-orange --help")
    m.add_argument("name", nargs="?", help="the demo to run; leave out to list them")
    m.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the demo")

    sub.add_parser(
        "repl", formatter_class=raw, help="a Python console with Value, Tensor, explain and viz imported",
        description="Open an interactive Python console with the library imported.",
        epilog=f"example:\n  {PROG} repl\n"
               "  >>> z = (Value(1.0, 'x') + 2)**2; z.backward(); print(explain(z))")
    return p


def _build(expr: str, bindings: List[str]) -> Value:
    try:
        names = parse_bindings(bindings)
        return evaluate(expr, names)
    except ExpressionError as err:
        raise _Usage(f"refused: {err}") from None
    except (DomainError, ZeroDivisionError, OverflowError) as err:
        raise _Usage(f"math error: {err}") from None


def _cmd_draw(args: argparse.Namespace) -> int:
    from .draw import render

    root = _build(args.expr, args.bindings)
    if not args.no_backward:
        root.backward()
    if args.max_nodes < 1:
        raise _Usage("--max-nodes must be at least 1")
    try:
        path = render(root, args.output, rankdir=args.rankdir, check=args.check, max_nodes=args.max_nodes)
    except ValueError as err:
        raise _Usage(str(err)) from None
    print(f"{args.expr.strip()} = {fmt(root.data)}; graph written to {path}")
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    root = _build(args.expr, args.bindings)
    steps = explain(root)
    print(steps)
    if args.steps:
        from .steps import render_steps

        try:
            written = render_steps(root, args.steps, gif=not args.no_gif, quiz=args.quiz)
        except ValueError as err:  # too many nodes for a readable sequence of frames
            raise _Usage(str(err)) from None
        print(f"{len(written.frames)} frames written to {args.steps}"
              + (f"; animation: {written.gif}" if written.gif else ""))
    return 0


# demos/ installs as autograd_lite_demos (see setup.cfg); a bare checkout has it as demos.
DEMO_PACKAGES = ("autograd_lite_demos", "demos")


def _demos() -> Any:
    for package in DEMO_PACKAGES:
        try:
            return importlib.import_module(package)
        except ModuleNotFoundError as err:
            if err.name != package:
                raise
    raise RuntimeError(f"the demos are not installed (no package {' or '.join(DEMO_PACKAGES)})")


def _demo_names() -> List[str]:
    return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(_demos().__path__)
                  if not m.name.startswith("_"))


def _cmd_demo(args: argparse.Namespace) -> int:
    if not args.name:
        print("demos: " + ", ".join(_demo_names()))
        return 0
    name = args.name.replace("-", "_")
    if not name.isidentifier() or name.startswith("_"):
        raise _Usage(f"no demo named {args.name!r}; available: {', '.join(_demo_names())}")
    package = _demos().__name__
    try:
        module = importlib.import_module(f"{package}.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"{package}.{name}":
            raise _Usage(f"no demo named {args.name!r}; available: {', '.join(_demo_names())}") from None
        raise
    main = getattr(module, "main", None)
    if main is None:
        raise _Usage(f"demo {args.name!r} has no main(argv)")
    try:
        return int(main(list(args.args)) or 0)
    except SystemExit as exit_:  # the demo's own argparse (--help, usage error)
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)


BANNER = (
    f"autograd_lite {__version__}: Value, Tensor, explain, viz and no_grad are imported.\n"
    "Try:  x, y = Value(1.0, 'x'), Value(2.0, 'y');  z = (x + y)**2;  z.backward()\n"
    "Then: print(explain(z));  viz.render(z, 'z.png');  x.grad   (Ctrl-D to leave)"
)


def repl_namespace() -> Dict[str, Any]:
    """What the console starts with."""
    import autograd_lite
    import viz

    ns: Dict[str, Any] = {"Value": Value, "explain": explain, "viz": viz, "autograd_lite": autograd_lite,
                          "no_grad": autograd_lite.no_grad}
    tensor = getattr(autograd_lite, "Tensor", None)
    if tensor is not None:
        ns["Tensor"] = tensor
    return ns


def _cmd_repl(args: argparse.Namespace) -> int:
    code.interact(banner=BANNER, local=repl_namespace(), exitmsg="")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    parser = _parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exit_:  # --help, --version, or argparse's own usage error (code 2)
        return int(exit_.code or 0)
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
        print(f"{PROG} {args.command}: cannot write: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
