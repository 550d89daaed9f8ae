// The dashboard: tabs, the session, and each panel's data from /api/v1 (docs/dashboard.md). Plain ES modules, no
// build step; every request goes through api() and every failure is shown in #errors or next to its form.

import { api, ApiError, guarded, onUnauthorised } from './api.js';
import { el, fmt, statusBadge } from './format.js';
import { DataTable } from './table.js';
import { barChart, PALETTE, timeChart } from './charts.js';
import { connect, initEventLog, onAlerts } from './live.js';

const REFRESH_MS = 5000;
const $ = (id) => document.getElementById(id);

// ---- tabs: arrow keys move between them, Enter/Space/click select (WAI-ARIA tabs pattern)

const TABS = ['overview', 'compare', 'runs', 'events', 'alerts', 'system'];
let current = 'overview';

function select(name, focus) {
  current = name;
  for (const t of TABS) {
    const tab = $(`tab-${t}`);
    tab.setAttribute('aria-selected', String(t === name));
    tab.tabIndex = t === name ? 0 : -1;
    $(`panel-${t}`).hidden = t !== name;
  }
  if (focus) {
    $(`tab-${name}`).focus();
  }
  refresh(name);
}

function initTabs() {
  for (const t of TABS) {
    const tab = $(`tab-${t}`);
    tab.addEventListener('click', () => select(t, false));
    tab.addEventListener('keydown', (e) => {
      const i = TABS.indexOf(t);
      const to = { ArrowRight: TABS[(i + 1) % TABS.length], ArrowLeft: TABS[(i + TABS.length - 1) % TABS.length],
        Home: TABS[0], End: TABS[TABS.length - 1] }[e.key];
      if (to) {
        e.preventDefault();
        select(to, true);
      }
    });
  }
}

// ---- session: GET /api/v1/session first; on 401 ask for the token once and exchange it for a cookie

let loginOpen = null;

async function ensureSession() {
  try {
    await api('/api/v1/session');
    return;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) {
      return;   // a server without sessions (404) or no answer: the panels show their own errors
    }
  }
  await askForToken();
}

function askForToken() {
  if (loginOpen) {
    return loginOpen;
  }
  loginOpen = new Promise((resolve) => {
    const dialog = $('login');
    const form = $('login-form');
    const input = $('login-token');
    const error = $('login-error');
    const submit = async (e) => {
      e.preventDefault();
      error.textContent = '';
      try {
        await api('/api/v1/session', { method: 'POST', headers: { Authorization: `Bearer ${input.value}` } });
      } catch (err) {
        error.textContent = err.status === 401 ? 'The server refused this token.' : err.message;
        input.value = '';   // a refused token is not kept either: the next one is typed afresh
        input.focus();
        return;
      }
      input.value = '';   // the token is not kept: the cookie is the session
      form.removeEventListener('submit', submit);
      dialog.close();
      loginOpen = null;
      resolve();
      refresh(current);
    };
    form.addEventListener('submit', submit);
    dialog.showModal();
    input.focus();
  });
  return loginOpen;
}

// ---- overview: the charts of one subject over a window

const WINDOWS = { '5m': [5 * 60e3, 10e3], '1h': [3600e3, 60e3], '24h': [86400e3, 900e3] };
const STEPS = [10e3, 60e3, 300e3, 900e3, 3600e3];

function range() {
  const choice = $('chart-window').value;
  if (choice !== 'custom') {
    const [span, step] = WINDOWS[choice];
    return { query: `window=${choice}`, step, from: Date.now() - span, to: Date.now() };
  }
  const from = Date.parse($('custom-from').value);
  const to = $('custom-to').value ? Date.parse($('custom-to').value) : Date.now();
  if (Number.isNaN(from) || !(to > from)) {
    throw new ApiError(400, 'choose a custom range whose start comes before its end');
  }
  const step = STEPS.find((s) => (to - from) / s <= 300) || 3600e3;
  return { query: `from=${from}&to=${to}`, step, from, to };
}

