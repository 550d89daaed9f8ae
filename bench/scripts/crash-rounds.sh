#!/usr/bin/env bash
# Runs the randomized crash test (core's RandomCrashTest) for many rounds: a child JVM with several producers is
# killed with SIGKILL at a random moment, and every acknowledged event must be found once, under its own names.
# CI runs 20 rounds as part of the test suite; this runs as many as asked, from a seed that is printed so that a
# failing round can be replayed.
#
# Usage: bench/scripts/crash-rounds.sh [ROUNDS (default 200)] [SEED (default: the clock)]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${1:-200}"
SEED="${2:-$(date +%s%N)}"
echo "crash-rounds: $ROUNDS rounds from seed $SEED"
cd "$ROOT"
mvn -B -q -pl core -am test -Dtest=RandomCrashTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dringmeter.crash.rounds="$ROUNDS" -Dringmeter.crash.seed="$SEED"
grep -h '<testsuite' core/target/surefire-reports/TEST-dev.ringmeter.core.RandomCrashTest.xml \
    | sed -E 's/.*tests="([0-9]+)".*errors="([0-9]+)".*failures="([0-9]+)".*/crash-rounds: \1 rounds, \2 errors, \3 failures/'
