"""The command line's language: ``--lang`` read before the parser is made, and argparse's own
headings (usage, positional arguments, options, --help and --version) in that language."""

from __future__ import annotations

import argparse
from typing import Any, List, Optional

from autograd_lite.i18n import tr

__all__ = ["lang_option", "Formatter", "localize"]


def lang_option(argv: List[str]) -> Optional[str]:
    """``--lang X`` / ``--lang=X`` before the command (read first: the help is written in it);
    a bad value is left to argparse, which names the choices."""
    for k, item in enumerate(argv):
        if item == "--":
            break
        value = item.split("=", 1)[1] if item.startswith("--lang=") else (
            argv[k + 1] if item == "--lang" and k + 1 < len(argv) else None)
        if value in ("en", "zh"):
            return value
        if not item.startswith("-"):
            break  # the command: what follows is its own
    return None


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Help as written (examples keep their lines), under a ``usage:`` heading in the language."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: Optional[str] = None) -> None:
        super().add_usage(usage, actions, groups, tr("usage: ") if prefix is None else prefix)


def localize(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The section titles and the help of -h and --version in the language (argparse writes them
    in English whatever the locale)."""
    parser._positionals.title = tr("positional arguments")
    parser._optionals.title = tr("options")
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = tr("show this help message and exit")
        elif isinstance(action, argparse._VersionAction):
            action.help = tr("show program's version number and exit")
        elif isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                localize(sub)
    return parser
