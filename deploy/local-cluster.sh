#!/usr/bin/env bash
# A whole MCP Cluster on this machine, from its own binaries: a private PostgreSQL (schema applied), Redis when
# redis-server is installed (the data-source query cache's shared second level), N silos and M gateways in Cluster:Mode=Postgres.
#
#   deploy/local-cluster.sh start [--silos 3] [--gateways 2] [--dir .local-cluster] [--pg-port 54329]
#                                 [--silo-port 11111] [--client-port 30000] [--http-port 8000] [--redis-port 6380]
#                                 [--metrics-port 9400]
#   deploy/local-cluster.sh status [--dir …]
#   deploy/local-cluster.sh stop [--dir …]
#
# Silo i listens on 127.0.0.1:11111+i (silos), :30000+i (clients) and :9400+i (metrics); gateway j (from 1) on
# http://localhost:8000+j. Each start appends to silo-i.log and gateway-j.log, so a killed node's log survives its restart.
# Logs, pids, the database, the generated admin key and hashing secret and the settings of the last `start`
# (settings.env: `status`, `stop` and the next `start` use them unless given other options) live in the state
# directory; `stop` ends every process (SIGTERM, then SIGKILL after 20 s) and stops PostgreSQL, keeping the data for
# the next `start`. `start` builds the silo and gateway (Release) once, and not at all when no source changed since
# the last build.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
command="${1:-}"; shift || true
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
case "$command" in -h|--help|help) usage; exit 0 ;; esac
silos=3 gateways=2 dir="$repo/.local-cluster" pg_port=54329 silo_port=11111 client_port=30000 http_port=8000 redis_port=6380 metrics_port=9400
given=()
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "option $1 needs a value" >&2; exit 2; }
  case "$1" in
    --silos) given+=("silos=$2") ;;
    --gateways) given+=("gateways=$2") ;;
    --dir) dir="$2" ;;
    --pg-port) given+=("pg_port=$2") ;;
    --silo-port) given+=("silo_port=$2") ;;
    --client-port) given+=("client_port=$2") ;;
    --http-port) given+=("http_port=$2") ;;
    --redis-port) given+=("redis_port=$2") ;;
    --metrics-port) given+=("metrics_port=$2") ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  case "$2" in *[!0-9]*|"") [ "$1" = --dir ] || { echo "$1 needs a number" >&2; exit 2; } ;; esac
  shift 2
done
# Defaults, then what the last start used, then this command's options.
settings="$dir/settings.env"
if [ -f "$settings" ]; then
  while IFS='=' read -r name value; do
    case "$name" in silos|gateways|pg_port|silo_port|client_port|http_port|redis_port|metrics_port)
      case "$value" in *[!0-9]*|"") ;; *) printf -v "$name" '%s' "$value" ;; esac ;;
    esac
  done < "$settings"
fi
for setting in "${given[@]}"; do printf -v "${setting%%=*}" '%s' "${setting#*=}"; done

pg_bin="${MCP_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
random_base32() { tr -dc 'a-z2-7' < /dev/urandom | head -c "$1" || true; }

start_postgres() {
  [ -x "$pg_bin/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql, or set MCP_PG_BIN)." >&2; exit 1; }
  mkdir -p "$dir/postgres"
  # PostgreSQL runs as the postgres user when this script runs as root; it must be able to reach its directory.
  [ "$(id -u)" = 0 ] && chmod o+x "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir/postgres"
  if [ ! -f "$dir/postgres/data/PG_VERSION" ]; then
    as_postgres "$pg_bin/initdb" -D "$dir/postgres/data" -A trust -U postgres -E UTF8 >/dev/null
  fi
  if ! as_postgres "$pg_bin/pg_ctl" -D "$dir/postgres/data" status >/dev/null 2>&1; then
    as_postgres "$pg_bin/pg_ctl" -D "$dir/postgres/data" -w -l "$dir/postgres/server.log" \
      -o "-p $pg_port -k $dir/postgres -c listen_addresses=127.0.0.1" start >/dev/null
  fi
  "$pg_bin/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'mcp'" \
    | grep -q 1 || "$pg_bin/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE mcp"
  PATH="$pg_bin:$PATH" "$repo/deploy/postgres/apply.sh" "postgresql://postgres@127.0.0.1:$pg_port/mcp" >/dev/null
}

