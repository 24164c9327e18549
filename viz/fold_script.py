"""The folded page's unfolding, kept apart from the Python (see :mod:`viz.fold_page`).

A click on a folded box (``g.node`` with id ``b<j>``) shows that box's inside, laid out when the
page was made, over the box: its top-left corner at the box's, so nothing else moves.  A click
on the inside, or Escape, folds it back.  The insides wait off-screen (laid out, not displayed),
so the step script can place their changing texts like the folded picture's; they travel
in the picture's frame (compressed with it when big), whose links the step script removes.
"""

from __future__ import annotations

__all__ = ["FOLD_STYLE", "FOLD_SCRIPT"]

FOLD_STYLE = """
#frames{position:relative}
.inside{position:absolute;left:-100000px;top:0;visibility:hidden;background:#FFFFFF;
 border:2px solid #5B6BBF;border-radius:6px;box-shadow:0 4px 16px rgba(0,0,0,.25);z-index:2;cursor:zoom-out}
.inside.open{visibility:visible}
.frame g.node[id^="b"]{cursor:zoom-in}
.frame .inside svg{max-width:none}
.inside svg text{font-family:Helvetica,Arial,sans-serif;font-size:14px}
"""

FOLD_SCRIPT = r"""
(function () {
"use strict";
var frames = document.getElementById("frames");
function fold(div) {
  div.classList.remove("open");
  div.style.left = "-100000px";
  document.body.setAttribute("data-open", document.querySelectorAll(".inside.open").length ? "1" : "");
}
function unfold(box, div) {
  // the inside at the folded picture's scale (the picture fits the window; the inside would not)
  var outer = document.querySelector(".frame > svg"), inner = div.querySelector("svg");
  var scale = outer.getBoundingClientRect().width / outer.width.baseVal.value;
  inner.style.width = Math.round(inner.width.baseVal.value * scale) + "px";
  inner.style.height = Math.round(inner.height.baseVal.value * scale) + "px";
  var at = frames.getBoundingClientRect(), b = box.getBoundingClientRect();
  div.style.left = Math.round(b.left - at.left) + "px";
  div.style.top = Math.round(b.top - at.top) + "px";
  div.classList.add("open");
  document.body.setAttribute("data-open", "1");
}
frames.addEventListener("click", function (e) {
  var t = e.target;
  while (t && t !== frames) {
    if (t.classList && t.classList.contains("inside")) { fold(t); return; }
    if (t.getAttribute && t.getAttribute("class") === "node" && /^b[0-9]+$/.test(t.id || "")) {
      var div = document.getElementById("inside-" + t.id);
      if (div) {
        e.preventDefault();
        if (div.classList.contains("open")) { fold(div); } else { unfold(t, div); }
      }
      return;
    }
    t = t.parentNode;
  }
});
document.addEventListener("keydown", function (e) {
  if (e.key !== "Escape") { return; }
  var open = document.querySelectorAll(".inside.open");
  for (var i = 0; i < open.length; i++) { fold(open[i]); }
});
})();
"""
