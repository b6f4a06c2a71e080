"""The report's stylesheet (screen and print). Kept in Python so it ships with the package.

Print: A4 portrait, the study name and date in the page header, "Page n of N" in the footer (CSS page
margin boxes, which Chromium prints), each case on a new page, chart blocks kept whole, table rows never
split and table headers repeated on every page.
"""

PRINT_WIDTH_MM = 182  # A4 (210 mm) less 14 mm margins each side

BASE = """
:root { --ink:#1b1f24; --muted:#5c6670; --rule:#d9dee3; --accent:#0b3d6b; --bg:#ffffff;
        --red:#f4c7c3; --amber:#fde7b0; --green:#cfe8d5; --warn:#fff4d6; --warnrule:#e69f00; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; background:#f4f6f8; color:var(--ink);
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; background: var(--bg); padding: 28px 40px 40px; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 14px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--muted); margin: 0; }
h1 { font-size: 28px; margin: 4px 0 6px; line-height: 1.2; }
.sub { color: var(--muted); margin: 0 0 12px; }
h2 { font-size: 22px; color: var(--accent); border-bottom: 1px solid var(--rule); padding-bottom: 4px; margin-top: 36px; }
h3 { font-size: 17px; margin: 24px 0 8px; }
h4 { font-size: 15px; margin: 18px 0 6px; }
nav ul.toc { margin: 0 0 8px; padding-left: 0; list-style: none; font-size: 15px; max-width: 640px; }
nav li { margin: 4px 0; }
nav a { color: var(--accent); }
.label { text-transform: uppercase; letter-spacing: .06em; font-size: 12px; font-weight: 700; color: var(--accent); margin: 14px 0 4px; }
.rec { border-left: 5px solid var(--accent); background: #eef3f8; padding: 8px 14px; font-size: 17px; }
.rec p { margin: 4px 0; } .rec .label { margin-top: 2px; }
.cards { display: flex; gap: 12px; margin: 12px 0; flex-wrap: wrap; }
.card { flex: 1 1 200px; border: 1px solid var(--rule); border-top: 4px solid var(--accent); padding: 8px 12px; }
.card .label { margin: 0; color: var(--muted); }
.card .value { font-size: 28px; font-weight: 700; margin: 2px 0; font-variant-numeric: tabular-nums; }
.card .note { margin: 0; }
.assume { border-left: 5px solid var(--warnrule); background: var(--warn); padding: 6px 14px; }
.assume p { margin: 4px 0; } .assume .label { color: #7a4d00; }
ul.summary, ul.caveats { padding-left: 20px; margin: 4px 0; }
ul.summary li, ul.caveats li { margin: 3px 0; }
ul.caveats li { color: #5a3b00; }
.intro, .note { color: var(--muted); font-size: 13.5px; margin: 4px 0 8px; }
.caveat { background: var(--warn); border-left: 4px solid var(--warnrule); padding: 6px 10px; font-size: 13.5px; margin: 6px 0 10px; }
.missing { color: var(--muted); font-style: italic; }
.vfm { font-size: 15px; }
figure.chart { margin: 18px 0 26px; }
figcaption { font-weight: 650; font-size: 15px; margin-bottom: 2px; }
.plot { width: 100%; }
details.data { margin-top: 4px; font-size: 13px; }
details.data > summary { cursor: pointer; color: var(--accent); }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; width: auto; max-width: 100%; }
caption { text-align: left; font-weight: 600; padding: 2px 0; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #eef1f4; border-bottom: 2px solid #c5ccd3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.kv th { font-weight: 500; color: var(--muted); }
table.mono td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
td.rag-red { background: var(--red); } td.rag-amber { background: var(--amber); } td.rag-green { background: var(--green); }
.live-weights { border: 1px solid var(--rule); padding: 8px 14px; margin: 14px 0; }
.sliders { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 4px 24px; }
.slider label { display: block; font-weight: 600; font-size: 13.5px; }
.slider input { width: 75%; vertical-align: middle; }
.slider output { display: inline-block; width: 22%; text-align: right; font-variant-numeric: tabular-nums; }
.slider .switch { margin: 0 0 6px; font-size: 12.5px; }
.lw-tables { display: flex; gap: 24px; flex-wrap: wrap; }
button.reset { font: inherit; padding: 3px 10px; }
.pageno { float: right; color: var(--muted); }
footer { margin-top: 36px; border-top: 1px solid var(--rule); color: var(--muted); font-size: 12px; }
"""

PRINT = """
@page { size: A4 portrait; margin: 16mm 14mm 15mm 14mm;
        @top-left { content: %(header)s; font: 8.5pt system-ui, Arial, sans-serif; color: #5c6670; }
        @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8.5pt system-ui, Arial, sans-serif; color: #5c6670; } }
@page :first { @top-left { content: none; } }
@media print {
  body { background: #fff; font-size: 11.5px; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 22px; } h2 { font-size: 18px; } h3 { font-size: 14px; } .card .value { font-size: 22px; }
  .rec { font-size: 13.5px; } .intro, .note, .caveat { font-size: 11px; }
  section > h2, nav#contents { break-before: page; margin-top: 0; }
  #summary > h2 { break-before: auto; }
  h2, h3, h4, figcaption, .intro, .note, .label { break-after: avoid; }
  .keep, .card, .rec, .assume, .caveat { break-inside: avoid; }
  tr { break-inside: avoid; } thead { display: table-header-group; }
  details.data > summary { color: var(--muted); }
  .modebar-container { display: none !important; }
  a { color: inherit; text-decoration: none; }
  th, td { padding: 2px 6px; }
  .live-weights input, .live-weights button, .live-weights .state, .slider .switch { display: none; }
  .slider output { text-align: left; }
  footer { break-before: avoid; }
  ul.summary li, ul.caveats li { margin: 1px 0; } #summary .label { margin: 8px 0 2px; }
}
"""

# the variant printed to PDF is laid out at the printed width on screen too, so plotly draws each chart
# at the width it will have on paper
PRINT_LAYOUT = f"main {{ width: {PRINT_WIDTH_MM}mm; max-width: {PRINT_WIDTH_MM}mm; padding: 0; }} body {{ background: #fff; }}"


def css_string(text: str) -> str:
    """A CSS string literal of any text: everything but letters, digits and spaces as a hex escape."""
    return '"' + "".join(c if (c.isalnum() and c.isascii()) or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def css(study: str = "", date: str = "", print_layout: bool = False) -> str:
    header = css_string(" · ".join(x for x in (study, date) if x))
    return BASE + PRINT % {"header": header} + (PRINT_LAYOUT if print_layout else "")


CSS = css()
