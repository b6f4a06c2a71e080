"""User-supplied text (study, option, service, partner, vehicle, driver names) is shown as text, never run."""
from __future__ import annotations

import copy
import html as htmllib
import re

from appraisal.report import build_html

EVIL = "<script>alert(1)</script>"


def test_script_in_names_is_escaped_everywhere(evil_inputs):
    html = build_html(*evil_inputs)
    assert EVIL not in html
    assert "<script>alert" not in html.lower()
    # the page shows the text: escaped in titles, headings, tables, summary
    escaped = htmllib.escape(EVIL)
    assert html.count(escaped) >= 8
    assert f"<title>{escaped}: option appraisal</title>" in html and f"<h1>{escaped}</h1>" in html
    # every <script> element is ours: plotly.js, its config, one newPlot per chart, and the live weights
    # (their data as JSON, and the plain script that re-scores)
    scripts = re.findall(r"<script[^>]*>", html)
    charts = html.count('class="plotly-graph-div"')
    assert len(scripts) == charts + 2 + 2
    assert scripts.count('<script type="application/json">') == 1
    # the driver name inside the weights' JSON cannot close the script element
    assert '"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"' in html
    # in chart data the name is entity-encoded (and "</" JSON-escaped), so plotly.js shows it as text
    assert '"&lt;script&gt;alert(1)&lt;\\u002fscript&gt;"' in html


def test_quotes_and_ampersands_in_names(full_inputs):
    r, t = copy.deepcopy(full_inputs[0]), full_inputs[1]
    r["options"]["merge"]["name"] = 'Tom & Jerry\'s "shared" <b>service</b>'
    html = build_html(r, t)
    assert "Tom &amp; Jerry&#x27;s &quot;shared&quot; &lt;b&gt;service&lt;/b&gt;" in html
    assert "<b>service</b>" not in html
