#!/usr/bin/env python3
# Per-connection live heap of idle subscribed WebSocket connections, by class.
# Start a server:  ./keel serve --ws-port 38181 --tcp-port off --admin-port 39100 --admin-allow-gc \
#   --max-connections-per-ip 100000 --connect-rate-per-ip 100000 --connect-burst-per-ip 100000
# Then:            python3 bench/idle_heap.py 5000 38181 39100
# It diffs two /debug/heap class histograms (each runs a full GC) around opening N connections.
# TRANSPORT=tcp: framed-TCP connections to the port given instead (start the server with --tcp-port PORT).
import socket, base64, os, json, sys, time, urllib.request, struct
N=int(sys.argv[1]); WS=int(sys.argv[2]); ADMIN=int(sys.argv[3]); TCP=os.environ.get("TRANSPORT")=="tcp"
def heap():
    return {r["class"]:(r["instances"],r["bytes"]) for r in json.load(urllib.request.urlopen("http://127.0.0.1:%d/debug/heap?limit=400"%ADMIN))["rows"]}
def frame(txt):
    p=txt.encode(); key=os.urandom(4)
    return bytes([0x81, 0x80|len(p)])+key+bytes(b^key[i%4] for i,b in enumerate(p))
base=heap()
socks=[]
for i in range(N):
    s=socket.socket(); s.bind(("127.0.0.%d"%(2+i%200),0)); s.connect(("127.0.0.1",WS))
    if TCP:
        p=json.dumps({"op":"sub","topic":"t%d"%(i%100)}).encode()
        s.sendall(struct.pack(">I",len(p))+p); socks.append(s); continue
    k=base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"%k).encode())
    buf=b""
    while b"\r\n\r\n" not in buf: buf+=s.recv(4096)
    s.sendall(frame(json.dumps({"op":"sub","topic":"t%d"%(i%100)})))
    socks.append(s)
for s in socks:
    s.settimeout(10); s.recv(4096)
time.sleep(1)
after=heap()
rows=[]
for c,(n,b) in after.items():
    n0,b0=base.get(c,(0,0))
    rows.append((b-b0, n-n0, c))
rows.sort(reverse=True)
tot=sum(r[0] for r in rows)
print("total per conn", tot//N)
for d,n,c in rows[:int(os.environ.get("ROWS","30"))]: print("%8d B/conn %6.2f inst/conn  %s"%(d//N, n/N, c))
for s in socks:
    s.close()