async function loadSubjects() {
  const select = $('chart-subject');
  const chosen = select.value;
  const [models, steps] = await Promise.all([
    api('/api/v1/models'),
    api('/api/v1/compare?by=pipeline,step&window=24h&limit=1000'),
  ]);
  const options = models.models.map((m) => el('option', { value: `model=${encodeURIComponent(m.model)}`,
    text: `model ${m.model}` }));
  for (const g of steps.groups) {
    if (g.values.pipeline && g.values.step) {
      options.push(el('option', { value: `pipeline=${encodeURIComponent(g.values.pipeline)}&pipelineStep=`
        + encodeURIComponent(g.values.step), text: `step ${g.values.pipeline} / ${g.values.step}` }));
    }
  }
  select.replaceChildren(...options);
  if ([...select.options].some((o) => o.value === chosen)) {
    select.value = chosen;
  }
}

async function loadCharts() {
  await loadSubjects();
  const subject = $('chart-subject').value;
  if (!subject) {
    $('chart-latency').replaceChildren(el('p', { class: 'muted', text: 'No model has recorded an event yet.' }));
    $('chart-throughput').replaceChildren();
    $('chart-markers').replaceChildren();
    return;
  }
  const r = range();
  const series = (metric) => api(`/api/v1/series?${subject}&metric=${metric}&${r.query}&step=${r.step / 1000}s`);
  const model = subject.startsWith('model=') ? subject.slice(6) : null;
  const [p50, p95, p99, rps, tps, anomalies, history] = await Promise.all([
    series('p50'), series('p95'), series('p99'), series('rps'), series('output_tokens_per_second'),
    model ? api(`/api/v1/anomalies?model=${model}&from=${r.from}&to=${r.to}`) : { anomalies: [] },
    api('/api/v1/alerts/history?limit=200'),
  ]);
  const xs = p50.points.map((p) => p.t);
  const values = (s) => s.points.map((p) => p.value);
  const markers = [
    ...anomalies.anomalies.map((a) => ({ t: Date.parse(a.start), kind: 'anomaly',
      text: `anomaly ${a.metric} (${a.kind}) at ${fmt.time(Date.parse(a.start))}: observed ${fmt.ms(a.observed)}, `
        + `expected ${fmt.ms(a.expected)}` })),
    ...history.transitions.filter((h) => h.kind === 'firing' && Date.parse(h.time) >= r.from)
      .map((h) => ({ t: Date.parse(h.time), kind: 'alert', text: `alert ${h.rule} firing at ${fmt.time(Date.parse(h.time))}: `
        + h.summary })),
  ];
  timeChart($('chart-latency'), xs, [
    { label: 'P50', values: values(p50), color: PALETTE.blue },
    { label: 'P95', values: values(p95), color: PALETTE.orange, dash: [8, 4] },
    { label: 'P99', values: values(p99), color: PALETTE.vermillion, dash: [2, 3] },
  ], markers);
  timeChart($('chart-throughput'), xs, [
    { label: 'requests/s', values: values(rps), color: PALETTE.green },
    { label: 'output tokens/s', values: values(tps), color: PALETTE.purple, dash: [8, 4], scale: 'tokens' },
  ], markers, [{ label: 'requests/s' }, { label: 'tokens/s' }]);
  $('chart-markers').replaceChildren(...(markers.length ? markers.map((m) => el('li', { class: `marker-${m.kind}`,
    'data-kind': m.kind, text: m.text })) : [el('li', { class: 'muted', text: 'No anomaly or alert firing in this window.' })]));
}

// ---- compare: models (analytics), configurations (compare with significance) and the best configuration

