#!/usr/bin/env bash
# HTTP load against a fresh Ringmeter server: starts server/target/ringmeter-server.jar on a free loopback port with
# a temporary data directory, waits until GET /ready answers 200, runs the HttpLoadGenerator modes one after
# another (single, batch, query: docs/performance-http.md says what each measures), then stops the server with
# SIGTERM and deletes the data directory. With the mode questdb it also starts QuestDB's server (io.questdb.ServerMain
# from the bench jar, a child JVM with its data directory under bench/target and only its HTTP endpoint, on a free
# loopback port) and the generator sends the same batches to both, alternately: events/s of each and the ratio.
# Builds nothing: run `mvn -B -q -o package -DskipTests` first.
#
# Usage: bench/scripts/http-load.sh            (from anywhere)
# Env:   MODES ("single batch query"; also "steady", "otlp", "questdb"), SINGLE_ARGS, BATCH_ARGS, QUERY_ARGS,
#        STEADY_ARGS, OTLP_ARGS, QUESTDB_ARGS (extra
#        HttpLoadGenerator options per mode, e.g. QUERY_ARGS="--events 1000000"), SERVER_OPTS (-Xmx2g), SERVER_ARGS
#        (the server's options, default "--limit model=16"; e.g. "--snapshot-interval-ms 1000"), SERVER_JAR (server/target/ringmeter-server.jar),
#        CLIENT_OPTS (-Xmx1g), JAVA (java), HTTP_LOAD_OUT (bench/target/http-load: the server's log and one
#        <mode>.txt per mode), QUESTDB_OPTS (-Xmx2g, the QuestDB JVM's options)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SERVER_JAR="${SERVER_JAR:-$ROOT/server/target/ringmeter-server.jar}"
BENCH_JAR="$ROOT/bench/target/benchmarks.jar"
OUT="${HTTP_LOAD_OUT:-$ROOT/bench/target/http-load}"
MODES="${MODES:-single batch query}"
SERVER_OPTS="${SERVER_OPTS:--Xmx2g}"
SERVER_ARGS="${SERVER_ARGS:---limit model=16}"   # the generator sends 10 models; -Xmx2g alone derives 9
CLIENT_OPTS="${CLIENT_OPTS:--Xmx1g}"
QUESTDB_OPTS="${QUESTDB_OPTS:--Xmx2g}"
JAVA="${JAVA:-java}"

for jar in "$SERVER_JAR" "$BENCH_JAR"; do
    [[ -f "$jar" ]] || { echo "http-load: FAIL: $jar not found; build with: mvn -B -q -o package -DskipTests" >&2; exit 1; }
done
command -v curl >/dev/null || { echo "http-load: FAIL: curl is required to wait for /ready" >&2; exit 1; }

mkdir -p "$OUT"
DATA="$(mktemp -d "${TMPDIR:-/tmp}/ringmeter-http-load.XXXXXX")"
SERVER_PID=""
QUESTDB_PID=""
QUESTDB_DATA="$ROOT/bench/target/questdb-http-load"

stop_questdb() {
    if [[ -n "$QUESTDB_PID" ]] && kill -0 "$QUESTDB_PID" 2>/dev/null; then
        echo "http-load: stopping QuestDB (SIGTERM to pid $QUESTDB_PID)"
        kill -TERM "$QUESTDB_PID"
        for _ in $(seq 1 60); do
            kill -0 "$QUESTDB_PID" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL "$QUESTDB_PID" 2>/dev/null || true
        wait "$QUESTDB_PID" 2>/dev/null || true
    fi
    QUESTDB_PID=""
    rm -rf "$QUESTDB_DATA"
}

