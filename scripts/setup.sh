#!/usr/bin/env bash
# Fresh machine to working demo: installs dependencies, builds, then wraps a real MCP server
# (server-everything) with mcpsandbox and shows what an MCP client sees.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/install-deps.sh"
bash "$here/scripts/build.sh"
bash "$here/scripts/demo.sh"
