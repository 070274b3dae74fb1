#!/usr/bin/env bash
# Installs every Debian package mcpsandbox builds and tests with, and the pinned npm test peers.
# Idempotent and non-interactive: a second run only checks and returns quickly.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(
  build-essential cmake pkg-config git
  clang llvm libbpf-dev bpftool
  libseccomp-dev libcap-dev
  nlohmann-json3-dev libcli11-dev libboost-dev libsimdjson-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsodium-dev libre2-dev libvectorscan-dev libcurl4-openssl-dev
  nodejs npm
  bubblewrap
  qemu-system-x86 linux-image-amd64 busybox-static cpio
  debootstrap dpkg-dev
)

missing=()
for p in "${packages[@]}"; do
  # node/npm may come from elsewhere on the machine; do not fight an existing install.
  if [[ $p == nodejs || $p == npm ]] && command -v "${p/nodejs/node}" >/dev/null 2>&1; then
    continue
  fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq </dev/null
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi

# The pinned npm peers (SDK client and reference servers) used by the integration tests.
peers="$here/tests/peers"
if [[ -f $peers/package-lock.json ]]; then
  if [[ ! -d $peers/node_modules/@modelcontextprotocol/sdk ||
        $peers/package-lock.json -nt $peers/node_modules/.package-lock.json ]]; then
    echo "install-deps: installing npm test peers" >&2
    (cd "$peers" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
  fi
fi
# The npx test runs `npx -y @modelcontextprotocol/server-filesystem@VERSION` offline in the
# sandbox (as users do once a package is cached): put that version and its dependencies into
# the npm cache the way npx itself does.
if [[ -f $peers/package.json ]]; then
  version=$(node -p "require('$peers/package.json').dependencies['@modelcontextprotocol/server-filesystem']")
  (cd /tmp && npm exec --yes --loglevel=error \
    --package="@modelcontextprotocol/server-filesystem@$version" -- node -e 0 </dev/null)
fi
echo "install-deps: ok" >&2
