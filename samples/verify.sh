#!/usr/bin/env bash
# Builds the sample applications as a user builds them (outside the reactor, against the installed
# quarkus-taskqueue 999-SNAPSHOT), runs each packaged jar on a free port in a fresh working directory,
# submits a batch of $COUNT tasks over HTTP and waits until all of them have SUCCEEDED.
#
#   samples/verify.sh                      every check
#   samples/verify.sh quickstart hibernate some of them
#
# Checks: quickstart, quickstart-rest (the extension's REST API), old-driver (sqlite-jdbc 3.34.0 must be
# refused at startup), hibernate-orm, hibernate (Hibernate Reactive), postgresql (the PostgreSQL store, tasks
# written in the application's Hibernate Reactive transaction). Environment: COUNT (10000),
# TIMEOUT (seconds to wait for the tasks, 120), KEEP=1 (keep the working directories).
set -euo pipefail
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$SELF")/.."

COUNT=${COUNT:-10000}
TIMEOUT=${TIMEOUT:-120}
PG_HOST=127.0.0.1
PG_USER=postgres
PG_DB=samples

# ---------------------------------------------------------------- helpers (child and parent)

log() { printf '%s [verify] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Prints the last lines of the running check's application log, then stops the check.
fail() {
  log "FAILED: $*"
  if [ -n "${APP_LOG:-}" ] && [ -f "$APP_LOG" ]; then
    log "last lines of $APP_LOG:"
    tail -n 40 "$APP_LOG" | sed 's/^/    | /' >&2
  fi
  exit 1
}

mvn_package() { # pom, extra Maven arguments...
  local pom=$1
  shift
  log "./mvnw -B -q -f $pom package $*"
  ./mvnw -B -q -f "$pom" package "$@" || fail "the build of $pom failed"
}

. samples/lib.sh # free_port, ensure_database, fresh_taskqueue_database

# start_app NAME APP_DIR [java options...]: runs APP_DIR/quarkus-run.jar in the fresh directory
# $WORK/run/NAME (so the queue creates a fresh taskqueue.db there) and waits until it answers HTTP.
start_app() {
  local name=$1 app=$2
  shift 2
  local dir="$WORK/run/$name"
  rm -rf "$dir" && mkdir -p "$dir"
  APP_PORT=$(free_port)
  APP_LOG="$dir/app.log"
  APP_URL="http://127.0.0.1:$APP_PORT"
  (cd "$dir" && exec java -Dquarkus.http.port="$APP_PORT" "$@" -jar "$app/quarkus-run.jar" >"$APP_LOG" 2>&1) &
  APP_PID=$!
  echo "$APP_PID" >>"$WORK/pids"
  log "$name: started pid $APP_PID on port $APP_PORT, in $dir"
}

wait_ready() {
  local deadline=$((SECONDS + 60))
  while [ "$(curl -s -o /dev/null -w '%{http_code}' "$APP_URL/" || true)" = 000 ]; do
    kill -0 "$APP_PID" 2>/dev/null || fail "the application exited before it was ready"
    [ $SECONDS -lt $deadline ] || fail "the application was not ready after 60 s"
    sleep 0.2
  done
}

stop_app() {
  if [ -n "${APP_PID:-}" ] && kill -0 "$APP_PID" 2>/dev/null; then
    kill "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
  fi
  APP_PID=
}

json_number() { # FIELD JSON: the first "FIELD": number of the JSON text, empty if none
  grep -o "\"$1\": *[0-9]*" <<<"$2" | head -n 1 | grep -o '[0-9]*$' || true
}

# wait_succeeded URL: polls URL (a group summary) until $COUNT tasks have succeeded
wait_succeeded() {
  local url=$1 deadline=$((SECONDS + TIMEOUT)) body succeeded failed start=$SECONDS
  while :; do
    kill -0 "$APP_PID" 2>/dev/null || fail "the application exited while the tasks ran"
    body=$(curl -s "$url" || true)
    succeeded=$(json_number succeeded "$body")
    failed=$(json_number failed "$body")
    [ "${failed:-0}" = 0 ] || fail "$failed task(s) FAILED: $body"
    if [ "${succeeded:-0}" -ge "$COUNT" ]; then
      [ "$succeeded" = "$COUNT" ] || fail "$succeeded tasks succeeded, expected $COUNT: $body"
      log "all $COUNT tasks SUCCEEDED after $((SECONDS - start)) s: $body"
      return
    fi
    [ $SECONDS -lt $deadline ] || fail "after $TIMEOUT s only ${succeeded:-0} of $COUNT tasks SUCCEEDED: $body"
    sleep 0.5
  done
}

# post URL [curl options...]: POSTs, fails unless 2xx; the body goes to $WORK/run/response.json
post() {
  local url=$1 code
  shift
  code=$(curl -s -o "$WORK/run/response.json" -w '%{http_code}' -XPOST "$url" "$@" || true)
  case $code in
    2??) ;;
    *) fail "POST $url answered $code: $(head -c 2000 "$WORK/run/response.json")" ;;
  esac
  grep -q '"failed":\[\]' "$WORK/run/response.json" \
    || fail "POST $url rejected tasks: $(head -c 2000 "$WORK/run/response.json")"
}

