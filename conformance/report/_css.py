"""The certificate's stylesheet: inline, system fonts only, nothing fetched (the file must work offline)."""

CSS = """
:root{--pass:#1a7f37;--cond:#b26b00;--fail:#c62828;--muted:#5f6b7a;--line:#d8dee4;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
margin:0 auto;max-width:1100px;padding:24px;color:#1f2328;line-height:1.45}
h1{font-size:1.5rem;margin:0 0 .3rem}h2{font-size:1.2rem;border-bottom:1px solid var(--line);padding-bottom:.3rem;
margin-top:2rem}
[lang=en]{color:var(--muted)}
h1 [lang=en],h2 [lang=en],.level [lang=en],.badge [lang=en]{color:inherit;opacity:.85}
header{border:3px solid var(--line);border-radius:10px;padding:18px 22px;display:flex;flex-wrap:wrap;gap:24px;
align-items:center;justify-content:space-between}
header.lv-pass{border-color:var(--pass)}header.lv-conditional{border-color:var(--cond)}header.lv-fail{border-color:var(--fail)}
.level{font-size:2.6rem;font-weight:700;line-height:1.1}
.lv-pass .level{color:var(--pass)}.lv-conditional .level{color:var(--cond)}.lv-fail .level{color:var(--fail)}
.sut{font-size:1.1rem;margin:.2rem 0}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.score td{font-size:1.1rem;text-align:center}.score .total{font-weight:700;font-size:1.4rem}
.badge{display:inline-block;border-radius:4px;padding:0 6px;font-size:.8rem;font-weight:600;color:#fff;background:var(--muted)}
.o-pass{background:var(--pass)}.o-fail,.o-error{background:var(--fail)}.o-waived{background:var(--cond)}
.o-skipped{background:#8c959f}.expired{background:var(--fail)}
details.check{border:1px solid var(--line);border-radius:6px;margin:.4rem 0;padding:0 10px}
details.check[open]{padding-bottom:8px}
details.check>summary{cursor:pointer;padding:6px 0;list-style-position:outside}
details.check code{font-size:.85rem}
.findings td{font-size:.82rem;max-width:320px;overflow-wrap:anywhere}
.findings td.data{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap}
.waiver{border-left:4px solid var(--cond);padding:4px 10px;background:#fff8e6;margin:.4rem 0}
.waiver.expired-w{border-color:var(--fail);background:#fdecec}
.errors li{color:var(--fail)}
svg{max-width:100%;height:auto;background:#fff;border:1px solid var(--line);border-radius:6px}
svg .bar{fill:#4c78a8}svg .axis{stroke:#57606a;stroke-width:1}
svg .lbl{font-size:11px;fill:#57606a}svg .fig{font-size:12px;fill:#1f2328;font-weight:600}
svg .res{font-size:12px;font-weight:700;fill:#1f2328}
svg line.sla-p95{stroke:var(--cond);stroke-width:2;stroke-dasharray:6 4}
svg line.sla-max{stroke:var(--fail);stroke-width:2;stroke-dasharray:2 3}
svg text.sla-p95{font-size:11px;fill:var(--cond)}svg text.sla-max{font-size:11px;fill:var(--fail)}
svg line.obs-p95{stroke:#1f2328;stroke-width:1;stroke-dasharray:1 2}
svg .c-exp{fill:#8c959f}svg .c-pre{fill:var(--pass)}svg .c-lost{fill:var(--fail)}svg .c-dup{fill:var(--cond)}
svg .c-unx{fill:#8250df}
footer{margin-top:2rem;color:var(--muted);font-size:.8rem}
@media print{details.check{break-inside:avoid}body{max-width:none}}
"""
