#!/usr/bin/env bash
# The Dev UI in a real browser: starts samples/quickstart (or $SAMPLE) in dev mode, against the quarkus-taskqueue
# 999-SNAPSHOT that the reactor build installed, and opens its TaskQueue pages in headless Chromium with Playwright
# (test.mjs): the handler table lists the sample's handlers; a task submitted from the form is shown SUCCEEDED; a
# batch and its group are shown; a failing task is retried, and a retrying one cancelled, from the failed tasks.
# Keeps a screenshot for the docs (docs/modules/ROOT/images/devui.png). Installs Chromium (Debian's package),
# Node.js and playwright-core (npm) when they are missing. Exits non-zero on failure; dev mode is stopped on exit.
#
# Environment: SAMPLE (quickstart, the default, on SQLite; or postgresql, the PostgreSQL store on the database
# "samples" at 127.0.0.1:5432, whose TaskQueue tables are dropped first; the screenshot is taken of quickstart
# only), TIMEOUT (seconds to wait for dev mode, 600), KEEP=1 (keep the working directory).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TIMEOUT=${TIMEOUT:-600}
SAMPLE=${SAMPLE:-quickstart}

log() { printf '%s [devui-test] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(nodejs) # playwright-core needs Node.js 20 or newer
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)

. "$ROOT/samples/lib.sh"

SCREENSHOT=
case $SAMPLE in
  quickstart) SCREENSHOT="$ROOT/docs/modules/ROOT/images/devui.png" ;;
  postgresql)
    fresh_taskqueue_database samples
    ;;
  *) log "unknown SAMPLE '$SAMPLE': quickstart or postgresql"; exit 2 ;;
esac

# The sample is copied so that dev mode's target/ and taskqueue.db stay out of samples/.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/taskqueue-devui.XXXXXX")
APP="$WORK/$SAMPLE"
mkdir -p "$APP" && cp -r "$ROOT/samples/$SAMPLE/pom.xml" "$ROOT/samples/$SAMPLE/src" "$APP/"
PORT=$(free_port)
DEV_LOG="$WORK/dev.log"
DEV_PID=

stop_dev() {
  local status=$?
  if [ -n "$DEV_PID" ] && kill -0 "$DEV_PID" 2>/dev/null; then
    log "stopping dev mode (process group $DEV_PID)"
    kill -TERM -- "-$DEV_PID" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$DEV_PID" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL -- "-$DEV_PID" 2>/dev/null || true
  fi
  if [ "$status" != 0 ] && [ -f "$DEV_LOG" ]; then
    log "last lines of $DEV_LOG:"
    tail -n 40 "$DEV_LOG" | sed 's/^/    | /' >&2
  fi
  if [ "$status" = 0 ] && [ "${KEEP:-0}" != 1 ]; then
    rm -rf "$WORK"
  else
    log "working directory kept in $WORK"
  fi
}
trap stop_dev EXIT
trap 'exit 130' INT TERM

log "starting samples/$SAMPLE in dev mode on port $PORT (log: $DEV_LOG)"
# its own process group (setsid), so that dev mode and the application JVM it forks are stopped together
(cd "$APP" && exec setsid "$ROOT/mvnw" -B -f "$APP/pom.xml" quarkus:dev -Dquarkus.http.port="$PORT" -Ddebug=false \
  -Dquarkus.console.enabled=false -Dquarkus.analytics.disabled=true -Dquarkus.dev-ui.allow-extension-management=false \
  -Dquarkus.taskqueue.retry.initial=1h </dev/null >"$DEV_LOG" 2>&1) &
DEV_PID=$!

deadline=$((SECONDS + TIMEOUT))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$PORT/q/dev-ui/" || true)" = 200 ]; do
  kill -0 "$DEV_PID" 2>/dev/null || { log "FAILED: dev mode exited before the Dev UI answered"; exit 1; }
  [ $SECONDS -lt $deadline ] || { log "FAILED: the Dev UI did not answer within $TIMEOUT s"; exit 1; }
  sleep 1
done
log "the Dev UI answers on http://localhost:$PORT/q/dev-ui/"

[ -z "$SCREENSHOT" ] || mkdir -p "$(dirname "$SCREENSHOT")"
# The sample's own endpoint submits a batch of rows grouped under the import's name (see ImportResource); a row
# without a name makes its handler throw (row.name().length()), and its retry waits an hour (retry.initial above).
(cd "$HERE" && BASE_URL="http://localhost:$PORT" EXPECTED_TYPES=import_row PAYLOAD='{"line": 1, "name": "row 1"}' \
  BATCH_URL="http://localhost:$PORT/import/devui?count=500" GROUP=devui FAILING_PAYLOAD='{"line": 2}' \
  SCREENSHOT="$SCREENSHOT" node test.mjs)
