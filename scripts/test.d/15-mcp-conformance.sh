#!/usr/bin/env bash
# The official MCP conformance suite (@modelcontextprotocol/conformance, pinned in scripts/mcp-conformance/ with the
# Node 22 it needs, both from npm, outside the root workspace) against a real `tether serve` started here on free
# ports in a temporary data directory, key-less and on loopback: the server scenarios that apply to Tether, at /mcp on
# the main port and on the --mcp-port. A scenario passes when it reports at least one check and no FAILURE. The
# scenarios are listed below, once: RUN, and EXCLUDED with the reason for each (docs/mcp.md, "Conformance"). The step
# fails too when the suite lists a server scenario that is in neither list (a new one after a version bump).
# Artifacts (checks.json per scenario): artifacts/mcp-conformance/.
set -euo pipefail
cd "${TETHER_ROOT:-$(dirname "$0")/../..}"
ROOT="$PWD"
DIR="$ROOT/scripts/mcp-conformance"

RUN=(
  server-initialize        # initialize handshake through the SDK client (protocol negotiation, serverInfo, capabilities)
  ping                     # ping answers {}
  tools-list               # every tool has a name, a description and an inputSchema
  resources-list           # every listed resource has a uri and a name (a session is seeded first, so the list is not empty)
  dns-rebinding-protection # a foreign Host/Origin gets a 4xx, a loopback one is served
)
declare -A EXCLUDED=(
  [logging-set-level]="Tether declares no logging capability, so logging/setLevel rightly answers -32601"
  [completion-complete]="Tether has no prompts and declares no completions capability; the scenario completes the fixture prompt test_prompt_with_arguments"
  [tools-call-simple-text]="needs the fixture tool test_simple_text; it would pass vacuously (the SDK's unknown-tool answer is an isError text result)"
  [tools-call-image]="needs the fixture tool test_image_content; Tether's tools return JSON text"
  [tools-call-audio]="needs the fixture tool test_audio_content; Tether's tools return JSON text"
  [tools-call-embedded-resource]="needs the fixture tool test_embedded_resource; Tether's tools return JSON text"
  [tools-call-mixed-content]="needs the fixture tool test_multiple_content_types; Tether's tools return JSON text"
  [tools-call-with-logging]="needs the fixture tool test_tool_with_logging and the logging capability, which Tether does not declare"
  [tools-call-error]="needs the fixture tool test_error_handling; it would pass vacuously (the unknown tool itself is an isError result)"
  [tools-call-with-progress]="needs the fixture tool test_tool_with_progress; Tether's tools are single quick steps without progress"
  [tools-call-sampling]="needs the fixture tool test_sampling; Tether never asks the client for sampling"
  [tools-call-elicitation]="needs the fixture tool test_elicitation; Tether never elicits (and the stateless endpoint cannot send server requests)"
  [json-schema-2020-12]="needs the fixture tool json_schema_2020_12_tool (and is pending in the suite)"
  [elicitation-sep1034-defaults]="needs the fixture tool test_elicitation_sep1034_defaults; Tether never elicits"
  [elicitation-sep1330-enums]="needs the fixture tool test_elicitation_sep1330_enums; Tether never elicits"
  [server-sse-polling]="needs an Mcp-Session-Id and the fixture tool test_reconnection; Tether's endpoint is stateless with JSON responses (pending in the suite)"
  [server-sse-multiple-streams]="needs an Mcp-Session-Id; against a stateless endpoint it only warns and checks nothing"
  [resources-read-text]="reads the fixture resource test://static-text"
  [resources-read-binary]="reads the fixture resource test://static-binary"
  [resources-templates-read]="reads the fixture template test://template/{id}/data"
  [resources-subscribe]="Tether declares no resources.subscribe capability (and a stateless endpoint cannot notify)"
  [resources-unsubscribe]="Tether declares no resources.subscribe capability"
  [prompts-list]="Tether offers no prompts and declares no prompts capability, so prompts/list rightly answers -32601"
  [prompts-get-simple]="needs the fixture prompt test_simple_prompt; Tether offers no prompts"
  [prompts-get-with-args]="needs the fixture prompt test_prompt_with_arguments; Tether offers no prompts"
  [prompts-get-embedded-resource]="needs the fixture prompt test_prompt_with_embedded_resource; Tether offers no prompts"
  [prompts-get-with-image]="needs the fixture prompt test_prompt_with_image; Tether offers no prompts"
)

