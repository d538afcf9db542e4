// Against a real keel serve (KEEL_URL, started by the Java test that runs this: JsClientIT).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeelClient } from '../keel-client.js';
// Every client a test opens (client(), or pushed to opened) is closed when the file ends, also after a
// failed assertion: an open client keeps reconnecting, and Node would never exit.
import { URL, until, within, client, opened } from './support.js';

test('publish is acknowledged and the subscriber gets it', { skip: !URL && 'KEEL_URL not set' }, async () => {
  const events = [];
  const got = [];
  const c = client(events);
  c.subscribe('js.news', (m) => got.push(m));
  await until(() => events.some((e) => e.type === 'subscribed'));
  for (let i = 1; i <= 3; i++) await within(c.publish('js.news', { n: i }), 15000, 'the ok for a publish');
  await until(() => got.length === 3);
  assert.deepEqual(got.map((m) => m.data.n), [1, 2, 3]);
  await assert.rejects(c.publish('no spaces', 1), (e) => e.code === 'bad_request');
  c.close();
  assert.ok(events.some((e) => e.type === 'stopped'), JSON.stringify(events));
});

test('dropped three times mid-stream, it recovers: every message once, in order', { skip: !URL && 'KEEL_URL not set' }, async () => {
  const events = [];
  const got = [];
  const c = client(events);
  const publisher = client([]);
  c.subscribe('js.stream', (m) => got.push(m.data.n));
  await until(() => events.some((e) => e.type === 'subscribed'));
  let n = 0;
  for (let round = 0; round < 3; round++) {
    const sent = [];
    for (let i = 0; i < 50; i++) sent.push(publisher.publish('js.stream', { n: ++n }));
    await until(() => got.length >= round * 50 + 10);
    c.ws.close(4000, 'test drop'); // as a network change would; the client did not ask for it
    await Promise.all(sent);
    await until(() => events.filter((e) => e.type === 'subscribed' && e.recovered).length >= round + 1);
  }
  await until(() => got.length >= 150);
  assert.deepEqual(got, Array.from({ length: 150 }, (_, i) => i + 1));
  assert.ok(!events.some((e) => e.type === 'gap'), 'no gap');
  c.close();
  publisher.close();
});

test('a handler slower than the liveness window is not taken for a dead server', { skip: !URL && 'KEEL_URL not set' }, async () => {
  const events = [];
  const got = [];
  const c = client(events, { pingIntervalMs: 200, pingTimeoutMs: 300 });
  const publisher = client([]);
  let stallEnded = Infinity;
  c.subscribe('js.slow', (m) => {
    if (got.length === 0) {
      // A synchronous handler that takes 1.5 s, three times the 500 ms liveness window.
      const end = performance.now() + 1500;
      while (performance.now() < end) { /* the application's own work */ }
      stallEnded = performance.now();
    }
    got.push(m.data.n);
  });
  await until(() => events.some((e) => e.type === 'subscribed'));
  // One message only: a second one queued behind the stall would refresh the clock by itself.
  await within(publisher.publish('js.slow', { n: 1 }), 15000, 'the ok for a publish');
  await until(() => got.length === 1);
  // The liveness check ran after the stall: it sent a ping, and the answer came back.
  await until(() => c.pingSent > stallEnded && c.lastInbound > c.pingSent);
  await within(publisher.publish('js.slow', { n: 2 }), 15000, 'the ok for a publish');
  await until(() => got.length === 2);
  assert.deepEqual(got, [1, 2]);
  assert.ok(!events.some((e) => e.type === 'disconnected'), JSON.stringify(events));
  c.close();
  publisher.close();
});

test('offline publishes fill the buffer and the overflow is reported', async () => {
  const events = [];
  const c = new KeelClient({ url: 'ws://127.0.0.1:9/ws', offlineBuffer: 2, initialBackoffMs: 1000, onEvent: (e) => events.push(e) });
  opened.push(c);
  const kept = [c.publish('t', 1), c.publish('t', 2)];
  await assert.rejects(c.publish('t', 3), (e) => e.code === 'buffer_full');
  assert.ok(events.some((e) => e.type === 'bufferOverflow' && e.bound === 2));
  c.close();
  for (const p of kept) await assert.rejects(p, (e) => e.code === 'closed');
});
