#!/usr/bin/env bash
# Run a local Neo4j 5.26 Community server (with Neo4j Browser and APOC) from
# Maven Central jars, without Docker and without a Neo4j tarball.
#
#   scripts/neo4j.sh start            start in the background, wait until it answers
#   scripts/neo4j.sh stop             stop (SIGTERM, then SIGKILL after 60 s)
#   scripts/neo4j.sh status           print running/stopped; exit 0 if running, 3 if not
#   scripts/neo4j.sh admin ARGS...    run neo4j-admin, e.g. `admin database info`
#   scripts/neo4j.sh import DIR [ARGS...]
#                                     stop, bulk-import DIR/nodes*.csv and
#                                     DIR/relationships*.csv (and DIR/rels*.csv)
#                                     into database "neo4j", start again
#
# Environment (defaults in brackets):
#   NEO4J_HOME_DIR   server home: jars, conf, data, logs [<repo>/.neo4j]
#   NEO4J_BOLT_PORT  Bolt port on 127.0.0.1 [7687]
#   NEO4J_HTTP_PORT  HTTP port on 127.0.0.1 [7474]
#   NEO4J_HEAP       JVM heap, initial = max [1g]
#   NEO4J_PAGECACHE  page cache size [256m]
#   NEO4J_START_TIMEOUT / NEO4J_STOP_TIMEOUT  seconds [120 / 60]
#
# The first start downloads ~145 MB of jars through Maven into ~/.m2 and copies
# them into $NEO4J_HOME_DIR/lib; later starts reuse them and need no network.
set -euo pipefail

# --- Locations and settings -------------------------------------------------

# Resolve the repo root from this file's location so the script works from any cwd.
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
POM="$REPO_ROOT/neo4j/pom.xml"

HOST=127.0.0.1
BOLT_PORT=${NEO4J_BOLT_PORT:-7687}
HTTP_PORT=${NEO4J_HTTP_PORT:-7474}
HEAP=${NEO4J_HEAP:-1g}
PAGECACHE=${NEO4J_PAGECACHE:-256m}
HOME_DIR=${NEO4J_HOME_DIR:-$REPO_ROOT/.neo4j}

START_TIMEOUT=${NEO4J_START_TIMEOUT:-120} # seconds to wait for Bolt and HTTP to answer
STOP_TIMEOUT=${NEO4J_STOP_TIMEOUT:-60}    # seconds to wait after SIGTERM before SIGKILL

MAIN_CLASS=org.neo4j.server.CommunityEntryPoint
ADMIN_CLASS=org.neo4j.cli.AdminTool

# Netty and the page cache need these opened up on Java 17+ (the neo4j launcher
# script adds the same flags).
JAVA_OPENS=(
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  -Dio.netty.tryReflectionSetAccessible=true
)

# --- Small helpers ------------------------------------------------------------

die() {
  echo "neo4j.sh: error: $*" >&2
  exit 1
}

info() {
  echo "neo4j.sh: $*"
}

