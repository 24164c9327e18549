"""The step-by-step page's style sheet and script (see :mod:`viz.page`), kept apart from the Python.

The script reads the page's data block (strict JSON: inf and nan travel as strings), shows one
frame per step with its chain-rule lines, reveals the table's rows as the steps reach them, and
checks the quiz's and the exercise's answers.  The graph is one SVG, laid out once: a step
highlights its node, op and edges (by their SVG ids) and changes the texts of the grads and
flows that it reaches (``data.cells``: each cell's ``(step, text)`` changes).
"""

from __future__ import annotations

from typing import Dict

from autograd_lite.i18n import tr

__all__ = ["STYLE", "SCRIPT", "words"]


def words() -> Dict[str, str]:
    """The words the script writes, in the current language (the page's data block carries them as
    ``data.words``; ``{k}``, ``{n}`` and ``{right}`` are filled in by the script)."""
    return {"step": tr("Step {k} of {n}"), "play": "\u25B6 " + tr("Play"), "pause": "\u23F8 " + tr("Pause"),
            "right": "\u2713 " + tr("right"), "notYet": "\u2717 " + tr("not yet"),
            "empty": "\u2717 " + tr("empty"), "score": tr("{right} of {n} right"),
            "failed": tr("The picture could not be laid out: "),
            # the page's own words (viz.page writes them into its HTML)
            "first": tr("First"), "firstTip": tr("first step (Home)"), "prev": tr("Previous"),
            "prevTip": tr("previous step (←)"), "next": tr("Next"), "nextTip": tr("next step (→)"),
            "end": tr("Last"), "endTip": tr("last step (End)"), "slider": tr("step"),
            "answers": tr("Your answers"),
            "answersHow": tr("(the grads, as numbers to 6 significant digits; arrays as lists)"),
            "check": tr("Check"), "answer": tr("Answer")}

STYLE = """
html{overflow-y:scroll}
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1F2933;margin:12px}
h1{font-size:18px;margin:0 0 8px}
#controls{display:flex;gap:6px;align-items:center;flex-wrap:wrap;margin-bottom:6px}
button{font-size:14px;padding:3px 10px}
#label{font-weight:bold;min-width:9em}
#formula{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;background:#FFF6D6;
 border:1px solid #C9A227;border-radius:4px;padding:6px 8px;margin:6px 0;white-space:pre-wrap}
.frame svg{max-width:100%;height:auto}
.frame svg text{font-family:Helvetica,Arial,sans-serif;font-size:14px}
tr.step-row.current{background:#FFE08A}
.explain-table td,.explain-table th{font-size:12px}
#quiz,#exercise{margin-top:10px;font-size:14px}
.q{margin:3px 0;font-family:ui-monospace,Menlo,Consolas,monospace}
.q input{width:10em}
.ok{color:#1E8449;font-weight:bold}.bad{color:#C0392B;font-weight:bold}
"""

