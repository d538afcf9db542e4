// Authentication on (JsClientIT: --auth-hmac-secret KEEL_SECRET); the tests sign their own HS256 tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { URL, until, within, client, brief } from './support.js';

const SECRET = process.env.KEEL_SECRET;
const skip = !(URL && SECRET) && 'KEEL_URL and KEEL_SECRET not set';

function token(lifeSeconds) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'js', exp: Math.floor(Date.now() / 1000) + lifeSeconds, keel: { sub: ['>'], pub: ['>'] } })}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

test('a short-lived token is refreshed through the callback before it expires: never cut', { skip }, async () => {
  const events = [];
  let calls = 0;
  const c = client(events, { token: () => { calls++; return token(3); } });
  await until(() => events.filter((e) => e.type === 'tokenRefreshed').length >= 2, 20000, 'two refreshes');
  assert.ok(calls >= 3, `asked for a token before connecting and before each expiry (${calls} calls)`);
  assert.ok(!events.some((e) => e.type === 'disconnected'), `refreshed in time: ${brief(events)}`);
  assert.equal(c.ws?.readyState, 1, 'still connected past the first token\'s expiry');
});

test('after a token expired close it reconnects with a fresh token and loses nothing', { skip }, async () => {
  const events = [];
  const got = [];
  let calls = 0;
  // First a 2 s token, then no refresh (the callback returns null), then a long one on reconnect.
  const c = client(events, { token: () => { calls++; return calls === 1 ? token(2) : calls === 2 ? null : token(300); } });
  const publisher = client([], { token: () => token(300) });
  c.subscribe('js.token', (m) => got.push(m.data.n));
  await until(() => events.some((e) => e.type === 'subscribed'), 20000, 'the subscription');
  await within(publisher.publish('js.token', { n: 1 }), 15000, 'the ok for a publish');
  await until(() => got.length === 1, 20000, 'the first message');
  await until(() => events.some((e) => e.type === 'disconnected' && e.kind === 'token_expired'), 20000, 'the token-expired close');
  await within(publisher.publish('js.token', { n: 2 }), 15000, 'the ok for a publish'); // while the client is reconnecting, or just back
  await until(() => events.some((e) => e.type === 'subscribed' && e.attempted && e.recovered), 20000, 'the recovery');
  await within(publisher.publish('js.token', { n: 3 }), 15000, 'the ok for a publish');
  await until(() => got.length >= 3, 20000, 'three messages');
  assert.deepEqual(got, [1, 2, 3], `every message once, in order: ${brief(events)}`);
  assert.ok(calls >= 3, `a fresh token was asked for after the close (${calls} calls)`);
  assert.ok(!events.some((e) => e.type === 'reconnecting' && e.cause === 'token_expired'), `no backoff after token expired: ${brief(events)}`);
});
