// The live incidents page (GET /): one self-contained document, no CDN and nothing fetched but the
// agent's own /ui/state, polled every two seconds (no reload). Open incidents grouped by MCPServer,
// each root cause with what it explains under it, worst first; severity, age, message, the
// remediation as steps with a copy button per command; silenced and flapping shown; the latest
// resolved below. Every value is set as text (never as HTML): names from the cluster cannot inject.
// The script's hash is in the Content-Security-Policy, so nothing else can run.

import { createHash } from 'node:crypto';

const STYLE = `
:root{color-scheme:light dark;--bg:#fafafa;--fg:#1d1d1f;--muted:#6b6b70;--card:#fff;--line:#e3e3e8;--crit:#c62828;--warn:#b26a00;--info:#1565c0;--ok:#2e7d32;--code:#f1f1f4}
@media (prefers-color-scheme:dark){:root{--bg:#16161a;--fg:#e8e8ec;--muted:#9a9aa2;--card:#1f1f24;--line:#2e2e35;--code:#2a2a31}}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;background:var(--bg);color:var(--fg)}
header{position:sticky;top:0;background:var(--card);border-bottom:1px solid var(--line);padding:10px 20px;display:flex;gap:16px;align-items:baseline;flex-wrap:wrap}
h1{font-size:16px;margin:0}#summary{font-weight:600}#status{color:var(--muted);margin-left:auto}#status.down{color:var(--crit);font-weight:600}
main{padding:12px 20px;max-width:1100px}section{margin:14px 0}h2{font-size:14px;margin:18px 0 6px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.group{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:10px 0;padding:4px 14px 10px}.group>h3{font-size:15px;margin:8px 0}
.inc{border-top:1px solid var(--line);padding:8px 0}.inc:first-of-type{border-top:0}.head{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
.sev{font-weight:700;font-size:12px;padding:1px 6px;border-radius:4px;color:#fff}.critical{background:var(--crit)}.warning{background:var(--warn)}.info{background:var(--info)}
.reason{font-weight:600}.obj{font-family:ui-monospace,monospace;font-size:13px}.age{color:var(--muted);font-size:12px}.msg{margin:3px 0}
.badge{font-size:11px;border:1px solid var(--line);border-radius:10px;padding:0 7px;color:var(--muted)}.flap{border-color:var(--warn);color:var(--warn)}
.silenced{opacity:.55}.steps{margin:4px 0 0 0}.prose{margin:3px 0}.cmd{display:flex;gap:6px;align-items:flex-start;margin:3px 0}
.cmd code{flex:1;background:var(--code);padding:4px 8px;border-radius:4px;font:12.5px/1.4 ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}
button{font:12px system-ui;border:1px solid var(--line);background:var(--card);color:var(--fg);border-radius:4px;padding:3px 8px;cursor:pointer}
.explains{margin:6px 0 0 18px;border-left:2px solid var(--line);padding-left:10px}.explains .inc{padding:4px 0}
.empty{color:var(--ok);font-weight:600;padding:12px 0}.resolved .inc{display:flex;gap:10px;flex-wrap:wrap;align-items:baseline}.more{color:var(--muted)}
.blind{background:#fff3e0;color:#7a4500;border:1px solid #ffb74d;border-radius:6px;padding:8px 12px;margin:10px 0}`;

