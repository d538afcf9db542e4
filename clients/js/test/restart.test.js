// The server stops and a new one starts on the same port mid-stream (JsClientIT: KEEL_CONTROL/restart).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { URL, until, within, client, brief } from './support.js';

const CONTROL = process.env.KEEL_CONTROL;

test('server restarted mid-stream: the client reports recovered:false (epoch_changed) and keeps going', { skip: !(URL && CONTROL) && 'KEEL_URL and KEEL_CONTROL not set' }, async () => {
  const events = [];
  const got = [];
  const c = client(events);
  const publisher = client([]);
  c.subscribe('js.restart', (m) => got.push(m.data.n));
  await until(() => events.some((e) => e.type === 'subscribed'), 15000, () => `the first subscription: ${brief(events)}`);
  const firstEpoch = events.find((e) => e.type === 'subscribed').epoch;
  for (let i = 1; i <= 5; i++) await within(publisher.publish('js.restart', { n: i }), 10000, `the ok for publish ${i}`);
  await until(() => got.length === 5, 10000, () => `five messages, got ${got}`);

  // Returns once the new server listens: closing drains for at most the test server's 2 s grace.
  const answer = await within(fetch(`${CONTROL}/restart`, { signal: AbortSignal.timeout(20000) }), 20000, 'the restart');
  assert.equal(answer.status, 200, await answer.text());
  await until(() => events.some((e) => e.type === 'disconnected' && e.kind === 'going_away'), 10000, () => `the going-away close: ${brief(events)}`);
  await until(() => events.filter((e) => e.type === 'subscribed').length >= 2, 20000, () => `the resubscription: ${brief(events.slice(-30))}`);
  const again = events.filter((e) => e.type === 'subscribed')[1];
  assert.equal(again.attempted, true, `asked to recover: ${brief(events)}`);
  assert.equal(again.recovered, false, `a new process has nothing to recover from: ${brief(events)}`);
  assert.equal(again.reason, 'epoch_changed', brief(events));
  assert.notEqual(again.epoch, firstEpoch, 'a new epoch');

  // Waits offline if the publisher is not back yet; its connect deadline (10 s) bounds a stuck attempt.
  for (let i = 6; i <= 8; i++) await within(publisher.publish('js.restart', { n: i }), 15000, `the ok for publish ${i}`);
  await until(() => got.length >= 8, 10000, () => `the new stream, got ${got}: ${brief(events)}`);
  assert.deepEqual(got, [1, 2, 3, 4, 5, 6, 7, 8], `every message once, in order, across the restart: ${brief(events)}`);
  assert.ok(events.some((e) => e.type === 'reconnecting'), brief(events));
  assert.ok(!events.some((e) => e.type === 'gap'), `no gap reported in the new stream: ${brief(events)}`);
});
