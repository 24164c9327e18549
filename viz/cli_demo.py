"""The command line's ``demo`` and ``repl`` commands (see :mod:`viz.cli`)."""

from __future__ import annotations

import argparse
import code
import importlib
import pkgutil
from typing import Any, Dict, List

from autograd_lite import Value, __version__, explain
from autograd_lite.i18n import tr, tr_mark


class _Usage(Exception):
    """A bad command line: one line on stderr, exit code 2."""


# demos/ installs as autograd_lite_demos (see setup.cfg); a bare checkout has it as demos.
DEMO_PACKAGES = ("autograd_lite_demos", "demos")


def _demos() -> Any:
    for package in DEMO_PACKAGES:
        try:
            return importlib.import_module(package)
        except ModuleNotFoundError as err:
            if err.name != package:
                raise
    raise RuntimeError(tr("the demos are not installed (no package {packages})").format(
        packages=" or ".join(DEMO_PACKAGES)))


def _demo_names() -> List[str]:
    return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(_demos().__path__)
                  if not m.name.startswith("_"))


def _cmd_demo(args: argparse.Namespace) -> int:
    if not args.name:
        print(tr("demos: {names}").format(names=", ".join(_demo_names())))
        return 0
    name = args.name.replace("-", "_")
    if not name.isidentifier() or name.startswith("_"):
        raise _Usage(tr("no demo named {name}; available: {names}").format(name=repr(args.name),
                                                                            names=", ".join(_demo_names())))
    package = _demos().__name__
    try:
        module = importlib.import_module(f"{package}.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"{package}.{name}":
            raise _Usage(tr("no demo named {name}; available: {names}").format(
                name=repr(args.name), names=", ".join(_demo_names()))) from None
        raise
    main = getattr(module, "main", None)
    if main is None:
        raise _Usage(tr("demo {name} has no main(argv)").format(name=repr(args.name)))
    try:
        return int(main(list(args.args)) or 0)
    except SystemExit as exit_:  # the demo's own argparse (--help, usage error)
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)


BANNER = tr_mark(
    "autograd_lite {version}: Value, Tensor, explain, viz and no_grad are imported.\n"
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
    code.interact(banner=tr(BANNER).format(version=__version__), local=repl_namespace(), exitmsg="")
    return 0
