#!/usr/bin/env python3
"""Where a fresh server's CPU goes, phase by phase, in one harness-shaped broadcast run (round 12).

    python3 bench/round12/phases.py RATE [PREFIX [SERVE FLAGS]]

Starts `PREFIX ./keel serve ... SERVE FLAGS` on core 0 (PREFIX: e.g. `env KEEL_JAVA_OPTS=...`; FLAGS: e.g.
`--compiler-nice 0`), waits for /healthz 200,
runs the side-by-side loader on core 1 (2,000 fast + 100 stalled, 512 B, 10 s) and reads every server
thread's CPU (/proc/PID/task/*/stat) at the loader's PHASE marks: before the connects, at the first
publish and after the last delivery. Prints one JSON line: p50/p99, and CPU ticks (10 ms) per thread
group in the connect phase and in the measured window (the window is what compare.py divides by the
deliveries)."""
import collections, json, os, random, re, signal, subprocess, sys, time, urllib.request

rate = sys.argv[1]; prefix = sys.argv[2] if len(sys.argv) > 2 else ""; flags = sys.argv[3] if len(sys.argv) > 3 else ""
port = 30000 + random.randrange(5000)
lim = "--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
srv = subprocess.Popen(f"exec taskset -c 0 {prefix} ./keel serve --ws-port {port} --tcp-port 0 --admin-port 0 {lim} {flags}",
                       shell=True, preexec_fn=os.setsid, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(600):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).status == 200: break
        except Exception: time.sleep(0.1)
    time.sleep(1)
    java = subprocess.run(["pgrep", "-f", f"keel-server.jar serve --ws-port {port}"], capture_output=True, text=True).stdout.split()[0]

    def snap():
        d = collections.Counter()
        for t in os.listdir(f"/proc/{java}/task"):
            try:
                s = open(f"/proc/{java}/task/{t}/stat").read()
            except OSError: continue
            name = re.sub(r"[-#]?\d+$", "", s[s.index("(") + 1:s.rindex(")")].strip())
            f = s[s.rindex(")") + 2:].split()
            d[name] += int(f[11]) + int(f[12])
        return d

    marks = {"start": snap()}
    ld = subprocess.Popen(["taskset", "-c", "1", "/tmp/keel-peers/bin/loadgo", "-mode", "broadcast", "-url", f"ws://127.0.0.1:{port}/ws",
                           "-n", "2000", "-stalled", "100", "-rate", rate, "-dur", "10s", "-size", "512"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    last = None
    for line in ld.stdout:
        if line.startswith("PHASE "): marks[line.split()[1]] = snap()
        else: last = line
    ld.wait()
    run = json.loads(last)
    def diff(a, b): return {k: b[k] - a.get(k, 0) for k in b if b[k] - a.get(k, 0) > 0}
    out = dict(prefix=prefix, flags=flags, rate=int(rate), p50_ms=run["p50_us"] / 1000, p99_ms=run["p99_us"] / 1000, delivered=run["delivered"],
               connect=diff(marks["start"], marks["publish"]), window=diff(marks["publish"], marks["done"]))
    out["connect_total"] = sum(out["connect"].values()); out["window_total"] = sum(out["window"].values())
    out["window_us_per_delivery"] = round(out["window_total"] * 1e4 / max(run["delivered"], 1), 2)
    print(json.dumps(out))
finally:
    os.killpg(srv.pid, signal.SIGTERM); srv.wait(10)
