// Keel's pub/sub client for browsers and Node 20+ (docs/clients.md). No dependencies: it uses the
// platform's WebSocket (Node 20: --experimental-websocket), or any implementation passed as options.WebSocket.

const DEFAULTS = Object.freeze({
  initialBackoffMs: 500, // the first retry waits a random time in [0, 500 ms)
  maxBackoffMs: 30000, // the ceiling doubles per attempt up to 30 s (full jitter)
  connectTimeoutMs: 10000, // a connection not open 10 s after it was started is given up and retried
  pingIntervalMs: 15000, // after 15 s with nothing received, send {"op":"ping"}
  pingTimeoutMs: 10000, // nothing 10 s after that: the connection is dead, reconnect
  tokenRefreshAheadMs: 30000, // ask for a fresh token 30 s before exp (halfway for shorter tokens)
  offlineBuffer: 1000, // publishes kept while offline; one more is refused and reported
  recover: true, // resubscribe with since after a reconnect
});

// Liveness is measured on a monotonic clock: a wall-clock step (NTP, a laptop waking) must not look
// like a silent server, nor hide one.
const monotonicNow = () => (globalThis.performance && typeof performance.now === 'function' ? performance.now() : Date.now());

/** Why a connection ended, from its close code and reason (docs/protocol.md's close codes). */
export function closeKind(code, reason = '') {
  switch (code) {
    case 1000: return 'normal';
    case 1001: return reason.includes('idle') ? 'idle_timeout' : 'going_away';
    case 1008:
      if (reason.includes('slow')) return 'slow_consumer';
      if (reason.includes('overloaded')) return 'overloaded';
      if (reason.includes('token')) return 'token_expired';
      if (reason.includes('rate')) return 'rate_limited';
      return 'other';
    case 1009: return 'too_large';
    case 1013: return 'overloaded';
    case 1006: return 'connection_lost';
    default: return 'other';
  }
}

/**
 * Full-jitter exponential backoff: the n-th retry waits uniformly in [0, min(max, initial * 2^n));
 * after an overloaded answer, at least half of the ceiling two steps further on.
 */
export class Backoff {
  constructor(initialMs, maxMs, random = Math.random) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.random = random;
    this.attempt = 0;
  }

  next(overloaded = false) {
    const n = overloaded ? this.attempt + 2 : this.attempt;
    this.attempt++;
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(n, 40));
    const low = overloaded ? ceiling / 2 : 0;
    return low + this.random() * (ceiling - low);
  }

  reset() {
    this.attempt = 0;
  }
}

/** A publish that got no ok: the server's error code, or connection_lost, buffer_full, closed. */
export class KeelError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

function tokenExpiry(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = typeof atob === 'function' ? atob(part) : Buffer.from(part, 'base64').toString();
    return JSON.parse(json).exp ?? -1;
  } catch {
    return -1;
  }
}

/**
 * A connection to Keel that stays up. Usage:
 *   const c = new KeelClient({ url: 'ws://localhost:8080/ws', onEvent: e => console.log(e.type) });
 *   c.subscribe('news', m => console.log(m.seq, m.data));
 *   await c.publish('news', { t: 'hi' });
 */
export class KeelClient {
  constructor(options) {
    if (!options || !options.url) throw new TypeError('options.url is required');
    this.options = { ...DEFAULTS, ...options };
    // Every bound is checked here, not found out later as a NaN timer that fires at once or never.
    for (const k of ['initialBackoffMs', 'maxBackoffMs', 'connectTimeoutMs', 'pingIntervalMs', 'pingTimeoutMs']) {
      const v = this.options[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`options.${k} must be a positive number of milliseconds, not ${v}`);
    }
    for (const k of ['tokenRefreshAheadMs', 'offlineBuffer']) {
      const v = this.options[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`options.${k} must be a number at least 0, not ${v}`);
    }
    this.WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (!this.WebSocket) {
      throw new TypeError('no WebSocket: run Node 20 with --experimental-websocket, or pass options.WebSocket');
    }
    this.backoff = new Backoff(this.options.initialBackoffMs, this.options.maxBackoffMs, this.options.random);
    this.topics = new Map(); // topic -> { handler, epoch, lastSeq }
    this.offline = []; // publishes waiting for a connection
    this.inFlight = new Map(); // id -> { resolve, reject }
    this.nextId = 0;
    this.ws = null;
    this.stopped = false;
    this.timers = new Set();
    this.token = null;
    this._connect();
  }

  /** Subscribes (or replaces the handler); kept across reconnects. */
  subscribe(topic, handler) {
    const st = this.topics.get(topic);
    if (st) {
      st.handler = handler;
      return;
    }
    this.topics.set(topic, { handler, epoch: null, lastSeq: -1 });
    if (this._open()) this._send(this._subFrame(topic));
  }

