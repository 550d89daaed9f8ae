// The live stream (GET /api/v1/live, server-sent events; docs/dashboard.md): model tiles, the event log and the
// alerts, with the stream's state on the #stream-state badge. EventSource reconnects by itself after the server's
// `retry`; when the server refuses the stream (401: no session, or a server without the route) it closes, and the
// page tries again every RETRY_MS after checking the session.

import { el, fmt } from './format.js';

const RETRY_MS = 5000;
const LOG_MAX = 500;          // events kept in the log (and held while paused): the page's memory stays bounded

let source = null;
let retryTimer = null;
const handlers = { alerts: [], reconnect: null };

export function onAlerts(fn) {
  handlers.alerts.push(fn);
}

function badge(state, text) {
  const b = document.getElementById('stream-state');
  b.dataset.state = state;
  b.textContent = text;
}

/** Opens the stream; beforeRetry (async) is awaited before each new attempt after a refusal. */
export function connect(beforeRetry) {
  handlers.reconnect = beforeRetry;
  if (source) {
    source.close();
  }
  clearTimeout(retryTimer);
  source = new EventSource('/api/v1/live');
  source.addEventListener('open', () => badge('live', 'live'));
  source.addEventListener('error', () => {
    badge('down', 'stream down');
    if (source.readyState === EventSource.CLOSED) {
      retryTimer = setTimeout(async () => {
        if (handlers.reconnect) {
          await handlers.reconnect();
        }
        connect(handlers.reconnect);
      }, RETRY_MS);
    }
  });
  source.addEventListener('tiles', (e) => withJson(e, renderTiles));
  source.addEventListener('events', (e) => withJson(e, addEvents));
  source.addEventListener('alerts', (e) => withJson(e, (a) => handlers.alerts.forEach((fn) => fn(a))));
}

function withJson(event, fn) {
  badge('live', 'live');
  let data;
  try {
    data = JSON.parse(event.data);
  } catch (e) {
    return;   // a message the page cannot read is skipped, not thrown
  }
  fn(data);
}

// ---- tiles

const TILE_FIELDS = [
  ['requestsPerSecond', 'Requests/s', fmt.rate],
  ['p50Ms', 'P50 ms', fmt.ms],
  ['p95Ms', 'P95 ms', fmt.ms],
  ['p99Ms', 'P99 ms', fmt.ms],
  ['ttftP95Ms', 'TTFT P95 ms', fmt.ms],
  ['outputTokensPerSecond', 'Output tokens/s', fmt.rate],
  ['errorRate', 'Error rate', fmt.percent],
  ['costPerMinuteUsd', 'Cost/min', fmt.usd],
];

function renderTiles(data) {
  const container = document.getElementById('tiles');
  container.dataset.atMs = String(data.atMs);
  const empty = document.getElementById('tiles-empty');
  if (empty) {
    empty.textContent = data.models.length ? '' : 'No model has recorded an event yet.';
    empty.hidden = data.models.length > 0;
  }
  const seen = new Set();
  for (const m of data.models) {
    seen.add(m.model);
    let tile = container.querySelector(`.tile[data-model="${CSS.escape(m.model)}"]`);
    if (!tile) {
      tile = el('article', { class: 'tile', 'data-model': m.model, 'aria-label': `model ${m.model}` },
        el('h3', { text: m.model }),
        el('dl', {}, el('dt', { text: 'Requests (1 min)' }), el('dd', { 'data-field': 'requests' }),
          ...TILE_FIELDS.flatMap(([key, label]) => [el('dt', { text: label }), el('dd', { 'data-field': key })])));
      insertSorted(container, tile, m.model);
    }
    tile.classList.toggle('idle', m.requests === 0);
    tile.querySelector('[data-field="requests"]').textContent = fmt.int(m.requests);
    for (const [key, , format] of TILE_FIELDS) {
      const dd = tile.querySelector(`[data-field="${key}"]`);
      dd.textContent = format(m[key]);
      dd.dataset.value = m[key] === null || m[key] === undefined ? '' : String(m[key]);
    }
  }
  for (const tile of container.querySelectorAll('.tile')) {
    if (!seen.has(tile.dataset.model)) {
      tile.remove();
    }
  }
}

function insertSorted(container, tile, model) {
  const after = [...container.querySelectorAll('.tile')].find((t) => t.dataset.model > model);
  container.insertBefore(tile, after || null);
}

// ---- event log

const log = { paused: false, held: [], dropped: 0, filter: '' };

export function initEventLog() {
  const pause = document.getElementById('events-pause');
  pause.addEventListener('click', () => {
    log.paused = !log.paused;
    pause.setAttribute('aria-pressed', String(log.paused));
    pause.textContent = log.paused ? 'Resume' : 'Pause';
    if (!log.paused) {
      const held = log.held;
      log.held = [];
      appendEvents(held);
    }
    info();
  });
  const filter = document.getElementById('events-filter');
  filter.addEventListener('input', () => {
    log.filter = filter.value.trim().toLowerCase();
    for (const li of document.getElementById('event-log').children) {
      li.hidden = !matches(li.dataset.text);
    }
  });
}

function matches(text) {
  return !log.filter || text.includes(log.filter);
}

function info() {
  const parts = [];
  if (log.paused) {
    parts.push(`paused, ${log.held.length} new held`);
  }
  if (log.dropped) {
    parts.push(`${log.dropped} left out by the server`);
  }
  document.getElementById('events-info').textContent = parts.join('; ');
}

function addEvents(data) {
  log.dropped += data.dropped || 0;
  if (log.paused) {
    log.held.push(...data.events);
    if (log.held.length > LOG_MAX) {
      log.held.splice(0, log.held.length - LOG_MAX);
    }
  } else {
    appendEvents(data.events);
  }
  info();
}

function describe(e) {
  const parts = [new Date(e.timestampMs ?? Date.parse(e.timestamp)).toLocaleTimeString(), e.status.padEnd(9),
    e.model ?? e.operation ?? '', `${fmt.ms(e.latencyMs)} ms`];
  for (const key of ['pipeline', 'step', 'run', 'config', 'tool', 'agent', 'errorType']) {
    if (e[key]) {
      parts.push(`${key}=${e[key]}`);
    }
  }
  if (e.promptTokens !== undefined || e.completionTokens !== undefined) {
    parts.push(`tokens ${e.promptTokens ?? 0}/${e.completionTokens ?? 0}`);
  }
  return parts.join('  ');
}

function appendEvents(events) {
  const list = document.getElementById('event-log');
  for (const e of events) {
    const text = describe(e);
    const li = el('li', { 'data-status': e.status, 'data-model': e.model, 'data-text': text.toLowerCase() },
      el('span', { class: `status status-${e.status}`, text: '' }), text);
    li.hidden = !matches(li.dataset.text);
    list.prepend(li);   // newest first
  }
  while (list.children.length > LOG_MAX) {
    list.lastElementChild.remove();
  }
}