# Submits $COUNT tasks through the sample's own endpoint (POST /import/{name}?count=N -> queue.submitBatch)
# and waits for them through GET /import/{name} (the group's summary).
run_sample_import() {
  post "$APP_URL/import/verify?count=$COUNT"
  log "POST /import/verify?count=$COUNT: $(head -c 120 "$WORK/run/response.json")..."
  wait_succeeded "$APP_URL/import/verify"
}

# Hibernate must use the PostgreSQL datasource only: one dialect, PostgreSQL's; never SQLite's.
check_dialect() {
  local dialects
  dialects=$(grep -o 'Using dialect: [A-Za-z0-9_.]*' "$APP_LOG" || true)
  [ "$dialects" = "Using dialect: org.hibernate.dialect.PostgreSQLDialect" ] \
    || fail "expected Hibernate to log exactly one dialect, PostgreSQLDialect; it logged: '${dialects:-nothing}'"
  ! grep -qi 'SQLiteDialect' "$APP_LOG" || fail "the log mentions SQLiteDialect: $(grep -i -m1 SQLiteDialect "$APP_LOG")"
  log "Hibernate: one persistence unit dialect, PostgreSQLDialect; no SQLite dialect"
}

HIBERNATE_LOG=('-Dquarkus.log.category."org.hibernate.orm.dialect".level=DEBUG')

# ---------------------------------------------------------------- the checks (each in its own process)

check_quickstart() {
  mvn_package samples/quickstart/pom.xml
  rm -rf "$WORK/apps/quickstart" && mkdir -p "$WORK/apps"
  cp -r samples/quickstart/target/quarkus-app "$WORK/apps/quickstart"
  start_app quickstart "$WORK/apps/quickstart"
  wait_ready
  run_sample_import
  stop_app
}

# The same application with the extension's REST API (a build-time switch), built into another directory.
check_quickstart_rest() {
  mvn_package samples/quickstart/pom.xml -Dquarkus.taskqueue.rest.enabled=true \
    -Dquarkus.package.output-directory=taskqueue-rest
  local app="$PWD/samples/quickstart/target/taskqueue-rest"
  [ -f "$app/quarkus-run.jar" ] || fail "no $app/quarkus-run.jar"
  start_app quickstart-rest "$app"
  wait_ready
  local body="$WORK/run/quickstart-rest/tasks.json"
  awk -v n="$COUNT" 'BEGIN { printf "["; for (i = 1; i <= n; i++)
      printf "%s{\"type\":\"import_row\",\"payload\":{\"line\":%d,\"name\":\"row %d\"}}", (i > 1 ? "," : ""), i, i
      print "]" }' >"$body"
  post "$APP_URL/taskqueue/batches?groupId=rest-verify" -H 'Content-Type: application/json' --data-binary "@$body"
  log "POST /taskqueue/batches: $(head -c 120 "$WORK/run/response.json")..."
  wait_succeeded "$APP_URL/taskqueue/groups/rest-verify"
  local stats
  stats=$(curl -s "$APP_URL/taskqueue/stats")
  [ "$(json_number total "$stats")" = "$COUNT" ] || fail "GET /taskqueue/stats does not count $COUNT tasks: $stats"
  [ "$(json_number SUCCEEDED "$stats")" = "$COUNT" ] || fail "GET /taskqueue/stats: not $COUNT SUCCEEDED: $stats"
  log "GET /taskqueue/stats: $stats"
  stop_app
}

