// uPlot charts (the global uPlot from the WebJar's IIFE build). One chart per container, rebuilt on new data and
// resized with its container. Colours: Okabe-Ito; lines also differ by dash, so colour is never the only cue.

/* global uPlot */

export const PALETTE = {
  blue: '#0072B2', orange: '#E69F00', green: '#009E73', vermillion: '#D55E00', purple: '#CC79A7', sky: '#56B4E9',
};

const charts = new Map();
const observer = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const chart = charts.get(entry.target);
    if (chart && entry.contentRect.width > 0) {
      chart.setSize({ width: Math.floor(entry.contentRect.width), height: chart.height });
    }
  }
});

function width(container) {
  return Math.max(280, Math.floor(container.clientWidth || container.parentElement.clientWidth || 600));
}

function markerPlugin(markers) {
  return {
    hooks: {
      draw: [(u) => {
        const ctx = u.ctx;
        ctx.save();
        for (const m of markers) {
          const x = u.valToPos(m.t / 1000, 'x', true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) {
            continue;
          }
          ctx.strokeStyle = m.kind === 'anomaly' ? PALETTE.vermillion : PALETTE.purple;
          ctx.lineWidth = 2 * devicePixelRatio;
          ctx.setLineDash(m.kind === 'anomaly' ? [6 * devicePixelRatio, 4 * devicePixelRatio] : []);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      }],
    },
  };
}

function place(container, opts, data) {
  const old = charts.get(container);
  if (old) {
    old.destroy();
  }
  container.replaceChildren();
  const chart = new uPlot(opts, data, container);
  charts.set(container, chart);
  observer.observe(container);
  container.dataset.points = String(data[0].length);
  return chart;
}

/**
 * A time chart: xsMs the times (ms), lines [{label, values, color, dash, scale}], markers [{t (ms), kind}].
 */
export function timeChart(container, xsMs, lines, markers = [], axes = [{ label: 'ms' }]) {
  const scales = [...new Set(lines.map((l) => l.scale || 'y'))];
  const opts = {
    width: width(container),
    height: 240,
    plugins: [markerPlugin(markers)],
    scales: { x: { time: true } },
    series: [{}, ...lines.map((l) => ({
      label: l.label, stroke: l.color, width: 2, dash: l.dash, scale: l.scale || 'y', spanGaps: true,   // a step without events is absent, not zero
      points: { show: xsMs.length < 60 },
    }))],
    axes: [{}, ...scales.map((s, i) => ({ scale: s, side: i === 0 ? 3 : 1, label: (axes[i] || {}).label,
      grid: { show: i === 0 } }))],
  };
  return place(container, opts, [xsMs.map((t) => t / 1000), ...lines.map((l) => l.values)]);
}

/** A bar chart of named categories: names, bars [{label, values, color}]. */
export function barChart(container, names, bars) {
  const opts = {
    width: width(container),
    height: 240,
    scales: { x: { time: false, range: [-0.5, names.length - 0.5] } },
    series: [{ label: 'step', value: (u, v) => (v === null ? '' : names[v]) },
      ...bars.map((b, i) => ({ label: b.label, stroke: b.color, fill: `${b.color}99`, width: 1,
        paths: uPlot.paths.bars({ size: [0.35, 60], align: i === 0 ? -1 : 1 }), points: { show: false } }))],
    axes: [{ splits: () => names.map((_, i) => i), values: (u, splits) => splits.map((i) => names[i] || '') },
      { label: 'ms' }],
  };
  return place(container, opts, [names.map((_, i) => i), ...bars.map((b) => b.values)]);
}
