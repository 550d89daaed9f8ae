#!/usr/bin/env bash
# The dashboard's screenshot in docs/dashboard.png: starts server/target/ringmeter-server.jar on a free loopback port
# with a temporary data directory, feeds it an hour of demo events over three models (a pipeline with two steps, two
# prompt configurations, a run, a few errors) and an alert rule that fires on them, then has headless Chromium (through
# chromedriver) save the page once it is ready. Stops the server with SIGTERM and deletes the data directory. Builds nothing: run
# `mvn -B -q -pl server -am package -DskipTests` first.
#
# Usage: bench/scripts/dashboard-screenshot.sh            (from anywhere)
# Env:   OUT (docs/dashboard.png), SIZE (1440,1000: the window, width,height), CHROMIUM (/usr/bin/chromium),
#        CHROMEDRIVER (/usr/bin/chromedriver),
#        SERVER_JAR (server/target/ringmeter-server.jar), JAVA (java)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SERVER_JAR="${SERVER_JAR:-$ROOT/server/target/ringmeter-server.jar}"
OUT="${OUT:-$ROOT/docs/dashboard.png}"
SIZE="${SIZE:-1440,1000}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
JAVA="${JAVA:-java}"

[[ -f "$SERVER_JAR" ]] || { echo "dashboard-screenshot: FAIL: $SERVER_JAR not found; build with: mvn -B -q -pl server -am package -DskipTests" >&2; exit 1; }
[[ -x "$CHROMIUM" ]] || { echo "dashboard-screenshot: FAIL: $CHROMIUM not found (Debian: apt-get install chromium)" >&2; exit 1; }
[[ -x "$CHROMEDRIVER" ]] || { echo "dashboard-screenshot: FAIL: $CHROMEDRIVER not found (Debian: apt-get install chromium-driver)" >&2; exit 1; }
command -v curl >/dev/null || { echo "dashboard-screenshot: FAIL: curl is required" >&2; exit 1; }

DATA="$(mktemp -d "${TMPDIR:-/tmp}/ringmeter-screenshot.XXXXXX")"
SERVER_PID=""
stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        for _ in $(seq 1 120); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$DATA"
}
trap stop_server EXIT
trap 'exit 130' INT TERM

"$JAVA" -Xmx2g -jar "$SERVER_JAR" --port 0 --data "$DATA" --alert-eval-ms 500 >"$DATA/server.out" 2>"$DATA/server.log" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 120); do   # at most 60 s for the listening line (--port 0 picks the port)
    PORT="$(sed -n 's/.*event=listening .* port=\([0-9]*\).*/\1/p' "$DATA/server.log" "$DATA/server.out" | head -1)"
    [[ -n "$PORT" ]] && curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null && break
    sleep 0.5
done
[[ -n "$PORT" ]] || { echo "dashboard-screenshot: FAIL: the server did not start; see $DATA/server.log" >&2; exit 1; }
BASE="http://127.0.0.1:$PORT"

curl -sf -XPOST "$BASE/api/v1/runs" -H 'Content-Type: application/json' \
    -d '{"id": "eval-42", "name": "support-bot eval 42", "expectedTasks": 600}' >/dev/null
curl -sf -XPOST "$BASE/api/v1/alerts/rules" -H 'Content-Type: application/json' \
    -d '{"id": "llama-slow", "name": "llama-3-70b is slow", "scope": "model:llama-3-70b", "metric": "p95",
         "window": "1h", "comparator": ">", "warning": 1500}' >/dev/null

