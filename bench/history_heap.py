#!/usr/bin/env python3
# Heap per history entry (docs/memory.md, kind `history`, charged as data + 56 B): fills the history of
# N topics with M messages each and diffs two /debug/heap class histograms (each runs a full GC), taken
# once every topic exists with one message and again after M more, so the topics themselves are not in
# the figure. Prints the heap per entry, the payload per entry (the data's bytes as kept), what is beyond
# it, and the budget's own figure (keel_history_bytes) for the same entries, with the classes that grew.
# Start a server (history on, nothing trimmed while filling: M + 1 <= history-size, TTL long enough):
#   ./keel serve --ws-port 38181 --tcp-port off --admin-port 39100 --admin-allow-gc \
#     --history-size 1000 --history-ttl 1h --history-max-bytes 16MiB --rate-limit 10000000 --rate-burst 10000000
# Then:  python3 bench/history_heap.py 200 999 64 38181 39100      # N topics, M messages, P bytes of data
# (P counts the data as kept: compact JSON, here a string of P - 2 characters in quotes.)
import json, os, re, socket, sys, urllib.request

N, M, P, WS, ADMIN = (int(a) for a in sys.argv[1:6])

def heap():
    rows = json.load(urllib.request.urlopen("http://127.0.0.1:%d/debug/heap?limit=400" % ADMIN, timeout=300))["rows"]
    return {r["class"]: (r["instances"], r["bytes"]) for r in rows}

def history_bytes():
    text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % ADMIN, timeout=60).read().decode()
    m = re.search(r"^keel_history_bytes(?:\{[^}]*\})?\s+([0-9.eE+]+)", text, re.M)
    return float(m.group(1)) if m else None

def frame(txt):
    p = txt.encode(); key = os.urandom(4)
    if len(p) < 126:
        head = bytes([0x81, 0x80 | len(p)])
    elif len(p) < 65536:
        head = bytes([0x81, 0xFE]) + len(p).to_bytes(2, "big")
    else:
        head = bytes([0x81, 0xFF]) + len(p).to_bytes(8, "big")
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(p))

s = socket.create_connection(("127.0.0.1", WS))
s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
resp = b""
while b"\r\n\r\n" not in resp:
    resp += s.recv(4096)
buffered = resp.split(b"\r\n\r\n", 1)[1]

def publish_round(round_no):
    """One message on each topic (no id: no reply), then a ping: requests are handled in order, so its
    pong means every publish before it is in its topic's history."""
    global buffered
    data = "x" * (P - 2)
    batch = [frame('{"op":"pub","topic":"hist.%d","data":"%s"}' % (t, data)) for t in range(N)]
    s.sendall(b"".join(batch) + frame('{"op":"ping","id":%d}' % round_no))
    want = b'"id":%d' % round_no
    while want not in buffered:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("the server closed the connection: " + buffered[-200:].decode(errors="replace"))
        buffered += chunk
    buffered = buffered.split(want, 1)[1]

publish_round(0)                      # every topic exists, with one entry
before, acct_before = heap(), history_bytes()
for r in range(1, M + 1):
    publish_round(r)
after, acct_after = heap(), history_bytes()
entries = N * M
delta = sum(b for _, b in after.values()) - sum(b for _, b in before.values())
grew = sorted(((after[c][1] - before.get(c, (0, 0))[1], after[c][0] - before.get(c, (0, 0))[0], c) for c in after),
              reverse=True)[:8]
print(json.dumps({
    "topics": N, "entries": entries, "data_bytes_per_entry": P,
    "heap_delta_bytes": delta,
    "heap_bytes_per_entry": round(delta / entries, 1),
    "beyond_the_data_per_entry": round(delta / entries - P, 1),
    "accounted_bytes_per_entry": None if acct_after is None else round((acct_after - acct_before) / entries, 1),
    "classes_that_grew": [{"class": c, "bytes": b, "instances": n, "bytes_each": round(b / n, 1) if n else None}
                          for b, n, c in grew if b > 0],
}, indent=1))
s.close()
