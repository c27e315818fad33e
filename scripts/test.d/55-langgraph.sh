#!/usr/bin/env bash
# LangGraph.js conformance: @langchain/langgraph-checkpoint-validation's suite against TetherSaver (packages/langgraph)
# on real Tether servers, under vitest with --globals (the package's CLI is broken in 1.1.1, so the test file calls
# validate()). The Python saver's conformance suite (langgraph-checkpoint-conformance) runs in step 30's pytest
# (python/tests/test_langgraph_saver.py). Runs on its own too: builds what it needs.
set -euo pipefail
cd "${TETHER_ROOT:-$(dirname "$0")/../..}"
if [ ! -f packages/cli/dist/bin.js ] || [ ! -f packages/langgraph/dist/index.js ]; then npm run build; fi
mkdir -p artifacts
node_modules/.bin/vitest run --globals --root packages/langgraph --reporter=default --reporter=junit --outputFile.junit="$PWD/artifacts/langgraph-js-junit.xml"
