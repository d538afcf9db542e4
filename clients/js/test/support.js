// Shared by the server tests (run by JsClientIT): waiting on a condition, and clients closed even after
// a failed assertion (an open client keeps reconnecting, and Node would never exit).
import { after } from 'node:test';
import { KeelClient } from '../keel-client.js';

export const URL = process.env.KEEL_URL;

/** Resolves once cond() is true; rejects after ms (never a fixed sleep), saying what (a string, or a function for the state then). */
export function until(cond, ms = 20000, what = 'a condition') {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const t = setInterval(() => {
      let ok = false;
      try { ok = cond(); } catch { ok = false; }
      if (ok) { clearInterval(t); resolve(); } else if (Date.now() - start > ms) { clearInterval(t); reject(new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`)); }
    }, 10);
  });
}

/** Resolves or rejects as promise does, or rejects after ms saying what: no step of a test waits unbounded. */
export function within(promise, ms, what) {
  let t;
  const timeout = new Promise((_, reject) => {
    t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(t));
}

export const opened = [];
after(() => { for (const c of opened) c.close(); });

/** A client with short backoff whose events go to the array; closed when the file ends. */
export function client(events, extra = {}) {
  const c = new KeelClient({ url: URL, initialBackoffMs: 50, maxBackoffMs: 500, onEvent: (e) => events.push(e), ...extra });
  opened.push(c);
  return c;
}

/** Asserts-friendly summary of events, for failure messages. */
export function brief(events) {
  return JSON.stringify(events.map((e) => (e.type === 'subscribed' ? `subscribed:${e.recovered}:${e.reason}` : e.type === 'disconnected' ? `disconnected:${e.kind}` : e.type)));
}
