"""Live weights for a decision conference: one slider per value driver, re-scoring in the page.

The arithmetic is the linear additive model of :mod:`appraisal.mcda.engine` (``score``): swing weights
normalised to sum to one, total = sum of weight x 0-100 value, competition ranking with ties within 1e-9
(``rank_with_ties``). The browser test moves the sliders and checks totals and ranks against that engine.
Plain JavaScript, no server, no library; names reach the page through ``textContent`` only.
"""
from __future__ import annotations

import json
from typing import Mapping

from appraisal.report.fmt import esc
from appraisal.report.labels import Labels

TIE_TOL = 1e-9  # appraisal.mcda.engine.TIE_TOL

SCRIPT = r"""
(function () {
  var root = document.getElementById('live-weights');
  if (!root) return;
  var D = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
  var tol = D.tol, opts = D.options, drv = D.drivers;
  var sliders = drv.map(function (d) { return root.querySelector('input[data-driver="' + d.id + '"]'); });
  function raw() { return sliders.map(function (s) { return parseFloat(s.value) || 0; }); }
  function totals(w) {
    var sum = w.reduce(function (a, b) { return a + b; }, 0);
    return opts.map(function (o) {
      if (sum <= 0) return 0;
      return drv.reduce(function (t, d, j) { return t + (w[j] / sum) * D.values[o.id][d.id]; }, 0);
    });
  }
  function ranks(t) {
    return t.map(function (v) { return 1 + t.filter(function (u) { return u > v + tol; }).length; });
  }
  function leaders(t) {
    var best = Math.max.apply(null, t);
    return opts.filter(function (o, i) { return t[i] >= best - tol; }).map(function (o) { return o.name; }).join(' = ');
  }
  function pct(x) { return (100 * x).toFixed(1).replace(/\.0$/, '') + '%'; }
  // Where first place changes as driver j's share moves from 0 to 100 %, the others keeping their proportions.
  function switches(w, j) {
    var rest = w.reduce(function (a, b, k) { return k === j ? a : a + b; }, 0);
    if (rest <= 0) return '';
    var R = opts.map(function (o) {
      return drv.reduce(function (t, d, k) { return k === j ? t : t + w[k] * D.values[o.id][d.id]; }, 0) / rest;
    });
    var V = opts.map(function (o) { return D.values[o.id][drv[j].id]; });
    var at = function (a) { return opts.map(function (o, i) { return a * V[i] + (1 - a) * R[i]; }); };
    var pts = [0, 1];
    for (var p = 0; p < opts.length; p++) for (var q = p + 1; q < opts.length; q++) {
      var den = (V[p] - R[p]) - (V[q] - R[q]);
      if (Math.abs(den) > 1e-12) { var a = (R[q] - R[p]) / den; if (a > 1e-9 && a < 1 - 1e-9) pts.push(a); }
    }
    pts.sort(function (a, b) { return a - b; });
    var segs = [];
    for (var k = 0; k + 1 < pts.length; k++) {
      if (pts[k + 1] - pts[k] < 1e-9) continue;
      var who = leaders(at((pts[k] + pts[k + 1]) / 2));
      if (segs.length && segs[segs.length - 1].who === who) segs[segs.length - 1].to = pts[k + 1];
      else segs.push({ from: pts[k], to: pts[k + 1], who: who });
    }
    if (segs.length < 2) return 'First place does not change at any weight (' + segs[0].who + ').';
    return 'First place: ' + segs.map(function (s) { return pct(s.from) + '–' + pct(s.to) + ' ' + s.who; }).join('; ') + '.';
  }
  function render() {
    var w = raw(), sum = w.reduce(function (a, b) { return a + b; }, 0);
    sliders.forEach(function (s, j) {
      root.querySelector('output[data-driver="' + drv[j].id + '"]').textContent = sum > 0 ? pct(w[j] / sum) : '–';
      root.querySelector('.switch[data-driver="' + drv[j].id + '"]').textContent = switches(w, j);
      root.querySelector('td.w-print[data-driver="' + drv[j].id + '"]').textContent = sum > 0 ? pct(w[j] / sum) : '–';
    });
    var t = totals(w), r = ranks(t);
    var order = opts.map(function (o, i) { return i; }).sort(function (a, b) { return r[a] - r[b] || a - b; });
    var body = root.querySelector('tbody.ranking');
    while (body.firstChild) body.removeChild(body.firstChild);
    order.forEach(function (i) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-option', opts[i].id);
      [String(r[i]), opts[i].name, t[i].toFixed(1)].forEach(function (txt, c) {
        var td = document.createElement('td'); td.textContent = txt; if (c !== 1) td.className = 'num'; tr.appendChild(td);
      });
      tr.querySelector('td').setAttribute('data-total', String(t[i]));
      body.appendChild(tr);
    });
    var changed = sliders.some(function (s, j) { return Math.abs(parseFloat(s.value) - D.base[j]) > 1e-9; });
    root.querySelector('.state').textContent = changed ? 'Weights changed from the study\u2019s (see the table of weights in force).'
                                                        : 'The study\u2019s weights.';
  }
  sliders.forEach(function (s) { s.addEventListener('input', render); });
  root.querySelector('button.reset').addEventListener('click', function () {
    sliders.forEach(function (s, j) { s.value = D.base[j]; }); render();
  });
  render();
})();
"""


