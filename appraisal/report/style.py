"""The report's stylesheet (screen and print). Kept in Python so it ships with the package."""

CSS = """
:root { --ink:#1b1f24; --muted:#5c6670; --rule:#d9dee3; --accent:#1d3557; --bg:#ffffff;
        --red:#f4c7c3; --amber:#fde7b0; --green:#cfe8d5; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; background:#f4f6f8; color:var(--ink);
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 1000px; margin: 0 auto; background: var(--bg); padding: 28px 36px 40px; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 18px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--muted); margin: 0; }
h1 { font-size: 28px; margin: 4px 0 6px; }
.sub { color: var(--muted); margin: 0 0 12px; }
h2 { font-size: 21px; color: var(--accent); border-bottom: 1px solid var(--rule); padding-bottom: 4px; margin-top: 34px; }
h3 { font-size: 16px; margin: 22px 0 8px; }
nav ol { columns: 2; margin: 0 0 8px; padding-left: 20px; font-size: 14px; }
nav a { color: var(--accent); }
ul.summary { padding-left: 20px; font-size: 16px; }
ul.summary li { margin: 6px 0; }
.intro, .note { color: var(--muted); font-size: 13.5px; margin: 4px 0 8px; }
figure.chart { margin: 18px 0 26px; }
figcaption { font-weight: 600; margin-bottom: 2px; }
.plot { width: 100%; }
details.data { margin-top: 4px; font-size: 13px; }
details.data > summary { cursor: pointer; color: var(--accent); }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; width: auto; max-width: 100%; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #eef1f4; border-bottom: 2px solid #c5ccd3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.kv th { font-weight: 500; color: var(--muted); white-space: nowrap; }
table.mono td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
td.rag-red { background: var(--red); } td.rag-amber { background: var(--amber); } td.rag-green { background: var(--green); }
footer { margin-top: 36px; border-top: 1px solid var(--rule); color: var(--muted); font-size: 12px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { background: #fff; font-size: 12px; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-before: page; break-after: avoid; margin-top: 0; }
  #summary h2 { break-before: auto; }
  h3, figcaption, .intro, .note { break-after: avoid; }
  figure.chart, table { break-inside: avoid; }
  details.data > summary { color: var(--muted); }
  .modebar-container { display: none !important; }
  a { color: inherit; text-decoration: none; }
  th, td { padding: 2px 6px; }
}
"""