stop_server() {
    stop_questdb
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "http-load: stopping the server (SIGTERM to pid $SERVER_PID)"
        kill -TERM "$SERVER_PID"
        for _ in $(seq 1 120); do   # at most 60 s to drain, snapshot and close
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "http-load: the server did not stop within 60 s; SIGKILL" >&2
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
    rm -rf "$DATA"
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# shellcheck disable=SC2086  # SERVER_OPTS and SERVER_ARGS are lists
"$JAVA" $SERVER_OPTS -jar "$SERVER_JAR" --port 0 --data "$DATA" $SERVER_ARGS >"$OUT/server.out" 2>"$OUT/server.log" &
SERVER_PID=$!
echo "http-load: server pid $SERVER_PID, data $DATA, log $OUT/server.log"

PORT=""
for _ in $(seq 1 120); do   # at most 60 s for the listening line (--port 0 picks the port)
    PORT="$(sed -n 's/.*event=listening .*port=\([0-9][0-9]*\).*/\1/p' "$OUT/server.log" | head -n 1)"
    [[ -n "$PORT" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "http-load: FAIL: the server exited" >&2; cat "$OUT/server.log" >&2; exit 1; }
    sleep 0.5
done
[[ -n "$PORT" ]] || { echo "http-load: FAIL: no event=listening line within 60 s" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"

READY=""
for _ in $(seq 1 240); do   # at most 120 s for the store to open
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ready" || true)" == 200 ]]; then
        READY=1
        break
    fi
    sleep 0.5
done
[[ -n "$READY" ]] || { echo "http-load: FAIL: $URL/ready did not answer 200 within 120 s" >&2; exit 1; }
echo "http-load: server ready at $URL"

QUESTDB_ARGS="${QUESTDB_ARGS:-}"
if [[ " $MODES " == *" questdb "* ]]; then
    QPORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    rm -rf "$QUESTDB_DATA"
    mkdir -p "$QUESTDB_DATA"
    # only the HTTP endpoint (ILP over HTTP and /exec); commits without fsync, as Ringmeter's journal without msync
    # shellcheck disable=SC2086  # QUESTDB_OPTS is a list
    QDB_HTTP_BIND_TO="127.0.0.1:$QPORT" QDB_HTTP_MIN_ENABLED=false QDB_PG_ENABLED=false QDB_LINE_TCP_ENABLED=false \
        QDB_LINE_UDP_ENABLED=false QDB_TELEMETRY_ENABLED=false QDB_CAIRO_COMMIT_MODE=nosync \
        "$JAVA" $QUESTDB_OPTS -cp "$BENCH_JAR" io.questdb.ServerMain -d "$QUESTDB_DATA" \
        >"$OUT/questdb.out" 2>"$OUT/questdb.log" &
    QUESTDB_PID=$!
    QUESTDB_URL="http://127.0.0.1:$QPORT"
    QREADY=""
    for _ in $(seq 1 120); do   # at most 60 s for QuestDB to answer a query
        if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$QUESTDB_URL/exec?query=select%201" || true)" == 200 ]]; then
            QREADY=1
            break
        fi
        kill -0 "$QUESTDB_PID" 2>/dev/null || break
        sleep 0.5
    done
    [[ -n "$QREADY" ]] || { echo "http-load: FAIL: QuestDB did not answer at $QUESTDB_URL" >&2; tail -20 "$OUT/questdb.out" "$OUT/questdb.log" >&2; exit 1; }
    echo "http-load: QuestDB pid $QUESTDB_PID ready at $QUESTDB_URL, data $QUESTDB_DATA, log $OUT/questdb.out"
    QUESTDB_ARGS="--questdb-url $QUESTDB_URL $QUESTDB_ARGS"
fi

STATUS=0
for mode in $MODES; do
    case "$mode" in
        single) ARGS="${SINGLE_ARGS:-}" ;;
        batch) ARGS="${BATCH_ARGS:-}" ;;
        query) ARGS="${QUERY_ARGS:-}" ;;
        steady) ARGS="${STEADY_ARGS:-}" ;;
        otlp) ARGS="${OTLP_ARGS:-}" ;;
        questdb) ARGS="$QUESTDB_ARGS" ;;
        *) echo "http-load: unknown mode $mode" >&2; STATUS=2; continue ;;
    esac
    echo "http-load: $mode (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
    # shellcheck disable=SC2086  # CLIENT_OPTS and ARGS are lists
    if ! "$JAVA" $CLIENT_OPTS -cp "$BENCH_JAR" dev.ringmeter.bench.http.HttpLoadGenerator "$mode" --url "$URL" \
            $ARGS | tee "$OUT/$mode.txt"; then
        echo "http-load: $mode FAILED" >&2
        STATUS=1
    fi
done
echo "http-load: journal and snapshot on disk: $(du -sh "$DATA" | cut -f1)$( [[ -f "$DATA/snapshot.bin" ]] \
    && echo "; snapshot.bin $(stat -c %s "$DATA/snapshot.bin") bytes, written $(stat -c %y "$DATA/snapshot.bin")")"
exit "$STATUS"