# The suite and Node 22 from scripts/mcp-conformance/package-lock.json, reinstalled when the lock file changes.
(
  flock 9
  stamp="$DIR/node_modules/.tether-lock-sha256"
  want="$(sha256sum "$DIR/package-lock.json" | cut -d' ' -f1)"
  if [ ! -x "$DIR/node_modules/node/bin/node" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    (cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
  fi
) 9>/tmp/tether-mcp-conformance.lock
NODE22="$DIR/node_modules/node/bin/node"
SUITE="$DIR/node_modules/@modelcontextprotocol/conformance/dist/index.js"
case "$("$NODE22" --version 2>/dev/null)" in
  v22.*) ;;
  *) echo "15-mcp-conformance: $NODE22 is not Node 22 (did npm skip the node package's install script?)" >&2; exit 1 ;;
esac
if [ ! -f packages/cli/dist/bin.js ]; then bash scripts/setup.sh; fi

# Every server scenario the pinned suite knows must be in RUN or EXCLUDED.
status=0
known="$("$NODE22" "$SUITE" list --server | sed -n 's/^  - \([^ ]*\).*/\1/p')"
[ -n "$known" ] || { echo "15-mcp-conformance: could not list the suite's server scenarios" >&2; exit 1; }
for s in $known; do
  if [[ ! " ${RUN[*]} " =~ " $s " ]] && [ -z "${EXCLUDED[$s]+x}" ]; then
    echo "15-mcp-conformance: scenario $s is neither run nor excluded; add it to RUN or EXCLUDED" >&2
    status=1
  fi
done

DATA="$(mktemp -d "${TMPDIR:-/tmp}/tether-mcp-conformance-XXXXXX")"
OUT="$ROOT/artifacts/mcp-conformance"
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
PORT="$(free_port)"
MCP_PORT="$(free_port)"
TETHER_API_KEYS= node packages/cli/dist/bin.js serve --host 127.0.0.1 --port "$PORT" --mcp-port "$MCP_PORT" \
  --data-dir "$DATA" --no-dashboard --log-level error &
PID=$!
ready=0
for _ in $(seq 1 200); do
  if curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.1
done
[ "$ready" -eq 1 ] || { echo "15-mcp-conformance: tether serve did not become ready" >&2; exit 1; }
# One session, so that resources-list checks a real tether://sessions/… entry.
curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/ingest" -H 'content-type: application/json' \
  -d '{"events":[{"sessionId":"conformance-seed","kind":"session_created","data":{"type":"conformance","tags":["mcp"]}}]}' >/dev/null

rm -rf "$OUT"
for target in "main:$PORT" "mcp-port:$MCP_PORT"; do
  label="${target%%:*}"
  url="http://127.0.0.1:${target#*:}/mcp"
  for s in "${RUN[@]}"; do
    dir="$OUT/$label/$s"
    mkdir -p "$dir"
    "$NODE22" "$SUITE" server --url "$url" --scenario "$s" -o "$dir" >"$dir/output.txt" 2>&1 || true
    # Pass: at least one check and none FAILURE (the suite's own exit code ignores a scenario with zero checks).
    if verdict="$("$NODE22" -e '
      const fs = require("fs"), path = require("path");
      const root = process.argv[1];
      const files = fs.readdirSync(root, { recursive: true }).filter((f) => path.basename(f) === "checks.json");
      if (files.length !== 1) { console.log(`expected one checks.json, found ${files.length}`); process.exit(1); }
      const checks = JSON.parse(fs.readFileSync(path.join(root, files[0]), "utf8"));
      const bad = checks.filter((c) => c.status === "FAILURE");
      const ok = checks.filter((c) => c.status === "SUCCESS");
      if (bad.length || !ok.length) {
        console.log(bad.length ? bad.map((c) => `${c.id}: ${c.errorMessage}`).join("; ") : "no successful check");
        process.exit(1);
      }
      console.log(`${ok.length} check(s) passed`);
    ' "$dir")"; then
      echo "15-mcp-conformance: ok   $label $s ($verdict)"
    else
      echo "15-mcp-conformance: FAIL $label $s: $verdict (see $dir/output.txt)" >&2
      status=1
    fi
  done
done
echo "15-mcp-conformance: ${#RUN[@]} scenarios run on 2 endpoints, ${#EXCLUDED[@]} excluded (reasons in this file)"
exit "$status"
