"""The style sheet and script of :func:`viz.watch`'s view, shared by the HTML page and the
Jupyter widget (see :mod:`viz.watch_page`, :mod:`viz.watch_widget`).

``autogradLiteWatch(el, static, records)`` builds the view inside ``el`` and returns
``{add(record), reset(records)}``: the widget calls ``add`` as each training step arrives.
The script only places the numbers it is given (``fmt``'s strings); it computes none it shows,
except the health strip's axis (powers of ten).  Every selector is under ``.alw``, so the view
can sit inside a notebook without touching its styles.
"""

from __future__ import annotations

__all__ = ["STYLE", "SCRIPT"]

STYLE = """
.alw{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1F2933;font-size:13px}
.alw h2{font-size:16px;margin:4px 0 6px}
.alw .alw-controls{display:flex;gap:6px;align-items:center;flex-wrap:wrap;margin:3px 0}
.alw .alw-controls b{min-width:3.5em}
.alw button{font-size:13px;padding:2px 8px}
.alw input[type=range]{width:260px}
.alw .alw-label{font-weight:bold}
.alw .alw-loss{font-family:ui-monospace,Menlo,Consolas,monospace;margin:3px 0}
.alw .alw-flags{margin:4px 0;min-height:1.2em}
.alw .alw-flag{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;padding:2px 6px;margin:2px 0;
 border-radius:3px}
.alw .alw-flag.vanish{background:#FDEBD0;border-left:4px solid #E67E22}
.alw .alw-flag.explode,.alw .alw-flag.loss{background:#FADBD8;border-left:4px solid #C0392B}
.alw .alw-ok{color:#1E8449}
.alw svg.net{max-width:100%;height:auto}
.alw line.e{stroke:#1F2933}
.alw line.e.bad{stroke:#C0392B;stroke-dasharray:4 2}
.alw g.u rect{fill:#F4F6F8;stroke:#7B8794;stroke-width:1}
.alw g.u.dead rect{fill:#D5D8DC}
.alw g.u.sat rect{fill:#FDEBD0}
.alw g.u.vanish rect{stroke:#E67E22;stroke-width:2.5}
.alw g.u.explode rect{stroke:#C0392B;stroke-width:2.5}
.alw g.u text{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:10px}
.alw g.u text.name{fill:#52606D;font-size:9px}
.alw .alw-health svg{background:#FBFCFD;border:1px solid #E1E5EA}
.alw .alw-legend{font-size:12px;color:#52606D;margin-top:4px}
"""