start_redis() {
  if command -v redis-server >/dev/null 2>&1; then
    if ! { [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; }; then
      require_free_ports "$redis_port"
      redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
        --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
    fi
    echo "redis     127.0.0.1:$redis_port"
  else
    echo "redis     not installed (apt-get install redis-server); each silo caches query results in its own memory only"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_free_ports() {
  for port in "$@"; do
    if port_in_use "$port"; then
      echo "port $port is already in use (another cluster, or processes left from an earlier run); stop them first" >&2
      exit 1
    fi
  done
}

save_settings() {
  printf '%s\n' "silos=$silos" "gateways=$gateways" "pg_port=$pg_port" "silo_port=$silo_port" "client_port=$client_port" \
    "http_port=$http_port" "redis_port=$redis_port" "metrics_port=$metrics_port" > "$settings"
}

# One build of both programs, skipped when the outputs are
# newer than every source file: a no-op `dotnet build` still costs tens of seconds on a busy machine.
build() {
  local out="$repo/silo/bin/Release/net10.0" stamp="$repo/silo/bin/Release/net10.0/.local-cluster-build"
  if [ -f "$stamp" ] && [ -f "$out/Mcp.Cluster.Silo.dll" ] && [ -f "$repo/gateway/bin/Release/net10.0/Mcp.Cluster.Gateway.dll" ] && \
     [ -z "$(find "$repo/grain-interfaces" "$repo/grains" "$repo/silo" "$repo/gateway" \( -name bin -o -name obj \) -prune -o \
          -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.json' -o -name '*.tsv' -o -name '*.props' \) \
          -newer "$stamp" -print -quit)" ] && \
     [ -z "$(find "$repo/Directory.Build.props" "$repo/Directory.Packages.props" -newer "$stamp" -print -quit)" ]; then
    echo "build     up to date"
    return
  fi
  local began; began=$(date +%s)
  # deploy/cluster.slnf: the silo, the gateway and the libraries they share, in one MSBuild run.
  dotnet build "$repo/deploy/cluster.slnf" -c Release --nologo -v q >/dev/null
  # Stamped with the time the build began, so a file saved during the build triggers the next one.
  touch -d "@$began" "$stamp"
  echo "build     done in $(($(date +%s) - began)) s"
}

spawn() { # name, then the command
  local name="$1"; shift
  if [ -f "$dir/$name.pid" ] && kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then return; fi
  # exec: the recorded pid is the process itself; setsid: it outlives this shell and its terminal.
  echo "==== $(date -u +%Y-%m-%dT%H:%M:%SZ) start" >> "$dir/$name.log"
  (cd "$dir" && exec setsid "$@" < /dev/null >> "$dir/$name.log" 2>&1) &
  echo $! > "$dir/$name.pid"
}

case "$command" in
  start)
    started_at=$(($(date +%s) - 5)) spawned="0"
    mkdir -p "$dir/data"
    save_settings
    [ -f "$dir/admin.key" ] || echo "mcp_$(random_base32 16)_$(random_base32 52)" > "$dir/admin.key"
    [ -f "$dir/hash.secret" ] || random_base32 48 > "$dir/hash.secret"
    chmod 600 "$dir/admin.key" "$dir/hash.secret"
    start_postgres
    echo "postgres  127.0.0.1:$pg_port/mcp"
    start_redis
    build
    export MCP_Cluster__Mode=Postgres MCP_Cluster__AdvertisedAddress=127.0.0.1 MCP_Cluster__DataDirectory="$dir/data" \
           MCP_Cluster__Postgres__ConnectionString="Host=127.0.0.1;Port=$pg_port;Database=mcp;Username=postgres" \
           MCP_ADMIN_KEY="$(cat "$dir/admin.key")" MCP_API_KEY_HASH_SECRET="$(cat "$dir/hash.secret")"
    # The data-source query cache's shared second level.
    if [ -f "$dir/redis.pid" ]; then export MCP_DataSources__Cache__Redis="127.0.0.1:$redis_port"; fi
    for i in $(seq 0 $((silos - 1))); do
      if ! { [ -f "$dir/silo-$i.pid" ] && kill -0 "$(cat "$dir/silo-$i.pid")" 2>/dev/null; }; then
        require_free_ports $((silo_port + i)) $((client_port + i)) $((metrics_port + i))
        spawned="$spawned,$((silo_port + i))"
      fi
      spawn "silo-$i" env MCP_Cluster__SiloPort="$silo_port" MCP_Cluster__GatewayPort="$client_port" MCP_Cluster__MetricsPort="$metrics_port" \
        dotnet "$repo/silo/bin/Release/net10.0/Mcp.Cluster.Silo.dll" --instance "$i"
      echo "silo $i    pid $(cat "$dir/silo-$i.pid"), ports $((silo_port + i))/$((client_port + i))"
    done
    # Up means every silo is Active in the membership table, not just one that a gateway can reach: the newest row of
    # each silo port, which for a silo started just now must be its own (a silo killed with the whole cluster in an
    # earlier run stays Active in the table).
    psql_mcp() { "$pg_bin/psql" -X -q -t -A -h 127.0.0.1 -p "$pg_port" -U postgres -d mcp -c "$1"; }
    for _ in $(seq 1 180); do
      active=$(psql_mcp "SELECT count(*) FROM (SELECT DISTINCT ON (port) port, status, start_time FROM mcp_cluster_member
        WHERE port BETWEEN $silo_port AND $((silo_port + silos - 1)) ORDER BY port, generation DESC) newest
        WHERE status = 3 AND (port NOT IN ($spawned) OR start_time >= to_timestamp($started_at))")
      [ "$active" -ge "$silos" ] && break
      for i in $(seq 0 $((silos - 1))); do
        kill -0 "$(cat "$dir/silo-$i.pid")" 2>/dev/null || { echo "silo $i exited; see $dir/silo-$i.log" >&2; exit 1; }
      done
      sleep 0.5
    done
    [ "$active" -ge "$silos" ] || { echo "only $active of $silos silos became active; see $dir/silo-*.log" >&2; exit 1; }
    for j in $(seq 1 "$gateways"); do
      [ -f "$dir/gateway-$j.pid" ] && kill -0 "$(cat "$dir/gateway-$j.pid")" 2>/dev/null || require_free_ports $((http_port + j))
      spawn "gateway-$j" env ASPNETCORE_URLS="http://localhost:$((http_port + j))" \
        dotnet "$repo/gateway/bin/Release/net10.0/Mcp.Cluster.Gateway.dll" --instance "$j"
    done
    for j in $(seq 1 "$gateways"); do
      for _ in $(seq 1 120); do
        curl -sf "http://localhost:$((http_port + j))/health/ready" >/dev/null && break
        kill -0 "$(cat "$dir/gateway-$j.pid")" 2>/dev/null || { echo "gateway $j exited; see $dir/gateway-$j.log" >&2; exit 1; }
        sleep 0.5
      done
      curl -sf "http://localhost:$((http_port + j))/health/ready" >/dev/null || { echo "gateway $j is not ready; see $dir/gateway-$j.log" >&2; exit 1; }
      echo "gateway $j http://localhost:$((http_port + j)) (pid $(cat "$dir/gateway-$j.pid"))"
    done
    echo "admin key in $dir/admin.key"
    ;;
  status)
    for pidfile in "$dir"/*.pid; do
      [ -e "$pidfile" ] || continue
      name="$(basename "$pidfile" .pid)"
      if kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "$name running (pid $(cat "$pidfile"))"; else echo "$name stopped"; fi
    done
    "$pg_bin/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d mcp -c \
      "SELECT address, port, proxy_port, status, silo_name, i_am_alive_time FROM mcp_cluster_member ORDER BY port, generation" 2>/dev/null || echo "postgres not running"
    ;;
  stop)
    pids=()
    for pidfile in "$dir"/gateway-*.pid "$dir"/silo-*.pid; do
      [ -e "$pidfile" ] || continue
      pid="$(cat "$pidfile")"
      kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
      rm -f "$pidfile"
    done
    for _ in $(seq 1 40); do
      alive=0; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ "$alive" = 0 ] && break; sleep 0.5
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    [ -f "$dir/redis.pid" ] && { kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; rm -f "$dir/redis.pid"; }
    [ -f "$dir/postgres/data/PG_VERSION" ] && as_postgres "$pg_bin/pg_ctl" -D "$dir/postgres/data" -m fast -w stop >/dev/null 2>&1 || true
    echo "stopped"
    ;;
  *)
    echo "usage: $0 start|status|stop [--silos N] [--gateways M] [--dir DIR] [--pg-port P] [--silo-port P] [--client-port P] [--http-port P] [--redis-port P] [--metrics-port P]  (--help for more)" >&2; exit 2 ;;
esac
