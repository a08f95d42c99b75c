// The report's stylesheet, inlined into every report: status colours shared by the graph, the
// timeline and the tables, so one colour means one outcome everywhere.
export const STYLE = `
:root { --deployed: #16a34a; --unchanged: #60a5fa; --failed: #dc2626; --blocked: #ea580c;
  --skipped: #9ca3af; --passed: #16a34a; --ink: #1e293b; --muted: #64748b; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 24px; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #e2e8f0; padding-bottom: 4px; }
code, svg text { font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
.outcome { font-size: 14px; padding: 2px 8px; border-radius: 10px; color: #fff; vertical-align: middle; }
.outcome.succeeded { background: var(--deployed); } .outcome.failed, .outcome.stopped { background: var(--failed); }
.outcome.interrupted { background: var(--blocked); } .outcome.planned { background: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
.scroll { overflow-x: auto; border: 1px solid #e2e8f0; border-radius: 6px; padding: 12px; }
.note { color: var(--muted); } .error { color: var(--failed); white-space: pre-wrap; }
table { border-collapse: collapse; margin-top: 12px; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #e2e8f0; vertical-align: top; }
td ul { margin: 0; padding-left: 16px; } tr.deploys td:first-child { font-weight: 600; }
tr.case td { font-size: 13px; color: var(--muted); }
.badge { padding: 0 6px; border-radius: 8px; color: #fff; background: var(--muted); }
.status-deployed .badge { background: var(--deployed); } .status-unchanged .badge { background: var(--unchanged); }
.status-failed .badge { background: var(--failed); } .status-blocked .badge { background: var(--blocked); }
.status-skipped .badge { background: var(--skipped); } .status-passed .badge { background: var(--passed); }
.legend .key { display: inline-block; margin-right: 14px; }
.legend .key::before { content: ""; display: inline-block; width: 12px; height: 12px; margin-right: 5px;
  vertical-align: -1px; border-radius: 2px; border: 1px solid var(--muted); background: #fff; }
.legend .highlight::before { background: #fde68a; border: 2px solid #b45309; }
.legend .library::before { background: #f1f5f9; border-style: dashed; border-radius: 6px; }
.legend .status-deployed::before { background: var(--deployed); } .legend .status-unchanged::before { background: var(--unchanged); }
.legend .status-failed::before { background: var(--failed); } .legend .status-blocked::before { background: var(--blocked); }
.legend .status-skipped::before { background: var(--skipped); } .legend .status-passed::before { background: var(--passed); }
.legend .critical::before { border: 3px solid var(--ink); }
svg text { font-size: 12px; fill: var(--ink); }
.graph .edge { fill: none; stroke: #94a3b8; stroke-width: 1.4; marker-end: url(#arrow); }
.graph .node rect { fill: #fff; stroke: #334155; stroke-width: 1.2; }
.graph .node.library rect { fill: #f1f5f9; stroke: #94a3b8; stroke-dasharray: 4 3; }
.graph .node.highlight rect { fill: #fde68a; stroke: #b45309; stroke-width: 2; }
.graph .node text.note { font-size: 11px; fill: var(--muted); }
.graph .node.status-failed rect { stroke: var(--failed); stroke-width: 3; }
.graph .node.status-blocked rect { stroke: var(--blocked); stroke-width: 3; stroke-dasharray: 6 3; }
.graph .node.status-deployed rect, .graph .node.status-passed rect { stroke: var(--deployed); stroke-width: 3; }
.graph .node.status-unchanged rect { stroke: var(--unchanged); stroke-width: 3; }
.gantt .tick { stroke: #e2e8f0; } .gantt .axis { fill: var(--muted); font-size: 11px; text-anchor: middle; }
.gantt .region, .gantt .duration { fill: var(--muted); font-size: 11px; }
.gantt .status-deployed .bar { fill: var(--deployed); } .gantt .status-unchanged .bar { fill: var(--unchanged); }
.gantt .status-failed .bar { fill: var(--failed); } .gantt .status-passed .bar { fill: var(--passed); }
.gantt .not-run .why { font-size: 11px; font-style: italic; }
.gantt .status-blocked .why { fill: var(--blocked); } .gantt .status-skipped .why { fill: var(--skipped); }
.gantt .critical .bar { stroke: var(--ink); stroke-width: 3; }
.gantt .critical .service { font-weight: 700; }
.gantt .slot-wait { fill: none; stroke: var(--ink); stroke-width: 1.5; stroke-dasharray: 2 3; }
.slot-wait-note { color: var(--muted); font-style: italic; }
.gantt .critical-link { stroke: var(--ink); stroke-width: 2; stroke-dasharray: 5 3; fill: none; }
.log { color: var(--muted); font-size: 12px; }
.critical-path code { background: #f1f5f9; padding: 0 4px; border-radius: 3px; }
`;