# an hour of events, one batch per 5 minutes; latencies and errors differ per model and configuration
NOW_MS="$(( $(date +%s) * 1000 ))"
for minute in $(seq 60 -5 0); do
    body=""
    for i in $(seq 1 60); do
        case $(( i % 3 )) in
            0) model="gpt-4o"; base=650 ;;
            1) model="claude-sonnet"; base=800 ;;
            *) model="llama-3-70b"; base=1200 ;;
        esac
        if (( i % 2 == 0 )); then config="prompt-v1"; slower=150; else config="prompt-v2"; slower=0; fi
        step=$([[ $(( i % 4 )) -eq 0 ]] && echo retrieve || echo answer)
        status=$([[ $(( RANDOM % 25 )) -eq 0 ]] && echo error || echo ok)
        latency=$(( base + RANDOM % 700 + slower ))
        ts=$(( NOW_MS - (RANDOM * 32768 + RANDOM) % (minute > 0 ? 3600000 : 30000) ))   # the last batch: the tiles' minute
        body+="{\"model\":\"$model\",\"latencyMs\":$latency,\"ttftMs\":$(( 120 + RANDOM % 200 )),"
        body+="\"promptTokens\":$(( 500 + RANDOM % 1500 )),\"completionTokens\":$(( 80 + RANDOM % 400 )),"
        body+="\"status\":\"$status\",\"pipeline\":\"support-bot\",\"step\":\"$step\",\"config\":\"$config\","
        body+="\"run\":\"eval-42\",\"task\":\"t$minute-$i\",\"quality\":{\"f1\":0.$(( 60 + RANDOM % 39 ))},\"timestamp\":$ts}"$'\n'
    done
    printf '%s' "$body" | curl -sS --fail-with-body -XPOST "$BASE/api/v1/events" -H 'Content-Type: application/x-ndjson' \
        --data-binary @- -o "$DATA/ingest.json" || { cat "$DATA/ingest.json" >&2; exit 1; }
done
for _ in $(seq 1 20); do   # the rule fires at its next evaluation
    if curl -sf "$BASE/api/v1/alerts" | grep -q '"firing"'; then break; fi
    sleep 0.5
done

mkdir -p "$(dirname "$OUT")"
# Chromium through chromedriver's WebDriver endpoint (plain HTTP and JSON): the page keeps its live stream open, so
# Chromium's own --screenshot (which waits for the network to go quiet) never would; here the picture is taken once
# the page says it is ready, the stream is live and the charts are drawn.
DRIVER_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$CHROMEDRIVER" --port="$DRIVER_PORT" >"$DATA/chromedriver.log" 2>&1 &
DRIVER_PID=$!
trap 'kill "$DRIVER_PID" 2>/dev/null || true; stop_server' EXIT
WD="http://127.0.0.1:$DRIVER_PORT"
for _ in $(seq 1 60); do curl -sf "$WD/status" >/dev/null && break; sleep 0.5; done
SESSION="$(curl -sf -XPOST "$WD/session" -H 'Content-Type: application/json' -d "{\"capabilities\": {\"alwaysMatch\": {
    \"browserName\": \"chrome\", \"goog:chromeOptions\": {\"binary\": \"$CHROMIUM\", \"args\": [\"--headless\",
    \"--no-sandbox\", \"--disable-gpu\", \"--disable-dev-shm-usage\", \"--no-first-run\", \"--hide-scrollbars\",
    \"--window-size=$SIZE\"]}}}}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["value"]["sessionId"])')"
WS="$WD/session/$SESSION"
curl -sf -XPOST "$WS/url" -H 'Content-Type: application/json' -d "{\"url\": \"$BASE/\"}" >/dev/null
READY='return document.body.dataset.ready === "true"
    && document.getElementById("stream-state").textContent === "live"
    && document.querySelectorAll(".uplot").length > 0
    && document.querySelectorAll("#tiles .tile").length > 0'
ready=""
for _ in $(seq 1 60); do
    ready="$(curl -sf -XPOST "$WS/execute/sync" -H 'Content-Type: application/json' \
        -d "$(python3 -c 'import json, sys; print(json.dumps({"script": sys.argv[1], "args": []}))' "$READY")" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["value"])')"
    [[ "$ready" == "True" ]] && break
    sleep 0.5
done
[[ "$ready" == "True" ]] || { echo "dashboard-screenshot: FAIL: the page did not get ready in 30 s" >&2; exit 1; }
curl -sf "$WS/screenshot" | python3 -c 'import base64, json, sys; open(sys.argv[1], "wb").write(base64.b64decode(json.load(sys.stdin)["value"]))' "$OUT"
curl -sf -XDELETE "$WS" >/dev/null || true
echo "dashboard-screenshot: wrote $OUT"
