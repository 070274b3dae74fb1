#!/usr/bin/env bash
# Plays an MCP client against `mcpsandbox run -- <server-everything>` and prints each message
# the client sends (>>) and receives (<<), including what mcpsandbox refuses on its own: broken
# JSON-RPC, arguments that fail the tool's schema, a traversal attempt, and a secret redacted
# before it reaches the server.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server="$here/tests/peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
[[ -f $server ]] || { echo "demo: run scripts/install-deps.sh first (npm peers missing)" >&2; exit 1; }

requests=(
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"demo","version":"1"}}}'
  '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello through mcpsandbox"}}}'
  '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get-sum","arguments":{"a":2,"b":40}}}'
  '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","arguments":{"message":"a","message":"b"}}}'
  '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"echo","arguments":{"message":42}}}'
  '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"message":"..%2f..%2fetc%2fpasswd"}}}'
  '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{"message":"my key is AKIAIOSFODNN7EXAMPLE"}}}'
  '{this is not JSON'
  '[{"jsonrpc":"2.0","id":5,"method":"tools/list"}]'
)
echo "== mcpsandbox run -- node server-everything (stdio) =="
for r in "${requests[@]}"; do echo ">> $r"; done
{
  for r in "${requests[@]}"; do printf '%s\n' "$r"; sleep 0.2; done
  sleep 1
} | "$here/build/mcpsandbox" --log-level info run --ro "$here/tests/peers" -- node "$server" stdio 2>/tmp/mcpsandbox-demo.log |
  while IFS= read -r line; do
    # Long results (the server's instructions) are shortened for the terminal.
    if ((${#line} > 220)); then line="${line:0:220}..."; fi
    echo "<< $line"
  done
echo "== mcpsandbox's log (stderr) =="
grep '^mcpsandbox' /tmp/mcpsandbox-demo.log || true
