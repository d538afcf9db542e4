// Backoff and close codes, no server needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, closeKind } from '../keel-client.js';
import { until } from './support.js';

test('backoff stays under its doubling ceiling up to the cap', () => {
  const b = new Backoff(500, 30000);
  for (const ceiling of [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]) {
    const d = b.next();
    assert.ok(d >= 0 && d < ceiling, `attempt ${b.attempt}: ${d} under ${ceiling}`);
  }
});

test('backoff after an overloaded answer waits at least half a ceiling two steps on', () => {
  const d = new Backoff(500, 30000).next(true);
  assert.ok(d >= 1000 && d < 2000, `${d} in [1000, 2000)`);
});

test('2,000 clients dropped at once spread their first retry over the window', () => {
  const buckets = new Array(10).fill(0);
  for (let i = 0; i < 2000; i++) buckets[Math.min(9, Math.floor(new Backoff(500, 30000).next() / 50))]++;
  for (const [i, n] of buckets.entries()) assert.ok(n > 140 && n < 260, `bucket ${i} holds ${n} of 2000`);
});

test('close codes map to events', () => {
  assert.equal(closeKind(1001, 'going away'), 'going_away');
  assert.equal(closeKind(1008, 'slow consumer'), 'slow_consumer');
  assert.equal(closeKind(1008, 'server overloaded'), 'overloaded');
  assert.equal(closeKind(1008, 'token expired'), 'token_expired');
  assert.equal(closeKind(1009, 'message too big'), 'too_large');
  assert.equal(closeKind(1013, ''), 'overloaded');
  assert.equal(closeKind(1006, ''), 'connection_lost');
});

test('a refused connection is retried (Node 20 reports it with an error and no close)', async () => {
  const { KeelClient } = await import('../keel-client.js');
  const events = [];
  const c = new KeelClient({ url: 'ws://127.0.0.1:9/ws', initialBackoffMs: 20, maxBackoffMs: 50, onEvent: (e) => events.push(e) });
  try {
    await until(() => events.filter((e) => e.type === 'reconnecting').length >= 3, 10000, () => `retries: ${JSON.stringify(events)}`);
    assert.ok(events.some((e) => e.type === 'disconnected' && e.beforeOpen && e.kind === 'connection_lost'), JSON.stringify(events));
  } finally {
    c.close();
  }
});

test('a server that accepts the connection and never answers the upgrade is given up after connectTimeoutMs and retried', async () => {
  const net = await import('node:net');
  const { KeelClient } = await import('../keel-client.js');
  const held = [];
  const silent = net.createServer((socket) => held.push(socket)); // reads the upgrade, answers nothing
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const events = [];
  const c = new KeelClient({ url: `ws://127.0.0.1:${silent.address().port}/ws`, connectTimeoutMs: 200, initialBackoffMs: 20, maxBackoffMs: 50, onEvent: (e) => events.push(e) });
  const published = c.publish('t', { n: 1 }); // waits offline; closing the client rejects it
  try {
    await until(() => events.filter((e) => e.type === 'disconnected').length >= 2, 10000, () => `two attempts given up: ${JSON.stringify(events)}`);
    const gone = events.filter((e) => e.type === 'disconnected');
    for (const e of gone) {
      assert.equal(e.beforeOpen, true, JSON.stringify(e));
      assert.equal(e.kind, 'connection_lost', JSON.stringify(e));
      assert.match(e.reason, /not open within 200 ms/);
    }
    assert.ok(held.length >= 2, `the client connected again: ${held.length} connections`);
  } finally {
    c.close();
    await assert.rejects(published, (e) => e.code === 'closed');
    for (const s of held) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('bounds are checked when the client is made', async () => {
  const { KeelClient } = await import('../keel-client.js');
  for (const bad of [{ connectTimeoutMs: 0 }, { pingIntervalMs: -1 }, { maxBackoffMs: 'x' }, { offlineBuffer: -1 }, { pingTimeoutMs: NaN }]) {
    assert.throws(() => new KeelClient({ url: 'ws://127.0.0.1:9/ws', ...bad }), RangeError, JSON.stringify(bad));
  }
});