const MODEL_COLUMNS = [
  { key: 'model', label: 'Model', value: (r) => r.model, format: (v) => v },
  { key: 'count', label: 'Requests', value: (r) => r.count, format: fmt.int },
  { key: 'rps', label: 'Req/s', value: (r) => r.requestsPerSecond, format: fmt.rate },
  { key: 'p50', label: 'P50 ms', value: (r) => r.latencyMs.p50, format: fmt.ms },
  { key: 'p95', label: 'P95 ms', value: (r) => r.latencyMs.p95, format: fmt.ms },
  { key: 'p99', label: 'P99 ms', value: (r) => r.latencyMs.p99, format: fmt.ms },
  { key: 'ttftP95', label: 'TTFT P95 ms', value: (r) => r.ttftMs.p95, format: fmt.ms },
  { key: 'outTps', label: 'Out tok/s', value: (r) => r.outputTokensPerSecond, format: fmt.rate },
  { key: 'errorRate', label: 'Error rate', value: (r) => r.errorRate, format: fmt.percent },
  { key: 'cost', label: 'Cost', value: (r) => r.costUsd, format: fmt.usd },
];

function verdictCell(significance, key) {
  const s = significance && significance[key];
  if (!s) {
    return el('span', { class: 'muted', text: 'baseline' });
  }
  return el('span', { class: `verdict-${s.verdict}`, title: s.reason || `${s.method}, ${s.confidenceLevel * 100} %`,
    text: s.verdict.replaceAll('_', ' ') });
}

const CONFIG_COLUMNS = [
  { key: 'config', label: 'Configuration', value: (g) => g.values.config, format: (v) => v || '(none)' },
  { key: 'count', label: 'Requests', value: (g) => g.count, format: fmt.int },
  { key: 'p95', label: 'P95 ms', value: (g) => g.latencyMs.p95, format: fmt.ms },
  { key: 'p95Verdict', label: 'P95 vs baseline', value: (g) => g.significance?.p95LatencyMs?.verdict ?? null,
    format: (v) => v ?? 'baseline', render: (g) => verdictCell(g.significance, 'p95LatencyMs') },
  { key: 'errorRate', label: 'Error rate', value: (g) => g.errorRate, format: fmt.percent },
  { key: 'errorVerdict', label: 'Errors vs baseline', value: (g) => g.significance?.errorRate?.verdict ?? null,
    format: (v) => v ?? 'baseline', render: (g) => verdictCell(g.significance, 'errorRate') },
  { key: 'costPerSuccess', label: 'Cost/success', value: (g) => g.costPerSuccessUsd, format: fmt.usd },
];

const BEST_COLUMNS = [
  { key: 'rank', label: 'Rank', value: (r) => r.rank, format: fmt.int },
  { key: 'name', label: 'Configuration', value: (r) => r.name, format: (v) => v || '(none)' },
  { key: 'score', label: 'Score', value: (r) => r.score, format: (v) => (v === null ? '–' : v.toFixed(1)) },
  { key: 'count', label: 'Events', value: (r) => r.count, format: fmt.int },
  ...['quality', 'p95LatencyMs', 'costPerSuccessUsd', 'successRate'].map((c) => ({
    key: c, label: c, value: (r) => r.components.find((x) => x.component === c)?.raw ?? null,
    format: (v) => (v === null ? '–' : Number(v.toPrecision(4)).toString()) })),
];

let modelsTable;
let configsTable;
let bestTable;

async function loadCompare() {
  const w = $('compare-window').value;
  const analytics = await api(`/api/v1/analytics?window=${w}`);
  modelsTable.setRows(analytics.models);
  const qualities = Object.keys(analytics.all?.qualityMeans || {});
  const baselineSelect = $('configs-baseline');
  const plain = await api(`/api/v1/compare?by=config&window=${w}`);
  const names = plain.groups.map((g) => g.values.config);
  const chosen = names.includes(baselineSelect.value) ? baselineSelect.value : names[0];
  baselineSelect.replaceChildren(...names.map((n) => el('option', { value: n, text: n || '(none)' })));
  if (chosen !== undefined) {
    baselineSelect.value = chosen;
  }
  const compared = names.length > 1
    ? await api(`/api/v1/compare?by=config&window=${w}&baseline=${encodeURIComponent(chosen)}`) : plain;
  configsTable.setRows(compared.groups);
  const weights = qualities.length ? `quality=${encodeURIComponent(qualities[0])}&weights=quality:1,p95:1,costPerSuccess:1,successRate:1`
    : 'weights=p95:1,costPerSuccess:1,successRate:1';
  const best = await api(`/api/v1/best?by=config&window=${w === '5m' ? '1h' : w}&${weights}`);
  bestTable.setRows(best.rankings);
}

