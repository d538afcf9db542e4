// The reconnect storm (run by StormIT): STORM_CLIENTS clients connect to KEEL_URL (a relay the Java test
// resets), say READY, and after every connection is dropped at once, report when each reconnected.
import { KeelClient } from '../keel-client.js';

const url = process.env.KEEL_URL;
const n = Number(process.env.STORM_CLIENTS ?? 2000);
const windowMs = Number(process.env.STORM_WINDOW_MS ?? 1000);

const state = Array.from({ length: n }, () => ({ connected: [], dropped: [], opened: [] }));
const clients = state.map((s) => new KeelClient({
  url,
  // The platform's WebSocket, noting when each connection attempt starts.
  WebSocket: class extends globalThis.WebSocket {
    constructor(u) {
      super(u);
      s.opened.push(performance.now());
    }
  },
  initialBackoffMs: windowMs, // the first retry after a drop waits uniformly in [0, windowMs)
  maxBackoffMs: 30000,
  pingIntervalMs: 600000,
  pingTimeoutMs: 600000,
  onEvent: (e) => {
    if (e.type === 'connected') s.connected.push(performance.now());
    if (e.type === 'disconnected') s.dropped.push(performance.now());
  },
}));

function until(cond, ms) {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const t = setInterval(() => {
      if (cond()) { clearInterval(t); resolve(); } else if (Date.now() - start > ms) { clearInterval(t); reject(new Error('timed out')); }
    }, 20);
  });
}

try {
  await until(() => state.every((s) => s.connected.length >= 1), 120000);
  console.log('READY');
  await until(() => state.every((s) => s.dropped.length >= 1 && s.connected.length >= 2), 120000);
  const dropAt = Math.min(...state.map((s) => s.dropped[0]));
  const spread = (times) => {
    const d = times.map((t) => t - dropAt).sort((a, b) => a - b);
    const at = (q) => Math.round(d[Math.min(d.length - 1, Math.floor(q * d.length))]);
    return { min: at(0), p10: at(0.1), p50: at(0.5), p90: at(0.9), max: at(1) };
  };
  // When each client noticed the drop, when it tried again (its new socket), when that connection opened.
  const noticed = spread(state.map((s) => s.dropped[0]));
  const attempts = spread(state.map((s) => s.opened[1]));
  const connected = spread(state.map((s) => s.connected[1]));
  // Retries per 100 ms after the first drop: lockstep would put most of them in one or two slices.
  const buckets = new Array(Math.ceil(attempts.max / 100) + 1).fill(0);
  for (const s of state) buckets[Math.floor((s.opened[1] - dropAt) / 100)]++;
  console.log('STORM ' + JSON.stringify({ n, windowMs, noticed, attempts, connected, buckets }));
} catch (e) {
  console.log('STORM_FAILED ' + e.message + ' connected=' + state.filter((s) => s.connected.length >= 2).length);
} finally {
  for (const c of clients) c.close();
}