SCRIPT = r"""
(function () {
"use strict";
function start() {
  var data = JSON.parse(document.getElementById("autograd-lite-data").textContent);
  var W = data.words;  // the visible words, in the page's language (viz.page_script.words)
  var XLINK = "http://www.w3.org/1999/xlink";
  // the changing cells are anchors only so that their ids reach the SVG: no links, no titles
  var anchors = document.querySelectorAll(".frame a");
  for (var q = 0; q < anchors.length; q++) {
    anchors[q].removeAttributeNS(XLINK, "href");
    anchors[q].removeAttribute("href");
  }
  var cells = [];  // [text element, changes, shown]
  for (var c = 0; c < data.cells.length; c++) {
    var cell = document.getElementById(data.cells[c][0]);
    var text = cell && cell.querySelector("text");
    if (!text) { continue; }
    if (data.cells[c][0].charAt(2) === "g") {  // a grad: right-aligned in its box (border 1, padding 3)
      var node = cell.parentNode;
      while (node && !(node.getAttribute && node.getAttribute("class") === "node")) {
        node = node.parentNode;
      }
      var shape = node && node.querySelector("path, polygon");
      if (shape) {
        var bb = shape.getBBox();
        text.setAttribute("text-anchor", "end");
        text.setAttribute("x", String(bb.x + bb.width - 4));
      }
    }
    cells.push([text, data.cells[c][1], text.textContent]);
  }
  var HOT_FILL = "#ffe08a", HOT_LINE = "#d35400";
  var lit = [];  // [element, attribute, old value] to put back when the step moves on
  function set(el, name, value) {
    lit.push([el, name, el.getAttribute(name)]);
    el.setAttribute(name, value);
  }
  function light(id) {
    var g = document.getElementById(id);
    if (!g) { return; }
    var edge = g.getAttribute("class") === "edge";
    var shapes = g.querySelectorAll("path, polygon, ellipse, polyline");
    for (var i = 0; i < shapes.length; i++) {
      var el = shapes[i], fill = el.getAttribute("fill"), line = el.getAttribute("stroke");
      if (fill && fill !== "none" && fill !== "transparent") { set(el, "fill", edge ? HOT_LINE : HOT_FILL); }
      if (line && line !== "none" && line !== "transparent") { set(el, "stroke", HOT_LINE); }
      if (edge && id.charAt(0) !== "x") { set(el, "stroke-width", "2.6"); }
    }
  }
  function paint(i) {
    for (var j = lit.length - 1; j >= 0; j--) {
      if (lit[j][2] === null) { lit[j][0].removeAttribute(lit[j][1]); }
      else { lit[j][0].setAttribute(lit[j][1], lit[j][2]); }
    }
    lit = [];
    var hot = data.hot[i];
    for (var h = 0; h < hot.length; h++) { light(hot[h]); }
    for (var t = 0; t < cells.length; t++) {
      var changes = cells[t][1], now = changes[0][1];
      for (var m = 1; m < changes.length && changes[m][0] <= i; m++) { now = changes[m][1]; }
      if (now !== cells[t][2]) { cells[t][0].textContent = now; cells[t][2] = now; }
    }
  }
  var rows = document.querySelectorAll("tr.step-row");
  var finals = document.querySelectorAll(".final-grads");
  var slider = document.getElementById("slider");
  var label = document.getElementById("label");
  var formula = document.getElementById("formula");
  var play = document.getElementById("play");
  var last = data.steps.length - 1;
  var most = 1;  // the chain rule's box as tall as its longest step: the picture below stays put
  for (var s = 0; s <= last; s++) { most = Math.max(most, data.steps[s].lines.length); }
  formula.style.minHeight = (most * 1.3) + "em";
  var k = 0, timer = null;
  function show(i) {
    k = Math.max(0, Math.min(last, i));
    paint(k);
    for (var r = 0; r < rows.length; r++) {  // a row appears when the pass reaches its step
      var at = Number(rows[r].getAttribute("data-step"));
      rows[r].classList.toggle("current", at === k);
      rows[r].hidden = at > k;
    }
    for (var f = 0; f < finals.length; f++) { finals[f].hidden = (k !== last); }
    slider.value = String(k);
    label.textContent = W.step.replace("{k}", String(k)).replace("{n}", String(last));
    formula.textContent = data.steps[k].lines.join("\n");
    document.body.setAttribute("data-step", String(k));
    if (k === last) { stop(); }
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = W.play;
  }
  function toggle() {
    if (timer !== null) { stop(); return; }
    if (k === last) { show(0); }
    play.textContent = W.pause;
    timer = setInterval(function () { show(k + 1); }, data.interval);
  }
  document.getElementById("prev").addEventListener("click", function () { stop(); show(k - 1); });
  document.getElementById("next").addEventListener("click", function () { stop(); show(k + 1); });
  document.getElementById("first").addEventListener("click", function () { stop(); show(0); });
  document.getElementById("end").addEventListener("click", function () { stop(); show(last); });
  play.addEventListener("click", toggle);
  slider.addEventListener("input", function () { stop(); show(Number(slider.value)); });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (t && (t.tagName === "INPUT" && t.type !== "range" || t.tagName === "SELECT")) { return; }
    var moves = {ArrowLeft: k - 1, ArrowRight: k + 1, Home: 0, End: last};
    if (Object.prototype.hasOwnProperty.call(moves, e.key)) {
      e.preventDefault(); stop(); show(moves[e.key]);
    }
  });
  // inf, -inf and nan travel as strings (JSON has no such numbers); typed as the page shows them
  var SPECIAL = {"inf": Infinity, "+inf": Infinity, "infinity": Infinity, "-inf": -Infinity,
                 "-infinity": -Infinity, "nan": NaN};
  function close(typed, want) {
    var parts = typed.trim().split(/[\s,;\[\]]+/).filter(function (s) { return s.length > 0; });
    if (parts.length !== want.length) { return false; }
    for (var i = 0; i < want.length; i++) {
      if (typeof want[i] === "string") {
        var word = parts[i].toLowerCase();
        if (want[i] === "nan" ? word !== "nan" : SPECIAL[word] !== SPECIAL[want[i]]) { return false; }
        continue;
      }
      var x = Number(parts[i]);
      // the page shows 6 significant digits: a number rounded to them is off by up to 5e-6
      if (!isFinite(x) || Math.abs(x - want[i]) > 1e-9 + 1e-5 * Math.abs(want[i])) { return false; }
    }
    return true;
  }
  var check = document.getElementById("check");
  if (check) {
    check.addEventListener("click", function () {
      var qs = document.querySelectorAll(".q"), right = 0;
      for (var i = 0; i < qs.length; i++) {
        var want = data.answers[Number(qs[i].getAttribute("data-q"))].values;
        var input = qs[i].querySelector("input");
        var verdict = qs[i].querySelector(".verdict");
        var ok = close(input.value, want);
        right += ok ? 1 : 0;
        verdict.textContent = ok ? W.right : (input.value.trim() ? W.notYet : W.empty);
        verdict.className = "verdict " + (ok ? "ok" : "bad");
      }
      document.getElementById("score").textContent = W.score.replace("{right}", String(right))
        .replace("{n}", String(qs.length));
    });
  }
  var answer = document.getElementById("answer");
  if (answer) {
    answer.addEventListener("click", function () {
      var pick = document.getElementById("edge").value;
      var out = document.getElementById("verdict");
      var ok = pick === data.exercise.answer;
      out.textContent = ok ? data.exercise.right : data.exercise.wrong;
      out.className = ok ? "ok" : "bad";
    });
  }
  show(0);
}
// a big picture, or the DOT source, travels gzip-compressed (base64): unpacked here, nothing fetched
function unpack(el) {
  var bytes = Uint8Array.from(atob(el.textContent), function (ch) { return ch.charCodeAt(0); });
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}
// Graphviz's SVG as the page wants it: no title elements (hovering would show ids), kept as data-id
function tidy(svg) {
  var titles = svg.querySelectorAll("g > title");
  for (var i = 0; i < titles.length; i++) {
    titles[i].parentNode.setAttribute("data-id", titles[i].textContent);
    titles[i].parentNode.removeChild(titles[i]);
  }
  return svg;
}
var frame = document.querySelector(".frame");
var packedSvg = document.getElementById("autograd-lite-svg");
var packedDot = document.getElementById("autograd-lite-dot");
if (packedDot) {  // laid out here by the vendored Graphviz (Viz.js, WebAssembly)
  unpack(packedDot).then(function (dot) {
    return Viz.instance().then(function (viz) { return viz.renderSVGElement(dot); });
  }).then(function (svg) {
    frame.appendChild(tidy(svg));
    start();
  }).catch(function (e) {
    var said = JSON.parse(document.getElementById("autograd-lite-data").textContent).words;
    frame.textContent = said.failed + e;
    throw e;
  });
} else if (packedSvg) {
  unpack(packedSvg).then(function (svg) {
    frame.innerHTML = svg;
    start();
  });
} else {
  start();
}
})();
"""
