#!/bin/sh
# Points the workspace's hooks at $TETHER_URL, then runs Claude Code headless (with ANTHROPIC_API_KEY) or replays the
# recorded transcript (without). Exit code: the CLI's or the replay's.
set -eu
settings=/app/workspace/.claude/settings.json
sed -i "s#http://localhost:9000/api/hooks/claude-code#${TETHER_URL%/}/api/hooks/claude-code#g" "$settings"
if [ -n "${ANTHROPIC_API_KEY:-}" ]; then
  cd /app/workspace
  # Claude Code chooses its own session id (a UUID); the hooks report it as such.
  exec claude -p "${CLAUDE_PROMPT:-Summarize README.md}" --permission-mode acceptEdits --output-format json
fi
exec python3 /app/replay.py --url "$TETHER_URL" --workspace /app/workspace \
  --session-id "${TETHER_SESSION_ID:-claude-$(date +%s)}" --transcript "$CLAUDE_TRANSCRIPT"