// ---- runs: the list, and one run's page

const RUN_COLUMNS = [
  { key: 'name', label: 'Run', value: (r) => r.name, format: (v) => v,
    render: (r) => el('button', { type: 'button', class: 'link', 'data-run': r.id, text: r.name || r.id,
      onclick: () => openRun(r.id) }) },
  { key: 'status', label: 'Status', value: (r) => r.status, format: (v) => v, render: (r) => statusBadge(r.status) },
  { key: 'progress', label: 'Progress', value: (r) => r.progress.fraction, format: fmt.percent,
    render: (r, text) => el('span', {}, el('progress', { max: '1', value: String(r.progress.fraction ?? 0),
      'aria-label': `progress ${text}` }), ` ${r.progress.done}/${r.progress.expected ?? '?'}`) },
  { key: 'eta', label: 'ETA', value: (r) => r.progress.etaMs, format: fmt.duration },
  { key: 'events', label: 'Events', value: (r) => r.events, format: fmt.int },
  { key: 'p95', label: 'P95 ms', value: (r) => r.latencyMs.p95, format: fmt.ms },
  { key: 'cost', label: 'Cost', value: (r) => r.cost.usd, format: fmt.usd },
  { key: 'created', label: 'Created', value: (r) => Date.parse(r.createdAt), format: fmt.time },
];

let runsTable;
let openRunId = null;

async function loadRuns() {
  const list = await api('/api/v1/runs?limit=200');
  runsTable.setRows(list.runs);
  if (openRunId) {
    await showRun(openRunId);
  }
}

function openRun(id) {
  openRunId = id;
  guarded('run', () => showRun(id)).then(() => $('run-title').focus());
}

async function showRun(id) {
  const run = await api(`/api/v1/runs/${encodeURIComponent(id)}`);
  $('run-detail').hidden = false;
  $('run-title').textContent = `Run ${run.name || run.id}`;
  $('run-title').tabIndex = -1;
  const items = [
    ['Status', run.status], ['Progress', `${run.progress.done}/${run.progress.expected ?? '?'}`],
    ['ETA', fmt.duration(run.progress.etaMs)], ['Events', fmt.int(run.events)],
    ['OK', fmt.int(run.byStatus.ok)], ['Errors', fmt.int(run.byStatus.error)], ['Timeouts', fmt.int(run.byStatus.timeout)],
    ['P50 ms', fmt.ms(run.latencyMs.p50)], ['P95 ms', fmt.ms(run.latencyMs.p95)], ['P99 ms', fmt.ms(run.latencyMs.p99)],
    ['Prompt tokens', fmt.int(run.tokens.prompt)], ['Completion tokens', fmt.int(run.tokens.completion)],
    ['Cost', fmt.usd(run.cost.usd)], ['Tasks done', fmt.int(run.tasks.done)],
    ...Object.entries(run.quality).map(([k, q]) => [`Quality ${k}`, q.mean === null ? '–' : q.mean.toFixed(3)]),
    ['Created', fmt.time(Date.parse(run.createdAt))],
    ['Finished', run.finishedAt ? fmt.time(Date.parse(run.finishedAt)) : '–'],
  ];
  $('run-summary').replaceChildren(...items.map(([k, v]) => el('div', {}, el('dt', { text: k }),
    el('dd', { 'data-field': k, text: v }))));
  const steps = Object.entries(run.steps);
  if (steps.length) {
    barChart($('run-chart'), steps.map(([n]) => n), [
      { label: 'mean ms', values: steps.map(([, s]) => s.meanMs), color: PALETTE.blue },
      { label: 'P95 ms', values: steps.map(([, s]) => s.p95Ms), color: PALETTE.orange },
    ]);
  } else {
    $('run-chart').replaceChildren(el('p', { class: 'muted', text: 'This run has no pipeline steps.' }));
  }
  $('run-steps').replaceChildren(el('thead', {}, el('tr', {}, ...['Step', 'Events', 'Mean ms', 'P95 ms']
    .map((h) => el('th', { scope: 'col', text: h })))), el('tbody', {}, ...steps.map(([n, s]) => el('tr', {},
    el('td', { text: n }), el('td', { text: fmt.int(s.count) }), el('td', { text: fmt.ms(s.meanMs) }),
    el('td', { text: fmt.ms(s.p95Ms) })))));
}

