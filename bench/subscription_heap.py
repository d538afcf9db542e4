#!/usr/bin/env python3
# Heap per subscription (docs/memory.md): N WebSocket connections each subscribe to K distinct topics;
# the live heap is diffed by two /debug/heap class histograms (each runs a full GC) around the
# subscriptions, so the connections themselves are not in the figure.
# Start a server:  ./keel serve --ws-port 38181 --tcp-port off --admin-port 39100 --admin-allow-gc \
#   --max-connections-per-ip 100000 --connect-rate-per-ip 100000 --connect-burst-per-ip 100000
# Then:            python3 bench/subscription_heap.py 200 256 38181 39100 [shared]
# (shared: every connection subscribes to the same K topics, so topics are not created per subscription)
import json, os, socket, sys, time, urllib.request
N, K, WS, ADMIN = (int(a) for a in sys.argv[1:5])
SHARED = len(sys.argv) > 5 and sys.argv[5] == "shared"
def heap():
    rows = json.load(urllib.request.urlopen("http://127.0.0.1:%d/debug/heap?limit=400" % ADMIN, timeout=120))["rows"]
    return sum(r["bytes"] for r in rows)
def frame(txt):
    p = txt.encode(); key = os.urandom(4)
    head = bytes([0x81, 0x80 | len(p)]) if len(p) < 126 else bytes([0x81, 0xFE]) + len(p).to_bytes(2, "big")
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(p))
def read_until(s, n):
    got = b""
    while got.count(b"subscribed") < n:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("closed")
        got += chunk
socks = []
for i in range(N):
    s = socket.create_connection(("127.0.0.1", WS))
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    s.sendall(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
    resp = b""
    while b"\r\n\r\n" not in resp:
        resp += s.recv(4096)
    socks.append(s)
time.sleep(1)
before = heap()
for i, s in enumerate(socks):
    s.sendall(b"".join(frame('{"op":"sub","topic":"t%d.%d"}' % (0 if SHARED else i, k)) for k in range(K)))
for s in socks:
    read_until(s, K)
after = heap()
print(json.dumps({"shared_topics": SHARED, "subscriptions": N * K, "heap_delta_bytes": after - before,
                  "bytes_per_subscription": round((after - before) / (N * K), 1)}))
for s in socks:
    s.close()
