#!/usr/bin/env python3
"""The hostile load of issue 13 against ./keel serve with a memory budget (docs/memory.md).

usage: bench/adversarial.py [--budget 256MiB] [--duration 60] [--port 32000] [-- extra serve flags]

Starts `./keel serve --memory-budget B --slow-consumer-policy drop-oldest --rate-limit 100000` (the
publisher is the application's, not the adversary; launcher defaults otherwise),
then, all at once, for --duration seconds (bounded):
  slow     200 WebSocket subscribers, one topic each, each reading about 8 KB/s (they make progress);
  pub      one framed-TCP publisher, 1 KB messages to those 200 topics, 40 msg/s each (8 MB/s offered);
  half     1,000 framed-TCP connections that send a ping, then half of a 64 KiB frame, then one byte
           every 20 s (never idle, never finishing: the frame timeout's case);
  bulk     500 WebSocket readers at about 1 KB/s on one topic the publisher also feeds (10 msg/s).
Samples the server every 100 ms: RSS (VmRSS), accounted memory and stage (/metrics), shed counters.
Prints one JSON object: peaks, when each stage began, and how each group of clients ended.
Loopback only; every loop is bounded in count and time.
"""
import argparse, asyncio, base64, json, os, re, signal, socket, struct, subprocess, sys, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIM = ["--connect-rate-per-ip", "100000", "--connect-burst-per-ip", "100000", "--max-connections-per-ip", "100000"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def java_pid(pid):
    """The JVM under the launcher (exec'd: the same pid) or its child."""
    return pid


def scrape(admin):
    text = urllib.request.urlopen(f"http://127.0.0.1:{admin}/metrics", timeout=2).read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith("keel_memory_accounted_bytes") or line.startswith("keel_overload_stage") \
                or line.startswith("keel_shed_total") or line.startswith("keel_memory_budget_bytes") \
                or line.startswith("keel_connections_closed_total"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


class Ended:
    """How each group's connections ended, as their clients saw it."""

    def __init__(self):
        self.by = {}

    def note(self, group, how):
        self.by.setdefault(group, {}).setdefault(how, 0)
        self.by[group][how] += 1


async def ws_connect(port, source):
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0), limit=2048)  # small: the socket is read steadily, not in bursts
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    await writer.drain()
    status = await reader.readline()
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    if b" 101 " not in status:
        writer.close()
        raise ConnectionError(status.decode(errors="replace").strip())
    return reader, writer


def ws_text(payload):
    mask = os.urandom(4)
    data = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
    n = len(payload)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    return head + mask + data


