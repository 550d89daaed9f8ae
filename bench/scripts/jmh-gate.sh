#!/usr/bin/env bash
# CI smoke gate over the JMH suites: a short pass (a few minutes on 2 cores) that fails only on deterministic
# regressions, never on throughput noise.
#
#   1. allocation: gc.alloc.rate.norm of RecordBenchmark.record and .recordSustained must stay <= MAX_ALLOC_BYTES
#      (default 1 B/op; 0 within JMH's noise when record() allocates nothing);
#      (and RecordBenchmark.recordAll*, where the jar has it: a batch recorded allocates nothing either);
#   2. flat queries: every WindowQueryBenchmark method's average time at 10,000,000 events must stay <= MAX_GROWTH
#      (default 4) times its time at 1,000,000 events, i.e. the query cost does not grow with the events stored
#      (ten times the events: a cost growing with them would be x10; x2.65 was measured in CI).
#      Not from 10,000: closed buckets keep sparse counts, so a query over buckets holding a value or two is many
#      times faster than over buckets whose values fill their histograms' range (1 M events over the hour already
#      do); the cost is bounded by that range, which is what this checks.
#   3. query allocation: every QueryAllocationBenchmark method (10 models x 20 configurations over 24 h; all-model
#      analytics over 5 min, 1 h, 24 h, a two-key comparison, best configuration's comparison) must allocate, on the
#      querying thread, at most its stated bound per query (QUERY_ALLOC_LIMITS, below; docs/performance.md section 2
#      states them) at 100,000 and at 1,000,000 events, and at 1,000,000 at most MAX_ALLOC_GROWTH (default 1.5) times
#      plus 4 KB what it allocates at 100,000: the bytes grow with the answer (models, groups), not with the events.
#      (100,000, not 10,000: at 10,000 events a 30-minute window holds too few for every group to have one, and a
#      comparison's answer is then smaller, which is not what is gated);
#   4. flat comparisons: QueryAllocationBenchmark.compareModelByConfig and .bestConfig take at most MAX_GROWTH
#      times longer at 1,000,000 events than at 100,000.
#
# Throughput ratios against a cached Micrometer Timer (RecordBenchmark.micrometerTimerRecord, measured in the same
# run) are printed for information and are not gated: on a shared 2-core machine they move by tens of percent.
#
# Usage: bench/scripts/jmh-gate.sh            (from anywhere; builds nothing: run `mvn -pl bench package` first)
# Env:   JMH_JAR (default bench/target/benchmarks.jar), JMH_OUT (default bench/target/jmh-gate.json),
#        MAX_ALLOC_BYTES (1), MAX_GROWTH (4), MAX_ALLOC_GROWTH (1.5), JMH_OPTS (default -f 2 -wi 2 -w 1 -i 3 -r 1),
#        QUERY_JMH_OPTS (default -f 1 -wi 2 -w 1 -i 3 -r 1: one fork, since its bytes are the querying thread's own
#        and exact, and a comparison merges a few hundred buckets, which one fork's JIT does not halve), JAVA (java),
#        JMH_GATE_CHECK_ONLY=1 to skip the run and only judge an existing $JMH_OUT
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JMH_JAR="${JMH_JAR:-$ROOT/bench/target/benchmarks.jar}"
JMH_OUT="${JMH_OUT:-$ROOT/bench/target/jmh-gate.json}"
MAX_ALLOC_BYTES="${MAX_ALLOC_BYTES:-1}"
MAX_GROWTH="${MAX_GROWTH:-4}"
MAX_ALLOC_GROWTH="${MAX_ALLOC_GROWTH:-1.5}"
# two forks: one fork's JIT can make a 10 K-event query twice as fast as the next fork's (16 against 37 us
# measured), which alone once passed the growth limit; the average of two forks keeps the gate to what is certain
JMH_OPTS="${JMH_OPTS:--f 2 -wi 2 -w 1 -i 3 -r 1}"
QUERY_JMH_OPTS="${QUERY_JMH_OPTS:--f 1 -wi 2 -w 1 -i 3 -r 1}"
JAVA="${JAVA:-java}"

command -v python3 >/dev/null || { echo "jmh-gate: FAIL: python3 is required to read the JMH JSON" >&2; exit 1; }

if [[ "${JMH_GATE_CHECK_ONLY:-0}" == 1 ]]; then
    [[ -f "$JMH_OUT" ]] || { echo "jmh-gate: FAIL: JMH_GATE_CHECK_ONLY=1 but $JMH_OUT does not exist" >&2; exit 1; }
    echo "jmh-gate: judging the existing $JMH_OUT (no run)"
