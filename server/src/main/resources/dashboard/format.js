// Formatting of numbers and the one way the page builds elements (textContent only: no HTML from data).

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (key === 'class') {
      node.className = value;
    } else if (key === 'text') {
      node.textContent = value;
    } else if (key.startsWith('on')) {
      node.addEventListener(key.slice(2), value);
    } else {
      node.setAttribute(key, value === true ? '' : value);
    }
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const dash = '–';

export const fmt = {
  int: (v) => (v === null || v === undefined ? dash : Math.round(v).toLocaleString('en-US')),
  ms: (v) => (v === null || v === undefined ? dash : v.toFixed(1)),
  rate: (v) => (v === null || v === undefined ? dash : v.toFixed(2)),
  percent: (v) => (v === null || v === undefined ? dash : `${(v * 100).toFixed(2)} %`),
  usd: (v) => (v === null || v === undefined ? dash : `$${v.toFixed(4)}`),
  bytes: (v) => (v === null || v === undefined || v < 0 ? dash : `${(v / 1048576).toFixed(1)} MB`),
  time: (v) => (v === null || v === undefined ? dash : new Date(v).toLocaleString()),
  duration: (ms) => {
    if (ms === null || ms === undefined) {
      return dash;
    }
    const s = Math.round(ms / 1000);
    if (s < 60) {
      return `${s} s`;
    }
    if (s < 3600) {
      return `${Math.floor(s / 60)} min ${s % 60} s`;
    }
    return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  },
};

/** A status shown as text with a shape (CSS) and colour: never colour alone. */
export function statusBadge(status) {
  return el('span', { class: `status status-${status}`, text: status });
}