const SCRIPT = `
'use strict';
const $ = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
const RANK = { critical: 0, warning: 1, info: 2 };
let last = null, failures = 0;
function age(from, now) {
  const s = Math.max(0, Math.round((now - Date.parse(from)) / 1000));
  return s < 90 ? s + 's' : s < 5400 ? Math.round(s / 60) + 'm' : s < 172800 ? Math.round(s / 3600) + 'h' : Math.round(s / 86400) + 'd';
}
function copy(text, btn) {
  const done = () => { btn.textContent = 'copied'; setTimeout(() => { btn.textContent = 'copy'; }, 1200); };
  if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done, () => fallback(text, done)); } else fallback(text, done);
}
function fallback(text, done) {
  const t = $('textarea'); t.value = text; document.body.appendChild(t); t.select();
  try { document.execCommand('copy'); done(); } catch (e) { /* the text stays selected */ } t.remove();
}
function incident(i, now, withSteps) {
  const d = $('div', 'inc' + (i.silence ? ' silenced' : '')); d.dataset.id = i.id; d.dataset.reason = i.reason;
  const h = $('div', 'head');
  h.append($('span', 'sev ' + i.severity, i.severity.toUpperCase()), $('span', 'reason', i.reason), $('span', 'obj', i.object));
  if (i.since) h.append($('span', 'age', 'for ' + age(i.since, now)));
  if (i.flapping) h.append($('span', 'badge flap', 'flapping'));
  if (i.silence) h.append($('span', 'badge silence', 'silenced' + (i.silence.by ? ' by ' + i.silence.by : '') + (i.silence.reason ? ': ' + i.silence.reason : '') + (i.silence.until ? ' until ' + i.silence.until : '')));
  d.append(h, $('div', 'msg', i.message));
  if (withSteps) {
    const st = $('div', 'steps');
    for (const s of i.steps) {
      if (s.prose) st.append($('div', 'prose', s.prose));
      if (s.command) { const c = $('div', 'cmd'); const b = $('button', '', 'copy'); b.type = 'button'; b.onclick = () => copy(s.command, b); c.append($('code', '', s.command), b); st.append(c); }
    }
    d.append(st);
  }
  return d;
}
function render(s) {
  const now = Date.parse(s.now);
  const open = s.open, byId = new Map(open.map((i) => [i.id, i]));
  const crit = open.filter((i) => !i.silence && i.severity === 'critical').length, warn = open.filter((i) => !i.silence && i.severity === 'warning').length;
  const sil = open.filter((i) => i.silence).length;
  document.getElementById('cluster').textContent = 'cluster ' + s.cluster;
  document.getElementById('summary').textContent = s.openTotal === 0 ? 'no open incidents' : crit + ' critical · ' + warn + ' warning · ' + s.openTotal + ' open' + (sil ? ' (' + sil + ' silenced)' : '');
  document.title = (crit ? '(' + crit + ') ' : '') + 'sentinel-agent · ' + s.cluster;
  const root = document.getElementById('open'); root.replaceChildren();
  if (s.blind.length) root.append($('div', 'blind', 'The agent cannot see ' + s.blind.map((b) => b.kind + ' (' + b.status + ')').join(', ') + ': what it shows for them may be out of date.'));
  else if (!s.ready) root.append($('div', 'blind', 'The agent is still reading the cluster.'));
  if (open.length === 0) root.append($('div', 'empty', 'No open incidents.'));
  const groups = new Map();
  for (const i of open) { const k = i.server ? 'MCPServer ' + i.server + (i.team ? ' (team ' + i.team + ')' : '') : 'Other workloads and platform'; if (!groups.has(k)) groups.set(k, []); groups.get(k).push(i); }
  const worst = (l) => Math.min(...l.filter((i) => !i.silence).map((i) => RANK[i.severity]), 9);
  const keys = [...groups.keys()].sort((a, b) => worst(groups.get(a)) - worst(groups.get(b)) || (a < b ? -1 : 1));
  for (const k of keys) {
    const l = groups.get(k), g = $('div', 'group'); g.dataset.group = k; g.append($('h3', '', k));
    const inGroup = new Set(l.map((i) => i.id)), kids = new Map();
    for (const i of l) if (i.rootCauseId && inGroup.has(i.rootCauseId)) { if (!kids.has(i.rootCauseId)) kids.set(i.rootCauseId, []); kids.get(i.rootCauseId).push(i); }
    const roots = l.filter((i) => !(i.rootCauseId && inGroup.has(i.rootCauseId))).sort((a, b) => (a.silence ? 1 : 0) - (b.silence ? 1 : 0) || RANK[a.severity] - RANK[b.severity]);
    for (const r of roots) {
      const d = incident(r, now, true);
      const cause = r.rootCauseId && byId.get(r.rootCauseId);
      if (cause) d.append($('div', 'age', 'caused by ' + cause.reason + ' on ' + cause.object));
      const ks = kids.get(r.id) || [];
      if (ks.length) { const e = $('div', 'explains'); e.append($('div', 'age', 'explains ' + ks.length + ' more:')); for (const c of ks) e.append(incident(c, now, false)); d.append(e); }
      g.append(d);
    }
    root.append(g);
  }
  if (s.openTotal > open.length) root.append($('div', 'more', (s.openTotal - open.length) + ' more open incidents: see /incidents'));
  const res = document.getElementById('resolved'); res.replaceChildren();
  document.getElementById('resolved-title').textContent = 'Resolved (' + s.resolvedTotal + ')';
  if (s.resolved.length === 0) res.append($('div', 'more', 'Nothing resolved yet.'));
  for (const i of s.resolved) {
    const d = $('div', 'inc'); d.dataset.id = i.id; d.dataset.reason = i.reason;
    d.append($('span', 'badge', 'resolved ' + age(i.resolvedAt, now) + ' ago'), $('span', 'reason', i.reason), $('span', 'obj', i.object));
    if (i.durationSeconds !== undefined) d.append($('span', 'age', 'open for ' + age(new Date(now - i.durationSeconds * 1000).toISOString(), now)));
    res.append(d);
  }
}
async function poll() {
  const status = document.getElementById('status');
  try {
    const r = await fetch('ui/state', { cache: 'no-store' });
    if (!r.ok) throw new Error('HTTP ' + r.status);
    last = await r.json(); failures = 0; render(last);
    status.className = ''; status.textContent = 'live · updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    failures++; status.className = 'down';
    status.textContent = 'agent unreachable (' + (e && e.message ? e.message : e) + ')' + (last ? ': showing what it last said' : '');
  }
  setTimeout(poll, failures ? Math.min(10000, 2000 * failures) : 2000);
}
poll();`;

const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

/** The Content-Security-Policy of the page: its own script and style, its own origin to poll. */
export const PAGE_CSP = `default-src 'none'; script-src 'sha256-${SCRIPT_HASH}'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

export function pageHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>sentinel-agent</title><style>${STYLE}</style></head>
<body><header><h1>sentinel-agent</h1><span id="cluster"></span><span id="summary">loading…</span><span id="status">connecting…</span></header>
<main><section><h2>Open incidents</h2><div id="open"></div></section>
<section class="resolved"><h2 id="resolved-title">Resolved</h2><div id="resolved"></div></section></main>
<script>${SCRIPT}</script></body></html>
`;
}