elif [[ ! -f "$JMH_JAR" ]]; then
    echo "jmh-gate: FAIL: $JMH_JAR not found; build it with: mvn -B -pl bench package" >&2
    exit 1
else
    mkdir -p "$(dirname "$JMH_OUT")"
    rm -f "$JMH_OUT"

    echo "jmh-gate: running RecordBenchmark (record, recordSustained, recordAll*, micrometerTimerRecord) and"
    echo "jmh-gate: WindowQueryBenchmark at events=1000000,10000000, then QueryAllocationBenchmark at models=10,"
    echo "jmh-gate: events=100000,1000000, with -prof gc; JSON to $JMH_OUT"
    # shellcheck disable=SC2086  # JMH_OPTS is a list of options
    "$JAVA" -jar "$JMH_JAR" \
        '^dev\.ringmeter\.bench\.core\.RecordBenchmark\.(record|recordSustained|recordAll.*|micrometerTimerRecord)$' \
        '^dev\.ringmeter\.bench\.core\.WindowQueryBenchmark\.' \
        -p events=1000000,10000000 -t 1 $JMH_OPTS -prof gc -rf json -rff "$JMH_OUT.record"
    # shellcheck disable=SC2086
    "$JAVA" -jar "$JMH_JAR" '^dev\.ringmeter\.bench\.core\.QueryAllocationBenchmark\.' \
        -p events=100000,1000000 -p models=10 -t 1 $QUERY_JMH_OPTS -prof gc -rf json -rff "$JMH_OUT.query"
    python3 -c 'import json, sys; json.dump(json.load(open(sys.argv[1])) + json.load(open(sys.argv[2])),
        open(sys.argv[3], "w"), indent=1)' "$JMH_OUT.record" "$JMH_OUT.query" "$JMH_OUT"
    rm -f "$JMH_OUT.record" "$JMH_OUT.query"
fi

python3 - "$JMH_OUT" "$MAX_ALLOC_BYTES" "$MAX_GROWTH" "$MAX_ALLOC_GROWTH" <<'PY'
import json
import sys

path, max_alloc, max_growth, max_alloc_growth = (sys.argv[1], float(sys.argv[2]), float(sys.argv[3]),
                                                 float(sys.argv[4]))
# bytes per query on the querying thread at 10 models x 20 configurations, stated in docs/performance.md section 2:
# about twice what was measured, so that only a query that allocates per bucket or per event fails it
QUERY_ALLOC_LIMITS = {
    "QueryAllocationBenchmark.allModelsLast5Minutes": 1024,
    "QueryAllocationBenchmark.allModelsLastHour": 1024,
    "QueryAllocationBenchmark.allModelsLast24Hours": 1024,
    "QueryAllocationBenchmark.compareModelByConfig": 2_500_000,
    "QueryAllocationBenchmark.bestConfig": 640_000,
}
FLAT_COMPARISONS = ("QueryAllocationBenchmark.compareModelByConfig", "QueryAllocationBenchmark.bestConfig")
with open(path, encoding="utf-8") as f:
    results = json.load(f)
if not results:
    sys.exit("jmh-gate: FAIL: %s holds no results (did JMH run?)" % path)

failures = []
by_name = {}
for r in results:
    name = r["benchmark"].rsplit(".", 2)
    short = name[-2] + "." + name[-1]
    by_name.setdefault(short, []).append(r)

def by_events(runs, value):
    """{events: value(run)} of a benchmark's runs."""
    return {int(r.get("params", {}).get("events", "0")): value(r) for r in runs}


def caller_bytes(r):
    """The querying thread's bytes per query (QueryAllocationBenchmark.CallerBytes), or None."""
    m = r.get("secondaryMetrics", {})
    if "callerBytes" not in m or "queries" not in m or float(m["queries"]["score"]) <= 0:
        return None
    return float(m["callerBytes"]["score"]) / float(m["queries"]["score"])


# 1. allocation per recorded event (or batch)
record_all = sorted(k for k in by_name if k.startswith("RecordBenchmark.recordAll"))
for method in ["RecordBenchmark.record", "RecordBenchmark.recordSustained"] + record_all:
    runs = by_name.get(method)
    if not runs:
        failures.append("%s did not run" % method)
        continue
    for r in runs:
        gc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        if gc is None:
            failures.append("%s has no gc.alloc.rate.norm (was -prof gc dropped?)" % method)
            continue
        alloc = float(gc["score"])
        verdict = "ok" if alloc <= max_alloc else "FAIL"
        print("jmh-gate: %-40s alloc %8.3f B/op (limit %g)  %s" % (method, alloc, max_alloc, verdict))
        if alloc > max_alloc:
            failures.append("%s allocates %.3f B/op > %g B/op: the record path must not allocate"
                            % (method, alloc, max_alloc))