// ---- alerts: active, history, rules and the rule editor

const RULE_TEMPLATE = { id: 'p95-slow', name: 'P95 latency is high', scope: 'all', metric: 'p95', window: '5m',
  comparator: '>', warning: 2000, critical: 5000, for: '1m', minEvents: 20 };
let editing = null;

function renderActive(data) {
  const list = $('alerts-active');
  list.replaceChildren(...(data.alerts.length ? data.alerts.map((a) => el('li', { 'data-rule': a.id,
    'data-state': a.state }, statusBadge(a.state), ` ${a.name} (${a.severity ?? 'no severity'}): ${a.metric} of `
    + `${a.scope} is ${fmt.ms(a.value)}, since ${fmt.time(Date.parse(a.since))}`))
    : [el('li', { class: 'muted', text: 'No alert is pending or firing.' })]));
}

const RULE_COLUMNS = [
  { key: 'id', label: 'Id', value: (r) => r.id, format: (v) => v },
  { key: 'name', label: 'Name', value: (r) => r.name, format: (v) => v },
  { key: 'state', label: 'State', value: (r) => r.state, format: (v) => v, render: (r) => statusBadge(r.state) },
  { key: 'rule', label: 'Condition', value: (r) => `${r.metric} of ${r.scope} ${r.comparator} `
    + `${r.warning ?? ''}${r.critical !== null ? ` / ${r.critical}` : ''}`, format: (v) => v },
  { key: 'actions', label: 'Actions', value: (r) => r.id, format: () => '',
    render: (r) => el('span', {}, el('button', { type: 'button', 'data-edit': r.id, text: 'Edit',
      onclick: () => editRule(r) }), ' ', el('button', { type: 'button', 'data-delete': r.id, text: 'Delete',
      onclick: () => deleteRule(r.id) })) },
];
let rulesTable;

async function loadAlerts() {
  const [active, history, rules] = await Promise.all([api('/api/v1/alerts'), api('/api/v1/alerts/history?limit=50'),
    api('/api/v1/alerts/rules')]);
  renderActive(active);
  $('alerts-history').replaceChildren(...(history.transitions.length ? history.transitions.map((t) => el('li',
    { 'data-rule': t.rule, 'data-kind': t.kind }, statusBadge(t.state), ` ${fmt.time(Date.parse(t.time))} ${t.kind}: `
    + t.summary)) : [el('li', { class: 'muted', text: 'No transition yet.' })]));
  rulesTable.setRows(rules.rules);
}

function editRule(rule) {
  editing = rule.id;
  const body = { id: rule.id, name: rule.name, scope: rule.scope, metric: rule.metric, window: `${rule.windowMs / 1000}s`,
    comparator: rule.comparator, warning: rule.warning, critical: rule.critical, for: `${rule.forMs / 1000}s`,
    minEvents: rule.minEvents, targets: rule.targets, labels: rule.labels, summary: rule.summary };
  for (const k of Object.keys(body)) {
    if (body[k] === null) {
      delete body[k];
    }
  }
  $('rule-form-title').textContent = `Edit rule ${rule.id}`;
  $('rule-json').value = JSON.stringify(body, null, 2);
  $('rule-error').textContent = '';
  $('rule-json').focus();
}

