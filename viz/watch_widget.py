"""The live Jupyter view of :func:`viz.watch`: an anywidget (the ``notebook`` extra).

The widget's state is the picture and names (``static``) and every recorded step
(``records``, stored when the watch is displayed and when it finishes, so a saved notebook
keeps them).  While a loop runs, each new step travels alone as ``latest`` and the view adds it
and follows it; a view that missed a step asks for them all again.  The script is the HTML
page's (:mod:`viz.watch_script`).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List

import anywidget
import traitlets

from .watch_script import SCRIPT, STYLE

__all__ = ["WatchWidget"]

_ESM = SCRIPT + """
export default {
  render({ model, el }) {
    var view = autogradLiteWatch(el, model.get("static"), model.get("records"));
    model.on("change:latest", function () {
      var m = model.get("latest");
      if (m && m.record && !view.add(m.record, m.index)) { model.send({type: "resync"}); }
    });
    model.on("change:records", function () { view.reset(model.get("records")); });
  }
};
"""


class WatchWidget(anywidget.AnyWidget):  # type: ignore[misc]
    """The widget :meth:`viz.Watch.widget` makes; ``push`` sends one new step."""

    _esm = _ESM
    _css = STYLE
    static = traitlets.Dict().tag(sync=True)
    records: Any = traitlets.List().tag(sync=True)
    latest = traitlets.Dict().tag(sync=True)

    def __init__(self, static: Dict[str, Any], records: List[Dict[str, Any]],
                 source: Callable[[], List[Dict[str, Any]]]) -> None:
        super().__init__(static=static, records=records)
        self._source = source
        self.on_msg(self._on_msg)

    def push(self, record: Dict[str, Any], index: int) -> None:
        self.latest = {"index": index, "record": record}

    def _on_msg(self, widget: Any, content: Any, buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "resync":
            self.records = self._source()