# 2. windowed queries must not grow with the number of events
queries = sorted(k for k in by_name if k.startswith("WindowQueryBenchmark."))
if not queries:
    failures.append("WindowQueryBenchmark did not run")
for method in queries:
    times = {}
    unit = "?"
    for r in by_name[method]:
        events = int(r.get("params", {}).get("events", "0"))
        times[events] = float(r["primaryMetric"]["score"])
        unit = r["primaryMetric"]["scoreUnit"]
    small, large = times.get(1000000), times.get(10000000)
    if small is None or large is None:
        failures.append("%s lacks events=1000000 or events=10000000 (have %s)" % (method, sorted(times)))
        continue
    growth = large / small if small > 0 else float("inf")
    verdict = "ok" if growth <= max_growth else "FAIL"
    print("jmh-gate: %-52s 1M %8.3f %s, 10M %8.3f %s, x%.2f (limit x%g)  %s"
          % (method, small, unit, large, unit, growth, max_growth, verdict))
    if growth > max_growth:
        failures.append("%s takes %.2fx longer at 10M events than at 1M (%.3f vs %.3f %s): "
                        "the query cost grows with the events stored" % (method, growth, large, small, unit))

# 3. what a query allocates: within its stated bound, and flat in the events
for method, limit in sorted(QUERY_ALLOC_LIMITS.items()):
    runs = by_name.get(method)
    if not runs:
        failures.append("%s did not run" % method)
        continue
    allocs = by_events(runs, caller_bytes)
    small, large = allocs.get(100000), allocs.get(1000000)
    if small is None or large is None:
        failures.append("%s lacks callerBytes/queries at events=100000 and 1000000 (have %s)" % (method, allocs))
        continue
    over = [e for e, a in sorted(allocs.items()) if a > limit]
    grows = large > small * max_alloc_growth + 4096
    verdict = "FAIL" if over or grows else "ok"
    print("jmh-gate: %-52s 100K %9.0f B/query, 1M %9.0f B/query (limit %d, growth x%g + 4 KB)  %s"
          % (method, small, large, limit, max_alloc_growth, verdict))
    if over:
        failures.append("%s allocates more than its bound of %d B/op at events=%s (%s)"
                        % (method, limit, over, allocs))
    if grows:
        failures.append("%s allocates %.0f B/query at 1M events against %.0f at 100K: what a query allocates grows "
                        "with the events stored" % (method, large, small))

# 4. comparisons from memory must not grow with the number of events
for method in FLAT_COMPARISONS:
    times = by_events(by_name.get(method, []), lambda r: float(r["primaryMetric"]["score"]))
    small, large = times.get(100000), times.get(1000000)
    if small is None or large is None:
        failures.append("%s lacks events=100000 or events=1000000 (have %s)" % (method, sorted(times)))
        continue
    growth = large / small if small > 0 else float("inf")
    verdict = "ok" if growth <= max_growth else "FAIL"
    print("jmh-gate: %-52s 100K %8.3f, 1M %8.3f, x%.2f (limit x%g)  %s"
          % (method, small, large, growth, max_growth, verdict))
    if growth > max_growth:
        failures.append("%s takes %.2fx longer at 1M events than at 100K: the comparison's cost grows with the "
                        "events stored" % (method, growth))

# 5. information only: throughput against a cached Micrometer Timer measured in the same run
base = by_name.get("RecordBenchmark.micrometerTimerRecord")
if base:
    b = float(base[0]["primaryMetric"]["score"])
    for method in ("RecordBenchmark.record", "RecordBenchmark.recordSustained"):
        for r in by_name.get(method, []):
            s = float(r["primaryMetric"]["score"])
            print("jmh-gate: info (not gated): %-32s %8.2f %s = %.2fx micrometerTimerRecord (%.2f)"
                  % (method, s, r["primaryMetric"]["scoreUnit"], s / b, b))

if failures:
    print("jmh-gate: FAILED (%d):" % len(failures), file=sys.stderr)
    for f in failures:
        print("  - " + f, file=sys.stderr)
    sys.exit(1)
print("jmh-gate: passed")
PY