  unsubscribe(topic) {
    if (this.topics.delete(topic) && this._open()) this._send({ op: 'unsub', topic });
  }

  /** Publishes data (any JSON value); resolves on the server's ok, rejects with a KeelError. */
  publish(topic, data) {
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(new KeelError('closed', 'the client is closed'));
      const p = { frame: { op: 'pub', topic, data, id: ++this.nextId }, resolve, reject };
      if (this._open()) {
        this.inFlight.set(p.frame.id, p);
        this._send(p.frame);
      } else if (this.offline.length < this.options.offlineBuffer) {
        this.offline.push(p);
      } else {
        reject(new KeelError('buffer_full', `offline and the offline buffer holds ${this.options.offlineBuffer} messages`));
        this._emit({ type: 'bufferOverflow', topic, bound: this.options.offlineBuffer });
      }
    });
  }

  /** Closes (1000) and stops reconnecting. */
  close() {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const ws = this.ws;
    if (ws) {
      this._ended(ws, 1000, 'closed by the application');
      try { ws.close(1000); } catch { /* already closing */ }
    }
    for (const p of this.offline) p.reject(new KeelError('closed', 'the client is closed'));
    this.offline = [];
    this._emit({ type: 'stopped', kind: 'normal', why: 'closed by the application' });
  }

  // ---------------------------------------------------------------- internals

  _emit(e) {
    try { this.options.onEvent?.(e); } catch { /* a listener's failure must not stop the client */ }
  }

  _open() {
    return this.ws !== null && this.ws.readyState === 1;
  }

  _later(fn, ms) {
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, ms);
    this.timers.add(t);
    return t;
  }

  _send(obj) {
    try { this.ws.send(JSON.stringify(obj)); } catch { /* the close handler follows */ }
  }

  _subFrame(topic) {
    const st = this.topics.get(topic);
    const f = { op: 'sub', topic, id: `s:${topic}` };
    if (this.options.recover) f.since = st.epoch !== null && st.lastSeq >= 0 ? { epoch: st.epoch, seq: st.lastSeq } : {};
    return f;
  }

  async _connect() {
    if (this.stopped) return;
    let token = null;
    if (this.options.token) {
      try {
        token = await this.options.token();
      } catch {
        return this._retry('connection_lost');
      }
    }
    if (this.stopped) return;
    this.token = token;
    const url = token ? `${this.options.url}${this.options.url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : this.options.url;
    let ws;
    try {
      ws = new this.WebSocket(url);
    } catch (e) {
      return this._retry('connection_lost');
    }
    this.ws = ws;
    let opened = false;
    // The platform's WebSocket has no deadline of its own: a server (or a proxy) that accepts the TCP
    // connection and never answers the upgrade would leave the client connecting for ever, with its
    // publishes waiting offline. Java's client has the same bound (connectTimeout).
    const deadline = this._later(() => {
      if (this.ws !== ws || opened) return;
      this._ended(ws, 1006, `not open within ${this.options.connectTimeoutMs} ms`, true);
      try { ws.close(); } catch { /* never opened */ }
    }, this.options.connectTimeoutMs);
    const settle = () => { clearTimeout(deadline); this.timers.delete(deadline); };
    ws.onopen = () => {
      settle();
      if (this.ws !== ws) return;
      opened = true;
      this._opened(ws);
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.lastInbound = monotonicNow();
      try {
        this._frame(typeof ev.data === 'string' ? ev.data : String(ev.data));
      } finally {
        // A synchronous handler that ran longer than the liveness window delayed our own reading, not
        // the server: count the silence from when the handler returned.
        this.lastInbound = monotonicNow();
      }
    };
    ws.onclose = (ev) => {
      settle();
      // A browser hides the upgrade's HTTP status: a refusal (401, 503) is a close 1006 before open.
      this._ended(ws, opened ? ev.code : 1006, ev.reason || (opened ? '' : 'could not open the connection'), !opened);
    };
    ws.onerror = () => {
      // Node 20's WebSocket reports a refused connection with an error and no close, and would leave the
      // client waiting forever: a connection that never opened ends here (the close a browser sends
      // after its error then finds it ended). After open, onclose follows.
      if (!opened) {
        settle();
        this._ended(ws, 1006, 'could not open the connection', true);
        try { ws.close(); } catch { /* never opened */ }
      }
    };
  }

  _opened(ws) {
    this.lastInbound = monotonicNow();
    this.pingSent = 0;
    this._emit({ type: 'connected', attempt: this.backoff.attempt });
    this.backoff.reset();
    const tick = Math.max(50, Math.min(this.options.pingIntervalMs, this.options.pingTimeoutMs) / 2);
    this.liveness = setInterval(() => this._checkLiveness(ws), tick);
    this._scheduleRefresh();
    for (const topic of this.topics.keys()) this._send(this._subFrame(topic));
    const waiting = this.offline;
    this.offline = [];
    for (const p of waiting) {
      this.inFlight.set(p.frame.id, p);
      this._send(p.frame);
    }
  }

  _checkLiveness(ws) {
    if (this.ws !== ws) return;
    const quiet = monotonicNow() - this.lastInbound;
    if (quiet > this.options.pingIntervalMs + this.options.pingTimeoutMs) {
      this._ended(ws, 1006, `no answer to ping within ${this.options.pingTimeoutMs} ms`, false, 'liveness');
      try { ws.close(); } catch { /* gone */ }
    } else if (quiet >= this.options.pingIntervalMs && this.pingSent < this.lastInbound) {
      this.pingSent = monotonicNow();
      this._send({ op: 'ping', id: 'ping' });
    }
  }

  _scheduleRefresh() {
    if (this.refresh) clearTimeout(this.refresh);
    this.refresh = null;
    const exp = this.token ? tokenExpiry(this.token) : -1;
    if (exp < 0 || !this.options.token) return;
    const left = exp * 1000 - Date.now();
    const delay = Math.max(left / 2, left - this.options.tokenRefreshAheadMs);
    this.refresh = this._later(async () => {
      let t;
      try { t = await this.options.token(); } catch { return; }
      if (t && this._open()) {
        this.token = t;
        this._send({ op: 'auth', token: t });
        this._scheduleRefresh();
      }
    }, Math.max(0, delay));
  }

  _frame(text) {
    let f;
    try {
      f = JSON.parse(text);
    } catch {
      return this._emit({ type: 'serverError', code: 'bad_frame', message: text });
    }
    switch (f.op) {
      case 'msg': return this._message(f);
      case 'subscribed': return this._subscribed(f);
      case 'ok': {
        const p = this.inFlight.get(f.id);
        if (p) { this.inFlight.delete(f.id); p.resolve(); }
        return undefined;
      }
      case 'error': return this._error(f);
      case 'authenticated': return this._emit({ type: 'tokenRefreshed', exp: f.exp });
      default: return undefined; // pong, unsubscribed, and whatever a newer server adds
    }
  }

  _message(f) {
    const st = this.topics.get(f.topic);
    if (!st) return;
    if (st.lastSeq >= 0 && f.seq <= st.lastSeq) return; // already handed on: never twice
    if (st.lastSeq >= 0 && f.seq > st.lastSeq + 1) {
      this._emit({ type: 'gap', topic: f.topic, expected: st.lastSeq + 1, received: f.seq });
    }
    st.lastSeq = f.seq;
    try {
      st.handler({ topic: f.topic, seq: f.seq, data: f.data });
    } catch (error) {
      this._emit({ type: 'handlerFailed', topic: f.topic, seq: f.seq, error });
    }
  }

  _subscribed(f) {
    const st = this.topics.get(f.topic);
    if (!st) return;
    const attempted = 'recovered' in f;
    const recovered = f.recovered === true;
    if (f.epoch !== undefined && !recovered && f.reason !== 'already_subscribed') st.lastSeq = f.seq;
    st.epoch = f.epoch ?? null;
    this._emit({ type: 'subscribed', topic: f.topic, epoch: st.epoch, seq: f.seq, attempted, recovered, reason: f.reason ?? null });
  }

  _error(f) {
    if (typeof f.id === 'string' && f.id.startsWith('s:')) {
      const topic = f.id.slice(2);
      this.topics.delete(topic);
      return this._emit({ type: 'subscribeFailed', topic, code: f.code, message: f.message });
    }
    const p = typeof f.id === 'number' ? this.inFlight.get(f.id) : undefined;
    if (p) {
      this.inFlight.delete(f.id);
      return p.reject(new KeelError(f.code, f.message));
    }
    return this._emit({ type: 'serverError', code: f.code, message: f.message });
  }

  _ended(ws, code, reason, beforeOpen = false, kindOverride = undefined) {
    if (this.ws !== ws) return;
    this.ws = null;
    clearInterval(this.liveness);
    if (this.refresh) clearTimeout(this.refresh);
    for (const p of this.inFlight.values()) {
      p.reject(new KeelError('connection_lost', 'the connection ended before the server\'s ok: the message may or may not have been published'));
    }
    this.inFlight.clear();
    const kind = kindOverride ?? closeKind(code, reason);
    this._emit({ type: 'disconnected', code, reason, kind, beforeOpen });
    if (this.stopped) return;
    if (kind === 'token_expired') {
      this._connect(); // a fresh token at once: waiting would not make the old one valid
    } else {
      this._retry(kind);
    }
  }

  _retry(cause) {
    const delay = this.backoff.next(cause === 'overloaded');
    this._emit({ type: 'reconnecting', attempt: this.backoff.attempt, delay, cause });
    this._later(() => this._connect(), delay);
  }
}
