#!/usr/bin/env python3
"""Soak run: one mcpsandbox session around the fixture server, driven for MINUTES (default 5)
with a steady mix of calls (echo of varied sizes, refused calls, unknown tools, malformed lines,
list requests), sampling mcpsandbox's resident memory and open file descriptors every 10 s.
Fails (exit 1) if either grows after the first minute's warm-up.

    python3 scripts/soak.py [MINUTES] [BUILD_DIR]
"""
import json, os, subprocess, sys, tempfile, threading, time

minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
build = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "build")
mcpsandbox = os.path.join(build, "mcpsandbox")
fixture = os.path.join(build, "tests", "fixture_server")

def sample(pid):
    rss = 0
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                rss = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd"))

with tempfile.TemporaryDirectory() as logs:
    proxy = subprocess.Popen([mcpsandbox, "run", "--audit-log", os.path.join(logs, "audit.jsonl"),
                              "--", fixture], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, bufsize=0)
    answered = [0]
    def reader():
        for _ in proxy.stdout:
            answered[0] += 1
    threading.Thread(target=reader, daemon=True).start()
    sent, samples, start = 0, [], time.time()
    next_sample = start
    while time.time() - start < minutes * 60:
        kind = sent % 10
        if kind < 6:
            line = json.dumps({"jsonrpc": "2.0", "id": sent, "method": "tools/call",
                               "params": {"name": "echo", "arguments": {"text": "x" * (16 << (sent % 12))}}})
        elif kind == 6:
            line = json.dumps({"jsonrpc": "2.0", "id": sent, "method": "tools/list"})
        elif kind == 7:
            line = json.dumps({"jsonrpc": "2.0", "id": sent, "method": "tools/call",
                               "params": {"name": "no_such_tool", "arguments": {}}})
        elif kind == 8:
            line = '{"jsonrpc":"2.0","id":' + str(sent) + ',"method":'  # malformed
        else:
            line = json.dumps({"jsonrpc": "2.0", "id": sent, "method": "tools/call",
                               "params": {"name": "echo", "arguments": {"text": "../../../etc/shadow"}}})
        proxy.stdin.write((line + "\n").encode())
        sent += 1
        while sent - answered[0] > 64:
            time.sleep(0.001)
        if time.time() >= next_sample:
            rss, fds = sample(proxy.pid)
            samples.append((time.time() - start, rss, fds))
            print(f"{samples[-1][0]:7.0f} s  sent {sent:8d}  answered {answered[0]:8d}  "
                  f"anon RSS {rss:7d} KiB  fds {fds:3d}", flush=True)
            next_sample += 10
    proxy.stdin.close()
    proxy.wait(timeout=30)
    warm = [s for s in samples if s[0] >= 60] or samples
    rss_growth = max(s[1] for s in warm) - warm[0][1]
    fd_growth = max(s[2] for s in warm) - warm[0][2]
    print(f"soak: {sent} requests in {minutes:g} min; after warm-up anon RSS grew {rss_growth} KiB, "
          f"fds grew {fd_growth}")
    # A few MiB of allocator slack is not growth; a leak per request would be far more.
    sys.exit(0 if rss_growth < 4096 and fd_growth == 0 else 1)