async def slow_ws_reader(port, source, topic, rate_bps, stop, ended, group):
    """Subscribes, then reads about rate_bps; notes its close code (or how else it ended)."""
    try:
        reader, writer = await ws_connect(port, source)
    except Exception as e:
        ended.note(group, "refused: " + str(e)[:40])
        return
    writer.write(ws_text(json.dumps({"op": "sub", "topic": topic}).encode()))
    await writer.drain()
    buf = b""
    chunk = max(64, rate_bps // 10)
    try:
        while not stop.is_set():
            data = await asyncio.wait_for(reader.read(chunk), 30)
            if not data:
                ended.note(group, "eof")
                return
            buf += data
            while len(buf) >= 2:  # frames, server to client: unmasked
                n = buf[1] & 0x7F
                off = 2
                if n == 126:
                    if len(buf) < 4:
                        break
                    n = struct.unpack(">H", buf[2:4])[0]; off = 4
                elif n == 127:
                    if len(buf) < 10:
                        break
                    n = struct.unpack(">Q", buf[2:10])[0]; off = 10
                if len(buf) < off + n:
                    break
                if buf[0] & 0x0F == 0x8:
                    code = struct.unpack(">H", buf[off:off + 2])[0] if n >= 2 else 0
                    ended.note(group, f"close {code} {buf[off + 2:off + n].decode(errors='replace')}")
                    writer.close()
                    return
                buf = buf[off + n:]
            await asyncio.sleep(0.1)
        ended.note(group, "open at the end")
    except (ConnectionError, OSError, asyncio.TimeoutError) as e:
        ended.note(group, type(e).__name__)
    finally:
        writer.close()


def tcp_frame(obj):
    b = json.dumps(obj, separators=(",", ":")).encode()
    return struct.pack(">I", len(b)) + b


async def tcp_error_or_eof(reader):
    """The first error frame's code, or how the stream ended."""
    try:
        while True:
            head = await reader.readexactly(4)
            n = struct.unpack(">I", head)[0]
            body = await reader.readexactly(n) if n else b""
            if body.startswith(b'{"op":"error"'):
                return "error " + json.loads(body).get("code", "?")
    except asyncio.IncompleteReadError:
        return "eof"
    except (ConnectionError, OSError) as e:
        return type(e).__name__


async def half_framer(port, source, stop, ended):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    except OSError as e:
        ended.note("half", "refused: " + type(e).__name__)
        return
    try:
        # A whole frame first (past the handshake: the frame timeout is what must catch the rest).
        writer.write(tcp_frame({"op": "ping"}))
        await writer.drain()
        n = struct.unpack(">I", await asyncio.wait_for(reader.readexactly(4), 15))[0]
        await reader.readexactly(n)  # the pong: the session is open
        writer.write(struct.pack(">I", 65536) + b"x" * 32768)  # half of a 64 KiB frame (max-message-size)
        await writer.drain()
        watch = asyncio.ensure_future(tcp_error_or_eof(reader))
        while not stop.is_set() and not watch.done():
            done, _ = await asyncio.wait([watch], timeout=20)
            if not done and not stop.is_set():
                writer.write(b"x")  # one byte per 20 s: never idle, never finishing
                await writer.drain()
        ended.note("half", watch.result() if watch.done() else "open at the end")
        watch.cancel()
    except (ConnectionError, OSError) as e:
        ended.note("half", type(e).__name__)
    finally:
        writer.close()


async def publisher(port, topics, per_topic_rate, size, stop, stats):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    pad = "p" * size
    frames = [tcp_frame({"op": "pub", "topic": t, "data": pad}) for t in topics]
    tick = 0.1
    per_tick = max(1, int(per_topic_rate * tick))
    batch = b"".join(frames) * per_tick
    t0 = time.time()
    try:
        while not stop.is_set():
            writer.write(batch)
            await writer.drain()  # TCP pushes back here when the server pauses reading
            stats["published"] += per_tick * len(frames)
            tick_no = stats["published"] / (per_tick * len(frames))
            delay = t0 + tick_no * tick - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
    except (ConnectionError, OSError):
        stats["publisher_ended"] = "closed"
    finally:
        writer.close()


async def sampler(pid, admin, stop, samples):
    t0 = time.time()
    while not stop.is_set():
        try:
            m = scrape(admin)
        except Exception:
            m = {}
        acc = sum(v for k, v in m.items() if k.startswith("keel_memory_accounted_bytes"))
        stage = m.get("keel_overload_stage", 0)
        samples.append((round(time.time() - t0, 2), rss_kib(pid), acc, stage, m))
        await asyncio.sleep(0.1)


async def role(name, ws, tcp, duration):
    """One group of clients, in its own process (one Python loop cannot keep 1,700 sockets on pace)."""
    stop = asyncio.Event()
    ended = Ended()
    stats = {"published": 0}
    tasks = []
    slow_topics = [f"adv.{i}" for i in range(200)]
    if name == "slow":
        for i, t in enumerate(slow_topics):
            tasks.append(asyncio.ensure_future(slow_ws_reader(ws, f"127.0.0.{2 + i % 50}", t, 8000, stop, ended, "slow")))
    elif name == "bulk":
        for i in range(500):
            tasks.append(asyncio.ensure_future(
                slow_ws_reader(ws, f"127.0.0.{60 + i % 50}", "adv.bulk", 1000, stop, ended, "bulk")))
    elif name == "half":
        await asyncio.sleep(2)
        for i in range(1000):
            tasks.append(asyncio.ensure_future(half_framer(tcp, f"127.0.0.{120 + i % 100}", stop, ended)))
    elif name == "pub":
        await asyncio.sleep(2)  # the subscribers first
        tasks.append(asyncio.ensure_future(publisher(tcp, slow_topics, 40, 1000, stop, stats)))
        tasks.append(asyncio.ensure_future(publisher(tcp, ["adv.bulk"], 10, 1000, stop, stats)))
    await asyncio.sleep(duration)
    stop.set()
    await asyncio.wait(tasks, timeout=40)
    print(json.dumps({"ended": ended.by, "published": stats["published"]}), flush=True)


async def run(args, ws, tcp, admin, pid):
    stop = asyncio.Event()
    samples = []
    sample_task = asyncio.ensure_future(sampler(pid, admin, stop, samples))
    procs = [subprocess.Popen([sys.executable, os.path.abspath(__file__), "--role", r, "--ws", str(ws), "--tcp", str(tcp),
                               "--duration", str(args.duration)], stdout=subprocess.PIPE, text=True)
             for r in args.groups.split(",")]
    outs = []
    for p in procs:
        out = await asyncio.get_running_loop().run_in_executor(None, p.communicate)
        outs.append(json.loads(out[0].strip().splitlines()[-1]))
    stop.set()
    await sample_task
    ended = {}
    published = 0
    for o in outs:
        ended.update(o["ended"])
        published += o["published"]
    after = []
    for _ in range(30):
        await asyncio.sleep(1)
        after.append(rss_kib(pid) // 1024)
    return ended, {"published": published}, samples, after


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget", default="256MiB")
    ap.add_argument("--duration", type=int, default=60)
    ap.add_argument("--groups", default="slow,bulk,half,pub", help="which groups of clients to run")
    ap.add_argument("--role")
    ap.add_argument("--ws", type=int)
    ap.add_argument("--tcp", type=int)
    ap.add_argument("extra", nargs="*")
    args = ap.parse_args()
    args.duration = min(args.duration, 300)
    if args.role:
        asyncio.run(role(args.role, args.ws, args.tcp, args.duration))
        return
    ws, tcp, admin = free_port(), free_port(), free_port()
    log = open("/tmp/adversarial-serve.log", "w")
    p = subprocess.Popen([os.path.join(ROOT, "keel"), "serve", "--ws-port", str(ws), "--tcp-port", str(tcp),
                          "--admin-port", str(admin), "--memory-budget", args.budget,
                          "--slow-consumer-policy", "drop-oldest",
                          # the publisher is the application's, not the adversary: not rate-limited
                          "--rate-limit", "100000", "--rate-burst", "100000"] + LIM + args.extra,
                         stdout=log, stderr=subprocess.STDOUT, preexec_fn=os.setsid, cwd=ROOT)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{ws}/healthz", timeout=1).read()
                break
            except Exception:
                time.sleep(0.2)
        base = rss_kib(p.pid) // 1024
        ended, stats, samples, after = asyncio.run(run(args, ws, tcp, admin, p.pid))
        last = samples[-1][4] if samples else {}
        budget = last.get("keel_memory_budget_bytes", 0)
        peak = max(samples, key=lambda s: s[2]) if samples else None
        stages = []
        prev = 0
        for t, _, acc, st, _ in samples:
            if st != prev:
                stages.append({"t_s": t, "stage": int(st), "accounted_mib": round(acc / 1048576, 1)})
                prev = st
        first_high = next((s[0] for s in samples if budget and s[2] >= 0.8 * budget), None)
        first_stage = next((s[0] for s in samples if s[3] >= 1), None)
        closed = {k[k.index("reason=") + 8:].split('"')[0] + "/" + k[k.index("transport=") + 11:].split('"')[0]: int(v)
                  for k, v in last.items() if k.startswith("keel_connections_closed_total") and v > 0}
        print(json.dumps({
            "budget_mib": round(budget / 1048576, 1),
            "rss_base_mib": base,
            "rss_peak_mib": max(s[1] for s in samples) // 1024 if samples else None,
            "accounted_peak_mib": round(peak[2] / 1048576, 1) if peak else None,
            "accounted_peak_share": round(peak[2] / budget, 3) if peak and budget else None,
            "high_mark_first_crossed_s": first_high, "stage_high_first_seen_s": first_stage,
            "stage_changes": stages[:12], "stage_changes_total": len(stages),
            "shed": {k.split('"')[1]: int(v) for k, v in last.items() if k.startswith("keel_shed_total")},
            "closed_by_reason": closed,
            "ended_by_group": ended,
            "published": stats["published"],
            "rss_after_load_mib": after[::5],
        }))
    finally:
        try:
            os.killpg(p.pid, signal.SIGTERM); p.wait(15)
        except Exception:
            os.killpg(p.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