SCRIPT = r"""
function autogradLiteWatch(el, S, records) {
  "use strict";
  var COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
  var NS = "http://www.w3.org/2000/svg";
  var recs = (records || []).slice();
  var P = S.points.length, cur = recs.length - 1, point = 0;
  function h(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function button(text, title, fn) {
    var b = h("button", "", text); b.title = title; b.onclick = fn; return b;
  }
  var root = h("div", "alw");
  root.tabIndex = 0;
  root.appendChild(h("h2", "", S.title));
  var stepRange = h("input", "alw-step"), pointRange = h("input", "alw-point");
  stepRange.type = pointRange.type = "range";
  stepRange.min = pointRange.min = "0";
  pointRange.max = String(P - 1);
  var stepLabel = h("span", "alw-label alw-step-label"), pointLabel = h("span", "alw-label alw-point-label");
  var row1 = h("div", "alw-controls"), row2 = h("div", "alw-controls");
  row1.appendChild(h("b", "", "Step"));
  row1.appendChild(button("|\u25C0", "first recorded step (Home)", function () { show(0, point); }));
  row1.appendChild(button("\u25C0", "previous step (\u2190)", function () { show(cur - 1, point); }));
  row1.appendChild(stepRange);
  row1.appendChild(button("\u25B6", "next step (\u2192)", function () { show(cur + 1, point); }));
  row1.appendChild(button("\u25B6|", "last recorded step (End)",
                          function () { show(recs.length - 1, point); }));
  row1.appendChild(stepLabel);
  row2.appendChild(h("b", "", "Point"));
  row2.appendChild(button("\u25C0", "previous point (\u2191)", function () { show(cur, point - 1); }));
  row2.appendChild(pointRange);
  row2.appendChild(button("\u25B6", "next point (\u2193)", function () { show(cur, point + 1); }));
  row2.appendChild(pointLabel);
  var loss = h("div", "alw-loss"), flags = h("div", "alw-flags"), net = h("div", "alw-net");
  var health = h("div", "alw-health"), legend = h("div", "alw-legend");
  net.innerHTML = S.svg;
  [row1, row2, loss, flags, net, health, legend].forEach(function (e) { root.appendChild(e); });
  el.innerHTML = "";
  el.appendChild(root);
  var svg = net.querySelector("svg");
  function byId(id) { return svg.querySelector("#" + id); }
  function setText(g, sel, text) { g.querySelector(sel).textContent = text; }
  // the health strip: log10 of each layer's gradient norm over the recorded steps
  var HW = 720, HH = 150, HL = 54, HR = 10, HT = 10, HB = 22;
  var chart = document.createElementNS(NS, "svg");
  chart.setAttribute("width", HW); chart.setAttribute("height", HH);
  chart.setAttribute("class", "alw-chart");
  health.appendChild(chart);
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, k)) { e.setAttribute(k, attrs[k]); }
    }
    if (text !== undefined) { e.textContent = text; }
    chart.appendChild(e);
    return e;
  }
  var cursor = null;
  function xOf(i) { return HL + (recs.length > 1 ? i * (HW - HL - HR) / (recs.length - 1) : 0); }
  function drawChart() {
    while (chart.firstChild) { chart.removeChild(chart.firstChild); }
    var lo = Infinity, hi = -Infinity;
    recs.forEach(function (r) {
      r.layers.forEach(function (L) {
        if (typeof L.norm === "number" && L.norm > 0) {
          var v = Math.log10(L.norm); lo = Math.min(lo, v); hi = Math.max(hi, v);
        }
      });
    });
    if (lo === Infinity) { lo = -1; hi = 0; }
    lo = Math.floor(lo); hi = Math.max(Math.ceil(hi), lo + 1);
    function yOf(v) { return HT + (hi - v) * (HH - HT - HB) / (hi - lo); }
    for (var t = lo; t <= hi; t++) {
      svgEl("line", {x1: HL, x2: HW - HR, y1: yOf(t), y2: yOf(t), stroke: "#E1E5EA"});
      svgEl("text", {x: 4, y: yOf(t) + 4, "font-size": 10, fill: "#52606D"}, "1e" + t);
    }
    svgEl("text", {x: HL, y: HH - 6, "font-size": 10, fill: "#52606D"},
          "gradient norm per layer over the recorded steps (log scale)");
    S.layers.forEach(function (layer, li) {
      var pts = [];
      recs.forEach(function (r, i) {
        var n = r.layers[li].norm;
        if (typeof n === "number" && n > 0) { pts.push(xOf(i) + "," + yOf(Math.log10(n))); }
      });
      if (pts.length === 1) {  // one step so far: a dot, as a line needs two
        var xy = pts[0].split(",");
        svgEl("circle", {cx: xy[0], cy: xy[1], r: 2, fill: COLORS[li % COLORS.length], "class": "alw-norm",
                         "data-layer": layer.name});
      } else if (pts.length) {
        svgEl("polyline", {points: pts.join(" "), fill: "none", stroke: COLORS[li % COLORS.length],
                           "stroke-width": 1.5, "class": "alw-norm", "data-layer": layer.name});
      }
    });
    recs.forEach(function (r, i) {
      r.flags.forEach(function (f) {
        var li = -1;
        S.layers.forEach(function (L, j) { if (L.name === f.layer) { li = j; } });
        var n = li >= 0 ? r.layers[li].norm : null;
        var y = (typeof n === "number" && n > 0) ? yOf(Math.log10(n)) : HT;
        svgEl("circle", {cx: xOf(i), cy: y, r: 3.5, fill: f.kind === "vanish" ? "#E67E22" : "#C0392B",
                         "class": "alw-mark"});
      });
    });
    cursor = svgEl("line", {y1: HT, y2: HH - HB, stroke: "#1F2933", "stroke-dasharray": "3 2",
                            "class": "alw-cursor"});
    placeCursor();
  }
  function placeCursor() {
    if (!cursor) { return; }
    var x = cur >= 0 ? xOf(cur) : HL;
    cursor.setAttribute("x1", x); cursor.setAttribute("x2", x);
  }
  chart.addEventListener("click", function (e) {
    var box = chart.getBoundingClientRect(), x = e.clientX - box.left;
    if (recs.length > 1) { show(Math.round((x - HL) * (recs.length - 1) / (HW - HL - HR)), point); }
  });
  legend.textContent = "";
  S.layers.forEach(function (layer, li) {
    var s = h("span", "", "\u25A0 " + layer.name + " (" + layer.act + ")  ");
    s.style.color = COLORS[li % COLORS.length];
    legend.appendChild(s);
  });
  legend.appendChild(h("span", "", "Edges: wider and darker as |grad| grows, from 1e-6 to 1e4 (log scale); " +
    "red dashed: not finite. Grey box: ReLU with z \u2264 0; orange box: tanh/sigmoid saturated. " +
    "Hover a box or an edge for its numbers."));
  function show(i, p) {
    point = Math.max(0, Math.min(P - 1, p));
    cur = recs.length ? Math.max(0, Math.min(recs.length - 1, i)) : -1;
    stepRange.max = String(Math.max(0, recs.length - 1));
    stepRange.value = String(cur);
    pointRange.value = String(point);
    root.setAttribute("data-step", String(cur));
    root.setAttribute("data-point", String(point));
    var x = S.points[point];
    pointLabel.textContent = "Point " + (point + 1) + " of " + P + ": x = (" + x.join(", ") + ")" +
      (S.labels ? ", label " + S.labels[point] : "");
    for (var k = 0; k < x.length; k++) {
      var g = byId("u0-" + k);
      setText(g, "text.val", "x = " + x[k]);
      setText(g, "title", "input x" + (k + 1) + " = " + x[k]);
    }
    if (cur < 0) {
      stepLabel.textContent = "no step recorded yet";
      loss.textContent = ""; flags.textContent = "";
      return;
    }
    var r = recs[cur];
    stepLabel.textContent = "Step " + r.step + " (recorded " + (cur + 1) + " of " + recs.length + ")";
    loss.textContent = r.loss === null ? "loss not given" : "loss = " + r.loss;
    var flagged = {};
    flags.textContent = "";
    r.flags.forEach(function (f) {
      flags.appendChild(h("div", "alw-flag " + f.kind, f.text));
      if (f.layer !== null) { flagged[f.layer] = f.kind; }
    });
    if (!r.flags.length) { flags.appendChild(h("span", "alw-ok", "gradients healthy at this step")); }
    S.layers.forEach(function (layer, li) {
      var L = r.layers[li], n = layer.n_out;
      for (var j = 0; j < n; j++) {
        var g = byId("u" + (li + 1) + "-" + j), z = L.z[point][j], a = L.a[point][j];
        setText(g, "text.val", layer.act === "linear" ? "a = " + a : "z " + z + " a " + a);
        var zf = Number(z), af = Number(a);
        var cls = "u";
        if (layer.act === "relu" && !(zf > 0)) { cls += " dead"; }
        if ((layer.act === "tanh" && Math.abs(af) > 0.99) ||
            (layer.act === "sigmoid" && (af < 0.01 || af > 0.99))) { cls += " sat"; }
        if (flagged[layer.name]) { cls += " " + flagged[layer.name]; }
        g.setAttribute("class", cls);
        var bias = layer.bnames.length ? "; " + layer.bnames[j] + " = " + L.b[j] + ", grad " + L.gb[j] : "";
        setText(g, "title", layer.units[j] + " (" + layer.act + "): z = " + z + ", a = " + a + bias +
                "; layer gradient norm " + L.normText);
      }
      for (var i2 = 0; i2 < layer.n_in; i2++) {
        for (var j2 = 0; j2 < n; j2++) {
          var idx = i2 * n + j2, e = byId("e" + li + "-" + i2 + "-" + j2), b = L.e[idx];
          e.setAttribute("class", b < 0 ? "e bad" : "e");
          e.setAttribute("stroke-width", b < 0 ? 2 : (0.3 + 0.3 * b).toFixed(2));
          e.setAttribute("stroke-opacity", b < 0 ? 1 : (0.08 + 0.046 * b).toFixed(3));
          e.setAttribute("data-grad", L.gw[idx]);
          e.firstChild.textContent = layer.wnames[idx] + " = " + L.w[idx] + ", grad " + L.gw[idx];
        }
      }
    });
    placeCursor();
  }
  stepRange.addEventListener("input", function () { show(Number(stepRange.value), point); });
  pointRange.addEventListener("input", function () { show(cur, Number(pointRange.value)); });
  root.addEventListener("keydown", function (e) {
    var moves = {ArrowLeft: [cur - 1, point], ArrowRight: [cur + 1, point], Home: [0, point],
                 End: [recs.length - 1, point], ArrowUp: [cur, point - 1], ArrowDown: [cur, point + 1]};
    if (Object.prototype.hasOwnProperty.call(moves, e.key)) {
      e.preventDefault(); show(moves[e.key][0], moves[e.key][1]);
    }
  });
  drawChart();
  show(cur, 0);
  return {
    add: function (r, index) {  // a new step: a view that showed the newest step follows it
      if (index > recs.length) { return false; }  // a step missed: the caller asks for all of them
      var follow = cur === recs.length - 1;
      recs[index] = r;
      drawChart();
      show(follow ? recs.length - 1 : cur, point);
      return true;
    },
    reset: function (all) { recs = all.slice(); drawChart(); show(recs.length - 1, point); }
  };
}
"""