# The packaged quickstart with sqlite-jdbc 3.34.0 (SQLite 3.34.0) in place of the driver it was built with:
# the store needs SQLite 3.38.0 and must say so at startup rather than fail later on some statement.
check_old_driver() {
  [ -d "$WORK/apps/quickstart" ] || check_quickstart
  local app="$WORK/apps/old-driver" drivers
  rm -rf "$app" && cp -r "$WORK/apps/quickstart" "$app"
  drivers=("$app"/lib/main/org.xerial.sqlite-jdbc-*.jar)
  [ ${#drivers[@]} = 1 ] && [ -f "${drivers[0]}" ] || fail "expected one sqlite-jdbc jar in $app/lib/main: ${drivers[*]}"
  log "./mvnw -B -q dependency:copy -Dartifact=org.xerial:sqlite-jdbc:3.34.0"
  ./mvnw -B -q -f samples/quickstart/pom.xml dependency:copy -Dartifact=org.xerial:sqlite-jdbc:3.34.0 \
    -DoutputDirectory="$WORK/old-driver" || fail "could not fetch sqlite-jdbc 3.34.0"
  # Same file name: the fast-jar's class path lists the jars by name.
  cp "$WORK/old-driver/sqlite-jdbc-3.34.0.jar" "${drivers[0]}"
  log "replaced $(basename "${drivers[0]}") by sqlite-jdbc 3.34.0"
  start_app old-driver "$app"
  local deadline=$((SECONDS + 60)) status
  while kill -0 "$APP_PID" 2>/dev/null; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$APP_URL/" || true)" != 000 ]; then
      fail "the application started with sqlite-jdbc 3.34.0; it should refuse to"
    fi
    [ $SECONDS -lt $deadline ] || fail "the application neither started nor stopped within 60 s"
    sleep 0.2
  done
  status=0
  wait "$APP_PID" || status=$?
  APP_PID=
  [ "$status" != 0 ] || fail "the application exited with status 0"
  grep -E -q '3\.34\.0.*3\.38\.0|3\.38\.0.*3\.34\.0' "$APP_LOG" \
    || fail "startup failed (exit $status), but no message names both 3.34.0 (found) and 3.38.0 (needed)"
  log "startup refused (exit $status): $(grep -E -m1 '3\.34\.0.*3\.38\.0|3\.38\.0.*3\.34\.0' "$APP_LOG" | cut -c1-300)"
}

check_hibernate_orm() {
  ensure_database "$PG_DB"
  mvn_package samples/hibernate-orm/pom.xml
  start_app hibernate-orm "$PWD/samples/hibernate-orm/target/quarkus-app" "${HIBERNATE_LOG[@]}"
  wait_ready
  check_dialect
  run_sample_import
  [ "$(curl -s "$APP_URL/import/verify/runs")" = 1 ] || fail "the ImportRun entity is not in PostgreSQL"
  log "GET /import/verify/runs: 1 entity in PostgreSQL"
  stop_app
}

check_hibernate() {
  ensure_database "$PG_DB"
  mvn_package samples/hibernate/pom.xml
  start_app hibernate "$PWD/samples/hibernate/target/quarkus-app" "${HIBERNATE_LOG[@]}"
  wait_ready
  check_dialect
  run_sample_import
  [ "$(curl -s "$APP_URL/import/verify/runs")" = 1 ] || fail "the ImportRun entity is not in PostgreSQL"
  log "GET /import/verify/runs: 1 entity in PostgreSQL"
  stop_app
}

# The PostgreSQL store on the application's own reactive datasource, with Hibernate Reactive: the import and
# its tasks are written in one transaction; a failure after the submit leaves neither.
check_postgresql() {
  fresh_taskqueue_database "$PG_DB"
  mvn_package samples/postgresql/pom.xml
  start_app postgresql "$PWD/samples/postgresql/target/quarkus-app" "${HIBERNATE_LOG[@]}"
  wait_ready
  check_dialect
  run_sample_import
  [ "$(curl -s "$APP_URL/import/verify/runs")" = 1 ] || fail "the ImportRun entity is not in PostgreSQL"
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$APP_URL/import/rolled-back?count=$COUNT&fail=true" || true)
  [ "$code" = 500 ] || fail "POST /import/rolled-back?fail=true answered $code, expected 500"
  [ "$(curl -s "$APP_URL/import/rolled-back/runs")" = 0 ] || fail "the rolled-back ImportRun is in PostgreSQL"
  local tasks
  tasks=$(psql -h "$PG_HOST" -U "$PG_USER" -d "$PG_DB" -tAc "SELECT count(*) FROM tq_task WHERE group_id = 'rolled-back'")
  [ "$tasks" = 0 ] || fail "$tasks tasks of the rolled-back import are in tq_task"
  log "rolled back: no ImportRun and no task of the failed import"
  [ ! -e "$WORK/run/postgresql/taskqueue.db" ] || fail "the application on PostgreSQL wrote taskqueue.db"
  stop_app
}

# ---------------------------------------------------------------- main

if [ "${1:-}" = --check ]; then # a child: one check, set -e in force, its application stopped on exit
  WORK=$2
  APP_PID=
  trap stop_app EXIT
  "check_${3//-/_}"
  exit 0
fi

ALL=(quickstart quickstart-rest old-driver hibernate-orm hibernate postgresql)
CHECKS=("$@")
[ ${#CHECKS[@]} -gt 0 ] || CHECKS=("${ALL[@]}")
for c in "${CHECKS[@]}"; do
  [[ " ${ALL[*]} " == *" $c "* ]] || { log "unknown check '$c'; the checks are: ${ALL[*]}"; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/taskqueue-samples.XXXXXX")
: >"$WORK/pids"
CHILD=
cleanup() {
  local status=$?
  [ -z "$CHILD" ] || kill "$CHILD" 2>/dev/null || true
  while read -r pid; do
    kill "$pid" 2>/dev/null || true
  done <"$WORK/pids"
  wait 2>/dev/null || true
  if [ "$status" = 0 ] && [ "${KEEP:-0}" != 1 ]; then
    rm -rf "$WORK"
  else
    log "working directories kept in $WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=() failed=()
total_start=$SECONDS
for c in "${CHECKS[@]}"; do
  log "== $c"
  start=$SECONDS
  bash "$SELF" --check "$WORK" "$c" &
  CHILD=$!
  if wait "$CHILD"; then
    passed+=("$c ($((SECONDS - start)) s)")
  else
    failed+=("$c ($((SECONDS - start)) s)")
  fi
  CHILD=
done

log "== $((SECONDS - total_start)) s; passed: ${passed[*]:-none}; failed: ${failed[*]:-none}"
[ ${#failed[@]} = 0 ]