def live_weights(scoring: Mapping, lab: Labels, keep: list[str]) -> str:
    """The slider panel, or '' when the scoring has no drivers or values."""
    drivers = [d for d in scoring.get("drivers") or [] if d.get("driver_id")]
    values = scoring.get("scores") or {}
    options = [oid for oid in values if oid in keep]
    if not drivers or not options or any(d["driver_id"] not in values[o] for o in options for d in drivers):
        return ""
    base = [round(100.0 * float(d.get("weight") or 0.0), 4) for d in drivers]
    data = {"tol": TIE_TOL, "base": base,
            "options": [{"id": o, "name": lab.option(o)} for o in options],
            "drivers": [{"id": d["driver_id"], "name": lab.driver(d["driver_id"])} for d in drivers],
            "values": {o: {d["driver_id"]: float(values[o][d["driver_id"]]) for d in drivers} for o in options}}
    payload = json.dumps(data, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    rows = "".join(
        f'<div class="slider"><label for="w-{esc(d["driver_id"])}">{esc(lab.driver(d["driver_id"]))}</label>'
        f'<input type="range" id="w-{esc(d["driver_id"])}" data-driver="{esc(d["driver_id"])}" min="0" max="100" '
        f'step="any" value="{b:g}"><output data-driver="{esc(d["driver_id"])}"></output>'
        f'<p class="switch note" data-driver="{esc(d["driver_id"])}"></p></div>'
        for d, b in zip(drivers, base))
    in_force = "".join(f'<tr><th scope="row">{esc(lab.driver(d["driver_id"]))}</th>'
                       f'<td class="num">{100 * b / sum(base) if sum(base) else 0:.1f}%</td>'
                       f'<td class="num w-print" data-driver="{esc(d["driver_id"])}"></td></tr>'
                       for d, b in zip(drivers, base))
    return (f'<div id="live-weights" class="live-weights"><script type="application/json">{payload}</script>'
            '<h3>Live weights: move a slider to re-score the options</h3>'
            '<p class="note">Each slider is a swing weight; weights are normalised to sum to 100%. Options are re-scored '
            'and re-ranked in the page with the same linear additive model as the report (no server). Under each slider: '
            'which option is first as that weight runs from 0% to 100%, the others keeping their proportions.</p>'
            f'<div class="sliders">{rows}</div><p><button type="button" class="reset">Reset to the study\u2019s weights'
            '</button> <span class="state note"></span></p>'
            '<div class="lw-tables"><table class="data"><caption>Ranking under the weights in force</caption>'
            '<thead><tr><th scope="col">rank</th><th scope="col">option</th><th scope="col">total score (0–100)</th></tr>'
            '</thead><tbody class="ranking"></tbody></table>'
            '<table class="data weights-in-force"><caption>Weights in force</caption><thead><tr><th scope="col">value driver</th>'
            '<th scope="col">study</th><th scope="col">in force</th></tr></thead>'
            f'<tbody>{in_force}</tbody></table></div>'
            f'<script>{SCRIPT}</script></div>')