function newRule() {
  editing = null;
  $('rule-form-title').textContent = 'New rule';
  $('rule-json').value = JSON.stringify(RULE_TEMPLATE, null, 2);
  $('rule-error').textContent = '';
}

async function saveRule() {
  const error = $('rule-error');
  error.textContent = '';
  $('rule-status').textContent = '';
  let body;
  try {
    body = JSON.parse($('rule-json').value);
  } catch (e) {
    error.textContent = `The rule is not JSON: ${e.message}`;
    return;
  }
  try {
    const saved = editing
      ? await api(`/api/v1/alerts/rules/${encodeURIComponent(editing)}`, { method: 'PUT', body })
      : await api('/api/v1/alerts/rules', { method: 'POST', body });
    $('rule-status').textContent = `Saved rule ${saved.id}.`;
    editing = saved.id;
    $('rule-form-title').textContent = `Edit rule ${saved.id}`;
  } catch (e) {
    error.textContent = e.field ? `${e.message} (field: ${e.field})` : e.message;
    return;
  }
  await guarded('alerts', loadAlerts);
}

async function deleteRule(id) {
  try {
    await api(`/api/v1/alerts/rules/${encodeURIComponent(id)}`, { method: 'DELETE' });
    $('rule-status').textContent = `Deleted rule ${id}.`;
    if (editing === id) {
      newRule();
    }
  } catch (e) {
    $('rule-error').textContent = e.message;
  }
  await guarded('alerts', loadAlerts);
}

// ---- system: the JVM, the host and any GPU metrics

async function loadSystem() {
  const [system, metrics] = await Promise.all([api('/api/v1/system'), api('/api/v1/metrics?window=15m')]);
  const j = system.jvm;
  const h = system.host;
  const s = system.store;
  const items = [
    ['Heap used', fmt.bytes(j.heap.usedBytes)], ['Heap max', fmt.bytes(j.heap.maxBytes)],
    ['Process CPU', fmt.percent(h.processCpuLoad)], ['System CPU', fmt.percent(h.systemCpuLoad)],
    ['Load average', h.loadAverage.toFixed(2)], ['Threads', fmt.int(j.threads.live)],
    ['Uptime', fmt.duration(j.uptimeMs)], ['Models', fmt.int(s.models)],
    ['Events aggregated', fmt.int(s.aggregatedEvents)], ['Ring occupied', `${s.ringOccupied}/${s.ringCapacity}`],
    ['Dropped', fmt.int(s.dropped)], ['Writes in flight', fmt.int(system.server.writesInFlight)],
  ];
  $('system-panel').replaceChildren(...items.map(([k, v]) => el('div', {}, el('dt', { text: k }),
    el('dd', { 'data-field': k, text: v }))));
  const [heap, cpu] = await Promise.all([
    api('/api/v1/series?customMetric=system.heap.used_bytes&metric=max&window=1h&step=1m').catch(() => null),
    api('/api/v1/series?customMetric=system.cpu.process&metric=max&window=1h&step=1m').catch(() => null),
  ]);
  if (heap && cpu) {
    timeChart($('chart-system'), heap.points.map((p) => p.t), [
      { label: 'heap MB', values: heap.points.map((p) => (p.value === null ? null : p.value / 1048576)), color: PALETTE.blue },
      { label: 'CPU %', values: cpu.points.map((p) => (p.value === null ? null : p.value * 100)), color: PALETTE.orange,
        dash: [8, 4], scale: 'cpu' },
    ], [], [{ label: 'MB' }, { label: '%' }]);
  }
  const gpu = metrics.metrics.filter((m) => m.name.startsWith('gpu.'));
  $('gpu-panel').replaceChildren(gpu.length ? el('table', { class: 'data' },
    el('thead', {}, el('tr', {}, ...['Metric', 'Tags', 'Mean', 'Max'].map((t) => el('th', { scope: 'col', text: t })))),
    el('tbody', {}, ...gpu.map((m) => el('tr', {}, el('td', { text: m.name }),
      el('td', { text: Object.entries(m.tags).map(([k, v]) => `${k}=${[].concat(v).join(',')}`).join(' ') }),
      el('td', { text: fmt.rate(m.mean) }), el('td', { text: fmt.rate(m.max) })))))
    : el('p', { class: 'muted', text: 'No GPU metrics in the last 15 minutes (see --gpu-command).' }));
}

