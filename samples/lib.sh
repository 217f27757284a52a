# Helpers shared by samples/verify.sh and samples/devui-test/run.sh (sourced, not run).

# Prints a TCP port on 127.0.0.1 that nothing listens on; fails after 50 tries.
free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "no free port found" >&2
  return 1
}

# Creates the PostgreSQL database $1 on 127.0.0.1 unless it exists.
ensure_database() {
  local db=$1
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
    || createdb -h 127.0.0.1 -U postgres "$db"
}

# ensure_database, then drops the extension's tables in it, so that a sample starts on an empty queue.
fresh_taskqueue_database() {
  local db=$1
  ensure_database "$db"
  psql -h 127.0.0.1 -U postgres -d "$db" -qc "SET client_min_messages = warning; DROP TABLE IF EXISTS tq_task, \
    tq_group, tq_group_writer, tq_handler, tq_submission, tq_receipt, tq_meta CASCADE"
}
