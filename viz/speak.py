"""The language of a picture or a page: ``lang=`` of the call, spoken by everything it calls.

:func:`speaks` wraps a function that takes ``lang`` (``"en"``, ``"zh"``, or ``None`` for the
environment's, as :func:`autograd_lite.i18n.language` reads it) so that every ``tr`` below it
speaks that language; :func:`font_family` is the font Graphviz is told for it (a CJK font only
in Chinese, so English pictures stay exactly as they were).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional, TypeVar, cast

from autograd_lite.i18n import language, using

__all__ = ["speaks", "font_family", "FONT", "FONT_ZH", "html_lang", "page_css"]

F = TypeVar("F", bound=Callable[..., Any])

FONT = "Helvetica,Arial,sans-serif"
# Chinese words need a CJK font (WenQuanYi Micro Hei: tools/install_cjk_font.sh); Latin letters and
# digits come from the same font, so one picture has one look
FONT_ZH = "WenQuanYi Micro Hei,Noto Sans CJK SC,Source Han Sans SC,PingFang SC,Microsoft YaHei,sans-serif"


def speaks(where: str) -> Callable[[F], F]:
    """Run the wrapped function in the language of its ``lang=`` keyword (refused up front, named
    by ``where``, when it is not a language)."""

    def wrap(f: F) -> F:
        @functools.wraps(f)
        def inner(*args: Any, **kwargs: Any) -> Any:
            with using(language(kwargs.get("lang"), where)):
                return f(*args, **kwargs)

        return cast(F, inner)

    return wrap


def font_family(lang: Optional[str] = None) -> str:
    """The fontname a picture in ``lang`` (default: the current language) gives Graphviz."""
    return FONT_ZH if language(lang) == "zh" else FONT


def html_lang(lang: Optional[str] = None) -> str:
    """The ``<html lang=...>`` of a page in ``lang``."""
    return "zh-CN" if language(lang) == "zh" else "en"


def page_css(lang: Optional[str] = None) -> str:
    """What a page in ``lang`` adds to its style sheet: in Chinese, the picture's text in the font
    Graphviz measured it with (then the system's CJK fonts), and the page's words in a CJK font."""
    if language(lang) != "zh":
        return ""
    family = ",".join(f'"{name}"' if " " in name else name for name in FONT_ZH.split(","))
    return f"\n.frame svg text{{font-family:{family}}}\nbody{{font-family:{family}}}\n"
