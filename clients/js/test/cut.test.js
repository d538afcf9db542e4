// The application stalls, the server cuts it as a slow consumer (JsClientIT: KEEL_CONTROL/flood fills
// its queue with 60 kB messages and creates KEEL_FLAG once the cut has begun).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { URL, until, within, client, brief } from './support.js';

const CONTROL = process.env.KEEL_CONTROL;
const FLAG = process.env.KEEL_FLAG;

test('a slow-consumer cut: the client reconnects and recovers, or reports what it missed; never twice, never out of order', { skip: !(URL && CONTROL && FLAG) && 'KEEL_URL, KEEL_CONTROL and KEEL_FLAG not set' }, async () => {
  const events = [];
  const got = [];
  const c = client(events);
  const publisher = client([]);
  let stalled = false;
  c.subscribe('js.cut', (m) => {
    if (!stalled) {
      stalled = true;
      // The application is stuck in synchronous work on its first message: Node reads nothing meanwhile,
      // so the server's queue for it fills. It ends when the server has cut it (or after 30 s).
      const end = Date.now() + 30000;
      while (!existsSync(FLAG) && Date.now() < end) { /* busy */ }
    }
    got.push(m.seq);
  });
  await until(() => events.some((e) => e.type === 'subscribed'), 20000, 'the subscription');
  const flood = await within(fetch(`${CONTROL}/flood?topic=js.cut`, { signal: AbortSignal.timeout(30000) }), 30000, 'the flood');
  const text = await flood.text();
  assert.equal(flood.status, 200, text);
  assert.ok(existsSync(FLAG), 'the server cut a slow consumer');
  const published = Number(text);
  await until(() => events.some((e) => e.type === 'disconnected' && e.kind === 'slow_consumer'), 20000, 'the slow-consumer close');
  await until(() => events.filter((e) => e.type === 'subscribed').length >= 2, 30000, () => `the resubscription: ${brief(events.slice(-30))}`);
  const last = published + 1;
  await within(publisher.publish('js.cut', { n: last, pad: '' }), 15000, 'the ok for a publish');
  await until(() => got.length > 0 && got[got.length - 1] === last, 60000, `seq ${last}`);

  for (let i = 1; i < got.length; i++) assert.ok(got[i] > got[i - 1], `in order, never twice: ${got[i - 1]} then ${got[i]}`);
  const again = events.filter((e) => e.type === 'subscribed').slice(1);
  if (again.every((e) => e.recovered)) {
    assert.equal(got.length, last, `recovered every time, so every message: ${brief(events)}`);
  } else {
    assert.ok(again.some((e) => e.attempted && !e.recovered && e.reason), `what it missed was reported: ${brief(events)}`);
  }
});
