#!/usr/bin/env bash
# The Debian package, for real: cpack builds it from the build tree; its contents are checked;
# then it is installed with apt into a fresh Debian 12 root (debootstrap, minbase) and run
# there: --version, a built-in profile found among the installed files, a sandboxed server,
# wrap --dry-run, and the man page and completions in place.
# Exit 77 (ctest: skipped, with the reason) where the tools or Debian's mirror are missing.
set -euo pipefail
build="$1"
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
for tool in cpack dpkg-deb debootstrap chroot; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/install-deps.sh)"
done
[[ $(id -u) -eq 0 ]] || skip "installing into a fresh root needs root"

work="$(mktemp -d /tmp/mcpsandbox-deb-XXXXXX)"
root="$work/root"
cleanup() {
  mountpoint -q "$root/proc" && umount "$root/proc"
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building the package"
(cd "$build" && cpack -G DEB -B "$work/out" >/dev/null)
deb="$(ls "$work"/out/mcpsandbox_*_amd64.deb)"
info="$(dpkg-deb --info "$deb")"
grep -E "Package|Version|Depends" <<<"$info"
contents="$(dpkg-deb --contents "$deb")"
for expected in ./usr/bin/mcpsandbox ./usr/share/mcpsandbox/profiles/filesystem.json \
    ./usr/share/mcpsandbox/profiles/git.json ./usr/share/mcpsandbox/profiles/node.json \
    ./usr/share/man/man1/mcpsandbox.1 ./usr/share/bash-completion/completions/mcpsandbox \
    ./usr/share/zsh/vendor-completions/_mcpsandbox; do
  grep -q " $expected\$" <<<"$contents" || fail "the package lacks $expected"
done
grep -q "Depends:.*libsodium23" <<<"$info" || fail "no library dependencies computed"

echo "== a fresh Debian 12 root"
if ! debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1; then
  tail -5 "$work/debootstrap.log"
  skip "debootstrap could not build a Debian 12 root (is deb.debian.org reachable?)"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
cp "$deb" "$root/tmp/mcpsandbox.deb"

echo "== apt install ./mcpsandbox.deb"
chroot "$root" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/mcpsandbox.deb' \
  >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log"; fail "apt could not install the package on Debian 12"; }

echo "== running it there"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }
# (Outputs are captured first: `grep -q` ending a pipe early would fail it under pipefail.)
version="$(in_root mcpsandbox --version)"
[[ $version == "mcpsandbox "* ]] || fail "--version: $version"
in_root mcpsandbox profile check git --rw /tmp >/dev/null || fail "profile check git"
# A name is looked up among the installed files: break one, and the lookup must say so.
cp "$root/usr/share/mcpsandbox/profiles/node.json" "$work/node.json"
echo '{"no_such_key": 1}' >"$root/usr/share/mcpsandbox/profiles/node.json"
if check="$(in_root mcpsandbox profile check node 2>&1)"; then fail "a broken installed profile was not read: $check"; fi
grep -q "/usr/share/mcpsandbox/profiles/node.json" <<<"$check" || fail "the installed profiles are not where --profile looks: $check"
cp "$work/node.json" "$root/usr/share/mcpsandbox/profiles/node.json"
answer="$(echo '{"jsonrpc":"2.0","id":1,"method":"ping"}' |
  in_root mcpsandbox run -- /bin/sh -c 'read line; echo "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"; sleep 1' 2>"$work/run.log")" \
  || { cat "$work/run.log"; fail "mcpsandbox run"; }
[[ $answer == '{"jsonrpc":"2.0","id":1,"result":{}}' ]] || { cat "$work/run.log"; fail "the sandboxed server's answer: $answer"; }
grep "sandbox:" "$work/run.log"
mkdir -p "$root/root/.cursor"
echo '{"mcpServers":{"fs":{"command":"npx","args":["-y","@modelcontextprotocol/server-filesystem","/srv"]}}}' >"$root/root/.cursor/mcp.json"
wrapped="$(in_root mcpsandbox wrap --dry-run --project /tmp)"
grep -q "mcpsandbox run --profile filesystem --rw /srv" <<<"$wrapped" || fail "wrap --dry-run: $wrapped"
in_root test -s /usr/share/man/man1/mcpsandbox.1.gz -o -s /usr/share/man/man1/mcpsandbox.1 || fail "man page"
echo "PASS: the package installs and runs on a fresh Debian 12"
