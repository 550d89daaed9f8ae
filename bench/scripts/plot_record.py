#!/usr/bin/env python3
"""Draw JMH results (-rf json) as a horizontal bar chart in SVG, with the standard library only.

Each benchmark is a group of bars, one per JSON file / thread count, showing nanoseconds per call on one
caller thread with the 99.9% confidence interval JMH reports as the error bar:

  * Throughput results (ops/time): ns per call = threads * 1e9 / (ops per second); the interval
    [score - error, score + error] is mapped through the same function, so the bar is asymmetric.
  * AverageTime / SampleTime results: the score converted to ns, error bar +/- error.

The allocation per call (gc.alloc.rate.norm, present with -prof gc) is printed beside each bar.

Usage:
  python3 bench/scripts/plot_record.py [--mode thrpt|avgt|sample] [--out docs/img/record-peers.svg]
                                       [--title TEXT] [--baseline METHOD] [--log] result.json [more.json ...]
"""
import argparse
import json
import math
import os
import sys
from xml.sax.saxutils import escape

TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9, "min": 60e9}
COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
HIGHLIGHT = "ringmeter"


def unit_ns(unit):
    """'ops/us' -> ns in one unit of time; 'us/op' -> ns in one unit."""
    part = unit.split("/")[1] if unit.startswith("ops/") else unit.split("/")[0]
    if part not in TO_NS:
        raise ValueError("unknown JMH unit " + unit)
    return TO_NS[part]


def load(paths, mode):
    """Returns {benchmark: {threads: (ns, lo, hi, alloc_bytes_or_None)}} and the ordered thread counts."""
    rows = {}
    threads_seen = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            results = json.load(f)
        for r in results:
            if r.get("mode") != mode:
                continue
            name = r["benchmark"].rsplit(".", 1)[1]
            if r.get("params"):
                name += " [" + ",".join("%s=%s" % kv for kv in sorted(r["params"].items())) + "]"
            threads = r.get("threads", 1)
            pm = r["primaryMetric"]
            score, err = float(pm["score"]), float(pm.get("scoreError") or 0.0)
            if math.isnan(err):
                err = 0.0
            if mode == "thrpt":
                per_ns = 1.0 / unit_ns(pm["scoreUnit"])          # score ops per unit -> ops per ns = score*per_ns
                ns = threads / (score * per_ns)
                lo = threads / ((score + err) * per_ns)
                hi = threads / ((score - err) * per_ns) if score - err > 0 else ns * 10
            else:
                k = unit_ns(pm["scoreUnit"])
                ns, lo, hi = score * k, max(0.0, (score - err) * k), (score + err) * k
            alloc = None
            gc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
            if gc is not None:
                alloc = float(gc["score"])
            rows.setdefault(name, {})[threads] = (ns, lo, hi, alloc)
            if threads not in threads_seen:
                threads_seen.append(threads)
    threads_seen.sort()
    return rows, threads_seen


def nice_max(value):
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * exp >= value:
            return m * exp
    return 10 * exp


def render(rows, threads, title, subtitle, log_scale):
    names = sorted(rows, key=lambda n: rows[n].get(threads[0], (float("inf"),))[0])
    bar_h, gap = 14, 12
    group_h = bar_h * len(threads) + gap
    left, right, top = 290, 150, 70
    plot_w = 560
    height = top + group_h * len(names) + 60
    width = left + plot_w + right
    vmax = nice_max(max(v[2] if v[2] < v[0] * 5 else v[0] for r in rows.values() for v in r.values()))
    vmin = 1.0
    if log_scale:
        vmin = 10 ** math.floor(math.log10(max(0.1, min(v[0] for r in rows.values() for v in r.values()))))
        vmax = 10 ** math.ceil(math.log10(vmax))

    def x(v):
        v = min(v, vmax)
        if log_scale:
            return left + plot_w * (math.log10(max(v, vmin)) - math.log10(vmin)) / (math.log10(vmax) - math.log10(vmin))
        return left + plot_w * v / vmax

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="Helvetica, Arial, sans-serif" font-size="12">' % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="24" font-size="16" font-weight="bold">%s</text>' % (left - 280, escape(title)),
           '<text x="%d" y="44" fill="#555">%s</text>' % (left - 280, escape(subtitle))]
    # grid and axis
    ticks = []
    if log_scale:
        t = vmin
        while t <= vmax * 1.0001:
            ticks.append(t)
            t *= 10
    else:
        step = vmax / 5
        ticks = [step * i for i in range(6)]
    axis_y = top + group_h * len(names)
    for t in ticks:
        xt = x(t)
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (xt, top - 6, xt, axis_y))
        out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#333">%s</text>'
                   % (xt, axis_y + 16, ("%g" % t)))
    out.append('<text x="%d" y="%d" text-anchor="middle">ns per call on one caller thread '
               '(lower is better; error bar: JMH 99.9%% CI)</text>' % (left + plot_w // 2, axis_y + 36))
    for gi, name in enumerate(names):
        y0 = top + gi * group_h
        weight = "bold" if HIGHLIGHT in name.lower() else "normal"
        out.append('<text x="%d" y="%.1f" text-anchor="end" font-weight="%s">%s</text>'
                   % (left - 8, y0 + bar_h * len(threads) / 2 + 4, weight, escape(name)))
        for ti, t in enumerate(threads):
            if t not in rows[name]:
                continue
            ns, lo, hi, alloc = rows[name][t]
            y = y0 + ti * bar_h
            colour = COLOURS[ti % len(COLOURS)]
            out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s" opacity="0.85">'
                       '<title>%s, %d thread(s): %.1f ns/call</title></rect>'
                       % (left, y + 1, max(0.5, x(ns) - left), bar_h - 2, colour, escape(name), t, ns))
            yc = y + bar_h / 2
            out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black"/>' % (x(lo), yc, x(hi), yc))
            for xe in (x(lo), x(hi)):
                out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black"/>'
                           % (xe, yc - 4, xe, yc + 4))
            label = "%.1f ns" % ns if ns < 100 else "%.0f ns" % ns
            if alloc is not None:
                label += ", %s B/op" % ("%.0f" % alloc if alloc >= 0.5 else "0")
            out.append('<text x="%.1f" y="%.1f" fill="#222" font-size="11">%s</text>'
                       % (max(x(hi), x(ns)) + 6, yc + 4, escape(label)))
    # legend
    lx = left + plot_w - 10
    for ti, t in enumerate(threads):
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>'
                   % (lx, 14 + ti * 16, COLOURS[ti % len(COLOURS)]))
        out.append('<text x="%d" y="%d">-t %d</text>' % (lx + 16, 24 + ti * 16, t))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", help="JMH JSON result files (-rf json)")
    p.add_argument("--mode", default="thrpt", choices=["thrpt", "avgt", "sample"])
    p.add_argument("--out", default="docs/img/record-peers.svg")
    p.add_argument("--title", default="Recording one model call: Ringmeter and the peers")
    p.add_argument("--subtitle", default="JMH, 2 shared cores: absolute numbers are machine-specific, "
                                         "compare the bars with each other")
    p.add_argument("--log", action="store_true", help="logarithmic x axis")
    args = p.parse_args(argv)
    rows, threads = load(args.files, args.mode)
    if not rows:
        sys.exit("no %s results in %s" % (args.mode, ", ".join(args.files)))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(render(rows, threads, args.title, args.subtitle, args.log))
    print("wrote %s (%d benchmarks, threads %s)" % (args.out, len(rows), threads))


if __name__ == "__main__":
    main(sys.argv[1:])