// ---- exports: real downloads through links (the session cookie goes with them)

function updateExports() {
  const w = $('export-window').value;
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '-');
  const set = (id, href, name) => {
    $(id).href = href;
    $(id).setAttribute('download', name);
  };
  set('export-csv', `/api/v1/export?format=csv&window=${w}`, `ringmeter-events-${w}-${stamp}.csv`);
  set('export-ndjson', `/api/v1/export?format=ndjson&window=${w}`, `ringmeter-events-${w}-${stamp}.ndjson`);
  set('export-report', `/api/v1/report?window=${w}&format=html`, `ringmeter-report-${w}-${stamp}.html`);
}

// ---- refresh: the visible panel every REFRESH_MS, one request round at a time

const LOADERS = { overview: loadCharts, compare: loadCompare, runs: loadRuns, alerts: loadAlerts, system: loadSystem,
  events: async () => {} };
const busy = new Set();

async function refresh(name) {
  if (busy.has(name)) {
    return;
  }
  busy.add(name);
  try {
    await guarded(name, LOADERS[name]);
  } finally {
    busy.delete(name);
  }
}

function init() {
  initTabs();
  initEventLog();
  modelsTable = new DataTable($('models-table'), $('models-filter'), MODEL_COLUMNS, (r) => r.model);
  configsTable = new DataTable($('configs-table'), $('configs-filter'), CONFIG_COLUMNS, (g) => g.values.config);
  bestTable = new DataTable($('best-table'), null, BEST_COLUMNS, (r) => r.name);
  runsTable = new DataTable($('runs-table'), $('runs-filter'), RUN_COLUMNS, (r) => r.id, 'No run yet.');
  rulesTable = new DataTable($('rules-table'), null, RULE_COLUMNS, (r) => r.id, 'No rule yet.');
  newRule();
  $('rule-form').addEventListener('submit', () => saveRule());
  $('rule-new').addEventListener('click', newRule);
  $('run-close').addEventListener('click', () => {
    openRunId = null;
    $('run-detail').hidden = true;
    $('runs-table').querySelector('button')?.focus();
  });
  $('chart-window').addEventListener('change', () => {
    $('custom-range').hidden = $('chart-window').value !== 'custom';
    if ($('chart-window').value !== 'custom') {
      refresh('overview');
    }
  });
  $('custom-apply').addEventListener('click', () => refresh('overview'));
  $('chart-subject').addEventListener('change', () => refresh('overview'));
  $('compare-window').addEventListener('change', () => refresh('compare'));
  $('configs-baseline').addEventListener('change', () => refresh('compare'));
  $('export-window').addEventListener('change', updateExports);
  updateExports();
  onAlerts((data) => {
    renderActive(data);
    if (current === 'alerts') {
      refresh('alerts');
    }
  });
  onUnauthorised(() => askForToken());
  window.addEventListener('unhandledrejection', (e) => {   // a last resort: shown, not left to the console
    e.preventDefault();
    $('errors').append(el('p', { text: `unexpected: ${e.reason?.message ?? e.reason}` }));
  });
  ensureSession().then(() => {
    select('overview', false);
    document.body.dataset.ready = 'true';   // the session is settled and the tabs answer
    connect(ensureSession);
    setInterval(() => refresh(current), REFRESH_MS);
  });
}

init();
