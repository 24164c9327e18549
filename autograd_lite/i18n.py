"""The words people read, in English or Chinese (中文): gettext catalogs shipped with the package.

Every sentence the teaching tools print is an English template marked ``tr("...")`` (or
``tr_n(one, many, n)``) in the source; ``autograd_lite/locale/zh/LC_MESSAGES/autograd_lite.po``
holds its Chinese, in the terms of the Chinese edition of the book (计算图 computational graph,
正向传播 forward propagation, 反向传播 backward propagation, 局部导数 local derivative, 链式法则
chain rule, 梯度 gradient), compiled to the ``.mo`` file the standard library's :mod:`gettext`
reads.  ``tools/i18n.py`` extracts the templates with Babel and compiles the catalog; a test fails
when a template has no Chinese.

The language: ``lang=`` of the call ("en" or "zh"), else :func:`using`'s, else the environment
(``AUTOGRAD_LITE_LANG``, then gettext's ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``: a value
starting with ``zh`` means Chinese), else English.

>>> tr("final grads: {grads}", "zh").format(grads="x = 1")
'最终梯度：x = 1'
>>> with using("zh"):
...     tr_n("{n} more path", "{n} more paths", 3).format(n=3)
'另有 3 条路径'
"""

from __future__ import annotations

import contextvars
import functools
import gettext
import os
import unicodedata
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

__all__ = ["LANGUAGES", "language", "using", "in_its_language", "tr", "tr_n", "tr_mark", "width", "pad",
           "LOCALE_DIR", "DOMAIN"]

LANGUAGES = ("en", "zh")
DOMAIN = "autograd_lite"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_ENVIRONMENT = ("AUTOGRAD_LITE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
_current: "contextvars.ContextVar[Optional[str]]" = contextvars.ContextVar("autograd_lite_lang", default=None)


def _normal(value: str) -> Optional[str]:
    """``zh_CN.UTF-8`` -> zh, ``en_US`` / ``C`` -> en; None for anything else."""
    head = value.strip().split(":")[0].split(".")[0].replace("-", "_").lower()
    if head.startswith("zh"):
        return "zh"
    if head.startswith("en") or head in ("c", "posix"):
        return "en"
    return None


def language(lang: Optional[str] = None, where: str = "lang") -> str:
    """The language to speak: ``lang`` if given (``"en"``, ``"zh"``, or a locale such as
    ``"zh_CN"``), else :func:`using`'s, else the environment's, else ``"en"``."""
    if lang is not None:
        if not isinstance(lang, str) or _normal(lang) is None:
            raise ValueError(f"{where}: lang must be one of {', '.join(map(repr, LANGUAGES))} (or a locale "
                             f"such as 'zh_CN'), got {lang!r}")
        return _normal(lang)  # type: ignore[return-value]
    current = _current.get()
    if current is not None:
        return current
    for name in _ENVIRONMENT:
        value = os.environ.get(name, "")
        if value:
            return _normal(value) or "en"
    return "en"


@contextmanager
def using(lang: Optional[str]) -> Iterator[str]:
    """Speak ``lang`` inside the block (this thread and context only); ``None`` keeps the
    language already chosen."""
    chosen = language(lang, "using")
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


@cache
def _catalog(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    # fallback=False: a missing catalog is a broken install, said as such (never silent English)
    return gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[lang])


def in_its_language(method: Callable[..., Any]) -> Callable[..., Any]:
    """A method of an object with a ``lang`` field speaks that language (its words, its numbers'
    words), whatever the caller's."""
    @functools.wraps(method)
    def speaking(self: Any, *args: Any, **kwargs: Any) -> Any:
        with using(self.lang):
            return method(self, *args, **kwargs)

    return speaking


def tr(message: str, lang: Optional[str] = None) -> str:
    """``message`` (an English template) in the current language."""
    return _catalog(language(lang)).gettext(message)


def tr_mark(message: str) -> str:
    """Marks an English template for the catalog where it is defined, translated later by
    :func:`tr` (a table of titles, say); returns it unchanged."""
    return message


def tr_n(one: str, many: str, n: int, lang: Optional[str] = None) -> str:
    """The template for ``n`` things (English has two forms, Chinese one)."""
    return _catalog(language(lang)).ngettext(one, many, n)


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese character (East Asian wide) takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 0 if unicodedata.combining(c) else 1
               for c in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``columns`` terminal columns (on the left when ``right``)."""
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill
