#!/bin/sh
# /init of the test VM: mount what mcpsandbox needs, run the BPF LSM tests, print one
# VMTEST line per check, power off.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
mount -t securityfs securityfs /sys/kernel/security
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
echo "+memory +pids" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
# Debian allows ptrace of non-descendants by default; make sure, so that only L5 can refuse.
echo 0 > /proc/sys/kernel/yama/ptrace_scope 2>/dev/null
export PATH=/bin
ip link set lo up

check() {  # check NAME CONDITION-RESULT DETAIL
  if [ "$2" = yes ]; then echo "VMTEST PASS $1"; else echo "VMTEST FAIL $1: $3"; fi
}
contains() { case "$1" in *"$2"*) echo yes ;; *) echo no ;; esac; }

echo "VMTEST lsm: $(cat /sys/kernel/security/lsm)"
doctor=$(mcpsandbox doctor 2>&1)
check "doctor reports BPF LSM" "$(contains "$doctor" "L5 BPF LSM       yes")" "$doctor"

# L5 alone: namespaces, Landlock and seccomp switched off.
only_l5="--testing-disable-layer namespaces --testing-disable-layer landlock --testing-disable-layer seccomp"
# The victim holds no capabilities (it runs under mcpsandbox's hygiene layer, outside L5), so
# nothing but L5 can refuse a same-uid signal or ptrace against it.
# (Its stdin stays open, or mcpsandbox would shut it down at EOF.)
sleep 2000 | mcpsandbox --log-level error run $only_l5 --testing-disable-layer bpf-lsm -- \
  /bin/sleep 999 >/dev/null 2>&1 &
sleep 1
victim=
for pid in $(pidof sleep); do
  case "$(cat /proc/$pid/cmdline | tr '\0' ' ')" in *999*) victim=$pid ;; esac
done
echo "VMTEST victim pid $victim"

out=$(mcpsandbox run $only_l5 -- /bin/escape_probe kill $victim </dev/null 2>/tmp/log)
check "L5 alone refuses a signal out of the sandbox" \
  "$(contains "$out" '"ok":false,"errno":"EPERM"')" "$out $(cat /tmp/log)"
launch=$(cat /tmp/log)
check "the launch line names L5" \
  "$(case "$launch" in *"L5 BPF LSM OFF"*) echo no ;; *"L5 BPF LSM"*) echo yes ;; *) echo no ;; esac)" \
  "$launch"

out=$(mcpsandbox run $only_l5 -- /bin/escape_probe ptrace $victim </dev/null 2>/tmp/log)
check "L5 alone refuses ptrace out of the sandbox" \
  "$(contains "$out" '"ok":false,"errno":"EPERM"')" "$out $(cat /tmp/log)"

out=$(mcpsandbox run $only_l5 -- /bin/escape_probe hostname </dev/null 2>/tmp/log)
check "programs are pinned for reuse by later launches" \
  "$(ls /sys/fs/bpf/mcpsandbox/lsm-*/sandboxes >/dev/null 2>&1 && echo yes || echo no)" \
  "$(ls -R /sys/fs/bpf/mcpsandbox)"

# Files by inode subtree, L5 alone.
echo "root:secret-hash:19000:0:99999:7:::" > /etc/shadow
mkdir -p /root/outside && cp /bin/escape_probe /root/outside/probe && echo secret > /root/outside/file
out=$(mcpsandbox run $only_l5 --audit-log /root/audit.jsonl -- /bin/escape_probe read /etc/shadow </dev/null 2>/tmp/log)
check "L5 alone refuses a file outside the grants" \
  "$(contains "$out" '"ok":false,"errno":"EACCES"')" "$out $(cat /tmp/log)"
check "the denial is in mcpsandbox's log" \
  "$(contains "$(cat /tmp/log)" "L5 BPF LSM denied open shadow")" "$(cat /tmp/log)"
check "the denial is a violation record in the audit log" \
  "$(contains "$(cat /root/audit.jsonl)" '"event":"violation","action":"open"')" "$(cat /root/audit.jsonl)"
out=$(mcpsandbox run $only_l5 -- /bin/escape_probe read /etc/passwd </dev/null 2>/tmp/log)
check "L5 allows a granted file" "$(contains "$out" '"ok":true')" "$out $(cat /tmp/log)"
out=$(mcpsandbox run $only_l5 -- /bin/escape_probe write /bin/owned </dev/null 2>/tmp/log)
check "L5 alone refuses writing in a read-only grant" \
  "$(contains "$out" '"ok":false,"errno":"EACCES"')" "$out $(cat /tmp/log)"
mkdir -p /root/granted
out=$(mcpsandbox run $only_l5 --rw /root/granted -- /bin/escape_probe write /root/granted/new </dev/null 2>/tmp/log)
check "L5 allows writing in a read-write grant" "$(contains "$out" '"ok":true')" "$out $(cat /tmp/log)"
out=$(mcpsandbox run $only_l5 -- /bin/escape_probe symlink-escape /root/outside/link /etc/passwd </dev/null 2>/tmp/log)
check "L5 alone refuses creating entries in an ungranted directory" \
  "$(contains "$out" '"errno":"EACCES","detail":"symlink"')" "$out $(cat /tmp/log)"
out=$(mcpsandbox run $only_l5 --ro /root/granted -- /bin/escape_probe hardlink-escape /root/granted/hl /etc/passwd </dev/null 2>/tmp/log)
check "L5 alone refuses a hard link into a read-only grant" \
  "$(contains "$out" '"errno":"EACCES","detail":"link"')" "$out $(cat /tmp/log)"
out=$(mcpsandbox run $only_l5 --rw /root/granted -- /bin/escape_probe exec /root/outside/probe hostname </dev/null 2>/tmp/log)
check "L5 alone refuses executing outside the grants" \
  "$(contains "$out" '"attack":"exec","ok":false,"errno":"EACCES"')" "$out $(cat /tmp/log)"
out=$(mcpsandbox run $only_l5 -- /bin/escape_probe read /root/outside/file </dev/null 2>/tmp/log)
check "L5 alone refuses a host file in an ungranted directory" \
  "$(contains "$out" '"errno":"EACCES"')" "$out $(cat /tmp/log)"
out=$(mcpsandbox run $only_l5 --testing-disable-layer bpf-lsm -- /bin/escape_probe read /etc/shadow </dev/null 2>/tmp/log)
check "control: without L5 the file is readable" "$(contains "$out" '"ok":true')" "$out $(cat /tmp/log)"
# With Landlock and seccomp on as well, a granted server still works. (Namespaces stay off:
# an initramfs root cannot be pivoted away from, so the mount layer cannot run in this VM.)
out=$(mcpsandbox run --testing-disable-layer namespaces --rw /root/granted -- \
  /bin/escape_probe write /root/granted/layered </dev/null 2>/tmp/log)
check "L2, L3 and L5 together: the granted path works" "$(contains "$out" '"ok":true')" \
  "$out $(cat /tmp/log)"
out=$(mcpsandbox run --testing-disable-layer namespaces -- /bin/escape_probe read /etc/shadow \
  </dev/null 2>/tmp/log)
check "L2, L3 and L5 together refuse the file" "$(contains "$out" '"ok":false')" "$out $(cat /tmp/log)"

# Set-id bits (issue #17, item 1), L5 alone (seccomp, which refuses them too, is off): every
# form that creates or changes a file's mode in a read-write grant.
for form in chmod fchmod fchmodat open openat creat mknodat; do
  rm -f /root/granted/planted
  out=$(mcpsandbox run $only_l5 --rw /root/granted -- /bin/escape_probe set-id $form /root/granted/planted </dev/null 2>/tmp/log)
  check "L5 alone refuses a set-id bit by $form" "$(contains "$out" '"ok":false,"errno":"EPERM"')" "$out $(cat /tmp/log)"
done
check "the set-id refusal is in mcpsandbox's log" \
  "$(contains "$(cat /tmp/log)" "L5 BPF LSM denied set-id bit or file capability")" "$(cat /tmp/log)"
rm -f /root/granted/planted
out=$(mcpsandbox run $only_l5 --testing-disable-layer bpf-lsm --rw /root/granted -- \
  /bin/escape_probe set-id chmod /root/granted/planted </dev/null 2>/tmp/log)
check "control: without L5 the set-id bit is set" "$(contains "$out" '"ok":true')" "$out $(cat /tmp/log)"
rm -f /root/granted/planted

# Writable+executable memory: refused only for profiles that ask (JITs such as node's need it).
echo '{"hardening": {"deny_write_execute": true}}' > /tmp/wx.json
out=$(mcpsandbox run $only_l5 --profile /tmp/wx.json -- /bin/escape_probe wx-memory </dev/null 2>/tmp/log)
check "L5 refuses writable+executable memory when the profile asks" \
  "$(contains "$out" '"ok":false,"errno":"EACCES"')" "$out $(cat /tmp/log)"
out=$(mcpsandbox run $only_l5 -- /bin/escape_probe wx-memory </dev/null 2>/tmp/log)
check "L5 leaves writable+executable memory to JITs by default" "$(contains "$out" '"ok":true')" \
  "$out $(cat /tmp/log)"

# Host network, L5 alone (cgroup-bpf off too): connect() reaches only the allowed destination.
# Nothing listens, so a connect L5 lets through is refused by the kernel (ECONNREFUSED).
net_l5="$only_l5 --testing-disable-layer cgroup-bpf --network host --allow-net 127.0.0.1:7000"
out=$(mcpsandbox run $net_l5 -- /bin/escape_probe tcp-connect 7000 </dev/null 2>/tmp/log)
check "L5 lets an allowed destination through" "$(contains "$out" '"errno":"ECONNREFUSED"')" \
  "$out $(cat /tmp/log)"
out=$(mcpsandbox run $net_l5 -- /bin/escape_probe tcp-connect 7001 </dev/null 2>/tmp/log)
check "L5 alone refuses another port" "$(contains "$out" '"errno":"EPERM"')" "$out $(cat /tmp/log)"
out=$(mcpsandbox run $net_l5 -- /bin/escape_probe tcp-connect 7000 127.0.0.2 </dev/null 2>/tmp/log)
check "L5 alone refuses another address" "$(contains "$out" '"errno":"EPERM"')" "$out $(cat /tmp/log)"
echo '{"network": {"tcp_bind": [7002]}}' > /tmp/bind.json
out=$(mcpsandbox run $net_l5 --profile /tmp/bind.json -- /bin/escape_probe tcp-bind 7002 </dev/null 2>/tmp/log)
check "L5 lets the server bind a granted port" "$(contains "$out" '"ok":true')" "$out $(cat /tmp/log)"
out=$(mcpsandbox run $net_l5 --profile /tmp/bind.json -- /bin/escape_probe tcp-bind 7003 </dev/null 2>/tmp/log)
check "L5 alone refuses binding another port" "$(contains "$out" '"errno":"EPERM"')" "$out $(cat /tmp/log)"
out=$(mcpsandbox run $net_l5 --testing-disable-layer bpf-lsm -- /bin/escape_probe tcp-connect 7001 </dev/null 2>/tmp/log)
check "control: without L5 the connect reaches the kernel" "$(contains "$out" '"errno":"ECONNREFUSED"')" \
  "$out $(cat /tmp/log)"

# Call-scoped connect grants reach L5 too (issue #17, item 10): with cgroup-bpf off, only the
# LSM's connect hook stands between the server and the network. Nothing listens, so a connect
# L5 lets through meets ECONNREFUSED; a refused one EPERM.
echo '{"network": {"mode": "host", "allow": [], "internal_grants": "allow"},
  "tools": {"fetch": {"grants": {"url": "connect"}}}}' > /tmp/connect.json
out=$({ echo '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{}}}'
        sleep 1
        echo '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"fetch","arguments":{"url":"http://127.0.0.1:7100/"}}}'
        sleep 1
        echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"connect_to","arguments":{"target":"127.0.0.1:7100"}}}'
        sleep 1
      } | mcpsandbox run $only_l5 --testing-disable-layer cgroup-bpf --profile /tmp/connect.json -- /bin/grant_server 2>/tmp/log)
check "L5 lets a call reach the destination its argument named" \
  "$(contains "$(echo "$out" | grep '"id":1,')" 'named\":\"ECONNREFUSED')" "$out $(cat /tmp/log)"
check "L5 alone refuses another port mid-call" \
  "$(contains "$(echo "$out" | grep '"id":1,')" 'exfil\":\"EPERM')" "$out"
check "L5 alone refuses the destination once the call has ended" \
  "$(contains "$(echo "$out" | grep '"id":2,')" 'named\":\"EPERM')" "$out"

# Call-scoped file and exec grants (issue #9), L5 alone, against a malicious server whose tools
# do more than their arguments named. The protocol layer checks nothing about these paths.
mkdir -p /root/project /root/tools
echo data > /root/project/a.txt && echo secret > /root/project/secret
cp /bin/escape_probe /root/tools/helper
grants='"tools": { "read_file": { "grants": { "path": "read" } },
  "write_file": { "grants": { "path": "write" } }, "replace_file": { "grants": { "path": "write" } },
  "run": { "exec": ["/root/tools/helper"] } }'
echo "{ \"filesystem\": { \"rw\": [\"/root/project\"], \"ro\": [\"/root/tools\"],
  \"call_scoped\": [\"/root/project\"], \"exec\": [] }, $grants }" > /tmp/scoped.json
echo "{ \"filesystem\": { \"rw\": [\"/root/project\"], \"ro\": [\"/root/tools\"] }, $grants }" > /tmp/unscoped.json
call() {  # call ID TOOL ARGUMENTS, then a pause: one call in flight at a time
  echo "{\"jsonrpc\":\"2.0\",\"id\":$1,\"method\":\"tools/call\",\"params\":{\"name\":\"$2\",\"arguments\":$3}}"
  sleep 1
}
grant_session() {  # grant_session PROFILE: the calls below, every answer on stdout
  { echo '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{}}}'
    sleep 1
    call 1 read_file '{"path":"/root/project/a.txt"}'
    call 2 write_file '{"path":"/root/project/new.txt"}'
    call 3 read_later '{"path":"/root/project/a.txt"}'
    sleep 1
    call 4 report '{}'
    call 5 run '{"program":"/root/tools/helper"}'
    call 6 read_file '{"path":"/root/project/a.txt"}'
    call 7 replace_file '{"path":"/root/project/a.txt"}'
    call 8 read_file '{"path":"/root/project/a.txt"}'
  } | mcpsandbox run $only_l5 --profile "$1" --audit-log /root/grants.jsonl -- /bin/grant_server 2>/tmp/log
}
answer() { echo "$1" | grep "\"id\":$2," | head -n 1; }
out=$(grant_session /tmp/scoped.json)
check "a read grant opens the named file" "$(contains "$(answer "$out" 1)" 'named\":\"ok')" "$out $(cat /tmp/log)"
check "L5 alone refuses the sibling file mid-call" "$(contains "$(answer "$out" 1)" 'sibling\":\"EACCES')" "$out"
check "a write grant lets the call create the named file" "$(contains "$(answer "$out" 2)" 'named\":\"ok')" "$out"
check "L5 alone refuses planting a file beside it" "$(contains "$(answer "$out" 2)" 'sibling\":\"EACCES')" "$out"
check "L5 alone refuses a read out of band, after the call" "$(contains "$(answer "$out" 4)" 'later\":\"EACCES')" "$out"
check "an exec grant runs the tool's program" "$(contains "$(answer "$out" 5)" 'named\":\"ok')" "$out"
check "L5 alone refuses a shell mid-call" "$(contains "$(answer "$out" 5)" 'shell\":\"EACCES')" "$out"
check "a later call is granted afresh" "$(contains "$(answer "$out" 6)" 'named\":\"ok')" "$out"
check "a write grant lets the call replace the file atomically (temporary file, rename)" \
  "$(contains "$(answer "$out" 7)" 'named\":\"ok')" "$out"
check "L5 alone still refuses planting beside it" "$(contains "$(answer "$out" 7)" 'sibling\":\"EACCES')" "$out"
check "the replaced file is readable by the next call's grant" "$(contains "$(answer "$out" 8)" 'named\":\"ok')" "$out"
check "the refusals are violation records" \
  "$(contains "$(cat /root/grants.jsonl)" '"event":"violation","action":"open"')" "$(cat /root/grants.jsonl)"
check "the created file holds what the call wrote" "$(contains "$(cat /root/project/new.txt)" written)" \
  "$(ls -l /root/project)"
check "nothing was planted" "$([ -e /root/project/planted ] && echo no || echo yes)" "$(ls -l /root/project)"
out=$(grant_session /tmp/unscoped.json)
check "control: without call_scoped the sibling is readable" "$(contains "$(answer "$out" 1)" 'sibling\":\"ok')" "$out $(cat /tmp/log)"
check "control: without filesystem.exec the shell runs" "$(contains "$(answer "$out" 5)" 'shell\":\"ok')" "$out"
check "control: without call_scoped the late read succeeds" "$(contains "$(answer "$out" 4)" 'later\":\"ok')" "$out"

# Speed of call-scoped file grants (a figure, not a check): 300 read_file calls in one session,
# the path granted (LSM entries added and removed per call) against the same without call_scoped.
i=1
{ echo '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{}}}'
  while [ $i -le 300 ]; do
    echo "{\"jsonrpc\":\"2.0\",\"id\":$i,\"method\":\"tools/call\",\"params\":{\"name\":\"read_file\",\"arguments\":{\"path\":\"/root/project/a.txt\"}}}"
    i=$((i + 1))
  done
} > /tmp/calls.jsonl
echo '{"filesystem": {"rw": ["/root/project"], "call_scoped": ["/root/project"]}, "tools": {"read_file": {"grants": {"path": "read"}}}}' > /tmp/bench-scoped.json
echo '{"filesystem": {"rw": ["/root/project"]}, "tools": {"read_file": {"grants": {"path": "read"}}}}' > /tmp/bench-plain.json
session_us() { /bin/escape_probe time-exec /bin/sh -c "mcpsandbox --log-level error run $only_l5 --profile $1 -- /bin/grant_server </tmp/calls.jsonl >/dev/null"; }
scoped_us=$(session_us /tmp/bench-scoped.json)
plain_us=$(session_us /tmp/bench-plain.json)
echo "VMTEST BENCH 300 granted calls: ${scoped_us} us with call-scoped LSM grants, ${plain_us} us without ($(( (scoped_us - plain_us) / 300 )) us per call added, under TCG emulation)"

# Control: with L5 off too, the same attacks succeed, so the checks above can fail.
out=$(mcpsandbox run $only_l5 --testing-disable-layer bpf-lsm -- /bin/escape_probe ptrace $victim </dev/null 2>/tmp/log)
check "control: without L5 ptrace succeeds" "$(contains "$out" '"ok":true')" "$out $(cat /tmp/log)"
out=$(mcpsandbox run $only_l5 --testing-disable-layer bpf-lsm -- /bin/escape_probe kill $victim </dev/null 2>/tmp/log)
check "control: without L5 the signal goes through" "$(contains "$out" '"ok":true')" "$out $(cat /tmp/log)"

# A process outside any sandbox is not affected by the shared programs.
sleep 1000 &
other=$!
if kill $other 2>/dev/null; then untouched=yes; else untouched=no; fi
check "tasks outside sandboxes are untouched" "$untouched" "kill failed"

# Loading is serialised and a partial pin repaired (issue #17, item 11). Two launches at once
# with nothing pinned: both load L5 (one loads, the other waits and reuses).
rm -rf /sys/fs/bpf/mcpsandbox/* /run/mcpsandbox/* 2>/dev/null
mcpsandbox run $only_l5 -- /bin/escape_probe kill $victim </dev/null >/tmp/first.out 2>/tmp/first.log &
first=$!
mcpsandbox run $only_l5 -- /bin/escape_probe kill $victim </dev/null >/tmp/second.out 2>/tmp/second.log &
second=$!
wait $first $second
check "two launches at once both get L5" \
  "$(contains "$(cat /tmp/first.out /tmp/second.out | grep -c '"errno":"EPERM"')" 2)" \
  "$(cat /tmp/first.out /tmp/first.log /tmp/second.out /tmp/second.log)"
# A launch killed mid-way leaves every pin but the sandbox map's (pinned last).
rm /sys/fs/bpf/mcpsandbox/lsm-*/sandboxes
out=$(mcpsandbox run $only_l5 -- /bin/escape_probe kill $victim </dev/null 2>/tmp/log)
check "a partial pin is repaired: L5 refuses the signal" \
  "$(contains "$out" '"ok":false,"errno":"EPERM"')" "$out $(cat /tmp/log)"
check "a partial pin is not remembered as this boot's verdict" \
  "$([ -e /run/mcpsandbox/bpf-lsm-unavailable ] && echo no || echo yes)" "$(cat /run/mcpsandbox/bpf-lsm-unavailable 2>&1)"

# A launcher killed by SIGKILL cannot remove its sandbox's entries: the next launch sweeps them.
sleep 100 | mcpsandbox run $only_l5 -- /bin/sleep 300 >/dev/null 2>&1 &
launcher=$!
sleep 2
kill -9 $launcher
sleep 1
owners=$(ls /run/mcpsandbox/sandboxes 2>/dev/null | wc -l)
check "a killed launcher leaves its sandbox registered" "$([ "$owners" -ge 1 ] && echo yes || echo no)" \
  "$(ls -l /run/mcpsandbox/sandboxes 2>&1)"
mcpsandbox run $only_l5 -- /bin/escape_probe hostname </dev/null >/dev/null 2>/tmp/log
owners=$(ls /run/mcpsandbox/sandboxes 2>/dev/null | wc -l)
check "the next launch sweeps what the killed one left" "$([ "$owners" -eq 0 ] && echo yes || echo no)" \
  "$(ls -l /run/mcpsandbox/sandboxes 2>&1) $(cat /tmp/log)"

# An ordinary user with a delegated cgroup v2, as systemd's `Delegate=yes` gives one (issue
# #17, item 4): the sandbox gets a memory- and pids-limited cgroup of its own beneath it, though
# the user's cgroup holds the launcher itself (which moves into a leaf of its own first).
mkdir -p /sys/fs/cgroup/delegated /tmp/user
for file in "" /cgroup.procs /cgroup.subtree_control /cgroup.threads; do
  chown 1000:1000 /sys/fs/cgroup/delegated$file
done
chown 1000:1000 /tmp/user
out=$(sh -c 'echo $$ > /sys/fs/cgroup/delegated/cgroup.procs && HOME=/tmp/user exec /bin/escape_probe as-user 1000 \
  /bin/mcpsandbox --log-level info run --testing-disable-layer namespaces -- /bin/escape_probe cgroup' </dev/null 2>/tmp/log)
check "an ordinary user in a delegated cgroup v2 gets cgroup limits" \
  "$(contains "$(cat /tmp/log)" 'cgroup limits (v2 memory')" "$out $(cat /tmp/log)"
check "its server runs in a cgroup of its own beneath the delegated one" \
  "$(contains "$out" '"detail":"0::/delegated/mcpsandbox-')" "$out $(cat /tmp/log)"
check "the sandbox's cgroup is gone after the session" \
  "$(ls -d /sys/fs/cgroup/delegated/mcpsandbox-*[0-9] 2>/dev/null | wc -l | grep -qx 0 && echo yes || echo no)" \
  "$(ls /sys/fs/cgroup/delegated)"

# Every sandbox above has ended: none may stay registered with the shared programs.
doctor=$(mcpsandbox doctor 2>&1)
check "sandboxes leave no entries behind" "$(contains "$doctor" "0 sandbox(es) registered")" "$doctor"

# Speed (figures, not checks): LSM cost per open, and launch cost with the programs loaded
# fresh, reused from the pins, and absent.
lsm_ns=$(mcpsandbox run $only_l5 -- /bin/escape_probe open-loop /etc/passwd </dev/null 2>/dev/null |
  sed -n 's/.*"detail":"\([0-9]*\)".*/\1/p')
plain_ns=$(mcpsandbox run $only_l5 --testing-disable-layer bpf-lsm -- /bin/escape_probe open-loop /etc/passwd \
  </dev/null 2>/dev/null | sed -n 's/.*"detail":"\([0-9]*\)".*/\1/p')
echo "VMTEST BENCH open+close of a granted file: ${lsm_ns} ns with L5, ${plain_ns} ns without (ratio $((lsm_ns * 100 / plain_ns))%)"
launch() { /bin/escape_probe time-exec /bin/mcpsandbox run "$@" -- /bin/escape_probe hostname; }
rm -rf /sys/fs/bpf/mcpsandbox/* /run/mcpsandbox/* 2>/dev/null
first=$(launch $only_l5)
reused=$(launch $only_l5)
without=$(launch $only_l5 --testing-disable-layer bpf-lsm)
echo "VMTEST BENCH launch: ${first} us loading the LSM programs ($((first * 100 / without))%), ${reused} us reusing the pins ($((reused * 100 / without))%), ${without} us without L5"

echo "VMTEST DONE"
poweroff -f