# Sets the paths below HOME_DIR. HOME_DIR may be given relative to the caller's
# cwd; Neo4j and neo4j-admin want absolute paths, so resolve it once here
# (without creating anything: status and stop should leave no trace).
init_paths() {
  [[ $HOME_DIR == /* ]] || HOME_DIR="$PWD/$HOME_DIR"
  LIB_DIR="$HOME_DIR/lib"
  CONF_DIR="$HOME_DIR/conf"
  PLUGINS_DIR="$HOME_DIR/plugins"
  DATA_DIR="$HOME_DIR/data"
  LOGS_DIR="$HOME_DIR/logs"
  IMPORT_DIR="$HOME_DIR/import"
  PID_FILE="$HOME_DIR/neo4j.pid"
  CONSOLE_LOG="$LOGS_DIR/console.log"
  # Records which pom.xml the jars in lib/ came from, so a changed pom re-assembles.
  STAMP="$LIB_DIR/.pom.sha256"
}

require_java() {
  command -v java >/dev/null 2>&1 ||
    die "java not found on PATH; Neo4j 5.26 needs Java 17 or 21 (Debian: apt-get install -y openjdk-17-jre-headless)"
  local version major
  # First line looks like: openjdk version "17.0.15" 2025-04-15
  version=$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
  major=${version%%.*}
  if [[ $major =~ ^[0-9]+$ ]] && ((major < 17)); then
    die "java on PATH is version $version; Neo4j 5.26 needs Java 17 or 21"
  fi
}

require_mvn() {
  command -v mvn >/dev/null 2>&1 ||
    die "mvn not found on PATH; it is needed once to fetch the Neo4j jars (Debian: apt-get install -y maven)"
}

# True when something accepts TCP connections on $HOST:$1 (bash's /dev/tcp, no nc needed).
port_open() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

http_ok() {
  curl -fsS -o /dev/null --max-time 2 "http://$HOST:$HTTP_PORT/" 2>/dev/null
}

# "Answering" means both Bolt and HTTP work, which is what clients need.
server_answering() {
  port_open "$BOLT_PORT" && http_ok
}

# Prints the pid from the pid file if that process is alive and is still our
# Neo4j server (guards against a stale file whose pid was reused).
running_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  local cmdline
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$MAIN_CLASS"* ]] || return 1
  echo "$pid"
}

# --- Jars ---------------------------------------------------------------------

jars_ready() {
  [[ -f $STAMP ]] &&
    [[ $(<"$STAMP") == "$(sha256sum "$POM" | cut -d' ' -f1)" ]] &&
    compgen -G "$PLUGINS_DIR/apoc-*.jar" >/dev/null
}

# Copy every jar of neo4j/pom.xml into lib/, then move APOC into plugins/,
# the layout of a Neo4j tarball (see server_classpath for why both are needed).
assemble_jars() {
  if jars_ready; then
    return 0
  fi
  require_mvn
  info "assembling jars into $LIB_DIR (~145 MB; downloaded into ~/.m2 unless already there)"
  local staging="$HOME_DIR/lib.partial"
  rm -rf "$staging"
  mkdir -p "$staging" "$PLUGINS_DIR"
  # Try offline first so a warm ~/.m2 needs no network; fall back to online.
  # Maven's output goes to a log (Debian's mvn prints stray colour codes even with -B -q)
  # and is shown only if both attempts fail.
  local mvn_log="$HOME_DIR/mvn.log" goal=(-B -q -f "$POM" dependency:copy-dependencies "-DoutputDirectory=$staging")
  if ! mvn -o "${goal[@]}" >"$mvn_log" 2>&1 && ! mvn "${goal[@]}" >>"$mvn_log" 2>&1; then
    cat "$mvn_log" >&2
    die "mvn could not fetch the Neo4j jars (output above, also in $mvn_log)"
  fi
  compgen -G "$staging/apoc-core-*.jar" >/dev/null || die "APOC jar missing from the Maven output"
  rm -f "$PLUGINS_DIR"/apoc-*.jar
  mv "$staging"/apoc-core-*.jar "$PLUGINS_DIR/"
  rm -rf "$LIB_DIR"
  mv "$staging" "$LIB_DIR"
  sha256sum "$POM" | cut -d' ' -f1 >"$STAMP"
  info "$(find "$LIB_DIR" -name '*.jar' | wc -l) jars in lib/, $(basename "$PLUGINS_DIR"/apoc-*.jar) in plugins/"
}

# Like the neo4j launcher, put plugins/ on the classpath as well as lib/: Neo4j
# scans plugins/ for procedures, but finds plugin extension factories (APOC's
# ApocConfig, which its procedures inject) on the JVM classpath only. Without
# plugins/* here the server fails with "apocConfig ... not a known injectable
# component".
server_classpath() {
  echo "$LIB_DIR/*:$PLUGINS_DIR/*"
}

# --- Configuration --------------------------------------------------------------

# neo4j.conf is rewritten on every start/admin run so that it always matches
# this script's settings; edit the script (or the env vars), not the file.
write_conf() {
  mkdir -p "$CONF_DIR" "$DATA_DIR" "$LOGS_DIR" "$PLUGINS_DIR" "$IMPORT_DIR"
  cat >"$CONF_DIR/neo4j.conf" <<EOF
# Generated by scripts/neo4j.sh; overwritten on every start.

# Listen on loopback only.
server.default_listen_address=$HOST
server.bolt.listen_address=$HOST:$BOLT_PORT
server.bolt.advertised_address=$HOST:$BOLT_PORT
server.http.listen_address=$HOST:$HTTP_PORT
server.http.advertised_address=$HOST:$HTTP_PORT
server.https.enabled=false

# Local development server: no authentication.
dbms.security.auth_enabled=false

# Memory. The JVM is started by neo4j.sh with -Xms/-Xmx of the same size; the
# heap keys are repeated here so that tools reading the config agree.
server.memory.pagecache.size=$PAGECACHE
server.memory.heap.initial_size=$HEAP
server.memory.heap.max_size=$HEAP

# Everything lives under the home directory.
server.directories.data=$DATA_DIR
server.directories.logs=$LOGS_DIR
server.directories.plugins=$PLUGINS_DIR
server.directories.import=$IMPORT_DIR

# Faster stop: Bolt otherwise waits 5 s for connections and 5 s more for its
# thread pool when shutting down (internal settings; fine for a local dev server).
internal.server.bolt.connection_shutdown_wait_time=1s
internal.server.bolt.thread_pool_shutdown_wait_time=1s

# APOC procedures need unrestricted access to internals.
dbms.security.procedures.unrestricted=apoc.*

# No telemetry. Neo4j Browser (and Bloom) read client.allow_telemetry through
# dbms.clientConfig(); when false, Browser turns off its usage statistics and crash
# reports and shows no consent banner. dbms.usage_report.enabled=false stops the
# server's own usage report.
client.allow_telemetry=false
dbms.usage_report.enabled=false
EOF
}

# --- Subcommands ------------------------------------------------------------------

# Neo4j runs "in daemon mode" without a terminal and then logs to logs/neo4j.log
# rather than stdout, so the reason for a failure is usually there, not in console.log.
show_logs() {
  local f
  for f in "$CONSOLE_LOG" "$LOGS_DIR/neo4j.log"; do
    [[ -f $f ]] || continue
    echo "--- last lines of $f:" >&2
    tail -n 30 "$f" >&2
  done
}

# Waits until both ports answer, the process dies, or START_TIMEOUT passes.
wait_until_answering() {
  local pid=$1 waited=0
  printf 'neo4j.sh: waiting for bolt://%s:%s and http://%s:%s ' "$HOST" "$BOLT_PORT" "$HOST" "$HTTP_PORT"
  until server_answering; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo
      echo "neo4j.sh: error: the server exited during start-up" >&2
      show_logs
      rm -f "$PID_FILE"
      exit 1
    fi
    if ((waited >= START_TIMEOUT)); then
      echo
      echo "neo4j.sh: error: no answer after ${START_TIMEOUT}s (pid $pid still running)" >&2
      show_logs
      exit 1
    fi
    printf '.'
    sleep 1
    waited=$((waited + 1))
  done
  echo " up after ~${waited}s"
}

cmd_start() {
  if server_answering; then
    info "already running: bolt://$HOST:$BOLT_PORT, http://$HOST:$HTTP_PORT"
    return 0
  fi
  require_java

  local pid
  # A server of ours that is still starting up: wait for it instead of starting a second one.
  if pid=$(running_pid); then
    info "server (pid $pid) is starting"
    wait_until_answering "$pid"
    return 0
  fi
  if port_open "$BOLT_PORT" || port_open "$HTTP_PORT"; then
    die "port $BOLT_PORT or $HTTP_PORT on $HOST is taken by another process; set NEO4J_BOLT_PORT/NEO4J_HTTP_PORT"
  fi

  assemble_jars
  write_conf

  info "starting Neo4j (home $HOME_DIR, log $CONSOLE_LOG)"
  # A pid file left by a crashed server would be mistaken for the new one below.
  rm -f "$PID_FILE"
  echo "--- $(date -Is) start" >>"$CONSOLE_LOG"
  # setsid detaches the server from the caller's terminal and process group so
  # it outlives this script; the inner shell writes its own pid, then becomes java.
  # shellcheck disable=SC2016 # $$, $0 and $@ belong to the inner shell
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
    java "-Xms$HEAP" "-Xmx$HEAP" "${JAVA_OPENS[@]}" \
    -cp "$(server_classpath)" "$MAIN_CLASS" \
    --home-dir="$HOME_DIR" --config-dir="$CONF_DIR" \
    </dev/null >>"$CONSOLE_LOG" 2>&1 &

  # Wait briefly for the pid file written by the inner shell.
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s $PID_FILE ]] && break
    sleep 0.1
  done
  [[ -s $PID_FILE ]] || die "server process did not start; see $CONSOLE_LOG"
  pid=$(<"$PID_FILE")
  info "pid $pid"
  wait_until_answering "$pid"
  info "Neo4j Browser: http://$HOST:$HTTP_PORT/browser/"
}

cmd_stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$PID_FILE"
    info "not running"
    return 0
  fi
  info "stopping pid $pid"
  # SIGTERM runs Neo4j's shutdown hook, which checkpoints and closes the store cleanly.
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null && ((waited < STOP_TIMEOUT * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    info "still running after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  info "stopped"
}

cmd_status() {
  local pid
  if pid=$(running_pid); then
    if server_answering; then
      echo "running (pid $pid, bolt://$HOST:$BOLT_PORT, http://$HOST:$HTTP_PORT)"
    else
      echo "running (pid $pid, not answering yet)"
    fi
    return 0
  fi
  if server_answering; then
    echo "running (not started by this script: no live pid in $PID_FILE)"
    return 0
  fi
  echo "stopped"
  return 3
}

# neo4j-admin reads neo4j.conf from NEO4J_CONF and resolves relative paths
# against NEO4J_HOME, so both point at the same home as the server.
cmd_admin() {
  require_java
  assemble_jars
  write_conf
  NEO4J_HOME="$HOME_DIR" NEO4J_CONF="$CONF_DIR" \
    java "-Xmx$HEAP" "${JAVA_OPENS[@]}" -cp "$(server_classpath)" "$ADMIN_CLASS" "$@"
}

# Each CSV file is its own input group, so each must start with its header row.
cmd_import() {
  (($# >= 1)) || die "usage: neo4j.sh import DIR [extra neo4j-admin import options...]"
  local dir=$1
  shift
  [[ -d $dir ]] || die "not a directory: $dir"
  dir=$(cd "$dir" && pwd)

  local args=() f
  shopt -s nullglob
  for f in "$dir"/nodes*.csv; do args+=("--nodes=$f"); done
  local nodes=${#args[@]}
  for f in "$dir"/relationships*.csv "$dir"/rels*.csv; do args+=("--relationships=$f"); done
  shopt -u nullglob
  ((nodes > 0)) || die "no $dir/nodes*.csv files to import"

  cmd_stop
  info "importing $nodes node file(s) and $((${#args[@]} - nodes)) relationship file(s) from $dir"
  # --report-file: by default neo4j-admin drops import.report into the caller's cwd.
  if ! cmd_admin database import full neo4j --overwrite-destination \
    "--report-file=$LOGS_DIR/import.report" "${args[@]}" "$@"; then
    die "import failed (see above); the server is left stopped"
  fi
  cmd_start
}

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

main() {
  local cmd=${1:-}
  (($# > 0)) && shift
  case $cmd in
    start | stop | status | admin | import) init_paths ;;
  esac
  case $cmd in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    admin) cmd_admin "$@" ;;
    import) cmd_import "$@" ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
