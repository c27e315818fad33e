#!/usr/bin/env bash
# Starts, restarts and stops the reference runtime in the background, for `tether canary a2a --restart-cmd/--logs-cmd`:
#   runtime.sh start STATE_DIR [a2a_agent args…]   # remembers the args in STATE_DIR/args, pid in STATE_DIR/pid
#   runtime.sh restart STATE_DIR                    # stops it (SIGTERM, then SIGKILL after 10 s) and starts it again
#   runtime.sh stop STATE_DIR
#   runtime.sh logs STATE_DIR                       # prints STATE_DIR/log (stdout and stderr of every start)
# PYTHON selects the interpreter (default: python3). Does not wait for readiness: the canary polls the agent card.
set -euo pipefail
cmd="$1"; state="$2"; shift 2
here="$(cd "$(dirname "$0")/.." && pwd)"
py="${PYTHON:-python3}"
mkdir -p "$state"

start() {
  cd "$here"
  PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" nohup "$py" -m a2a_agent "$@" >>"$state/log" 2>&1 </dev/null &
  echo $! >"$state/pid"
}
stop() {
  [ -f "$state/pid" ] || return 0
  pid="$(cat "$state/pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$state/pid"
}

case "$cmd" in
  start) printf '%s\0' "$@" >"$state/args"; start "$@" ;;
  restart)
    stop
    args=()
    while IFS= read -r -d '' a; do args+=("$a"); done <"$state/args"
    echo "--- restart $(date -u +%FT%TZ)" >>"$state/log"
    start "${args[@]}" ;;
  stop) stop ;;
  logs) cat "$state/log" 2>/dev/null || true ;;
  *) echo "usage: runtime.sh start|restart|stop|logs STATE_DIR [args…]" >&2; exit 2 ;;
esac
