import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  DEFAULT_TOLERANCE_S,
  createVerifier,
  formatSecret,
  secretKey,
  secretProblem,
  sign,
  signedHeaders,
  type HeaderBag,
} from '../../../../flows/inbound/standard-webhooks.ts';

// The spec's test vector (vendor-apis-writes.md §9.1, from the JS reference library's tests).
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TS = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const at = (seconds: number) => () => seconds * 1000;
const verifier = createVerifier({ secrets: SECRET, now: at(TS) });
const headers = (over: Record<string, string | string[] | undefined> = {}): HeaderBag => ({
  'webhook-id': ID,
  'webhook-timestamp': String(TS),
  'webhook-signature': SIGNATURE,
  ...over,
});

test("the spec's test vector: signing gives its signature, verifying it is ok", () => {
  assert.equal(sign(SECRET, ID, TS, BODY), SIGNATURE);
  assert.equal(sign(SECRET, ID, TS, Buffer.from(BODY)), SIGNATURE);
  assert.deepEqual(verifier.verify(headers(), BODY), { outcome: 'ok', id: ID, timestamp: TS });
  assert.deepEqual(verifier.verify(headers(), Buffer.from(BODY)), { outcome: 'ok', id: ID, timestamp: TS });
});

test('signedHeaders gives the three headers a receiver verifies', () => {
  const body = JSON.stringify({ type: 'account.created', data: { id: 'ACC-9001' } });
  const h = signedHeaders(SECRET, { id: 'msg_1', timestamp: TS, body });
  assert.deepEqual(Object.keys(h), ['webhook-id', 'webhook-timestamp', 'webhook-signature']);
  assert.deepEqual(verifier.verify(h, body), { outcome: 'ok', id: 'msg_1', timestamp: TS });
  assert.throws(() => signedHeaders(SECRET, { id: 'a.b', timestamp: TS, body }), /webhook id/);
  assert.throws(() => signedHeaders(SECRET, { id: 'a', timestamp: 1.5, body }), /timestamp/);
});

test('several signatures: any v1 entry that matches is enough; other versions are skipped', () => {
  const other = sign(formatSecret(randomBytes(32)), ID, TS, BODY);
  const list = `v1a,${'A'.repeat(86)}== ${other} ${SIGNATURE}`;
  assert.equal(verifier.verify(headers({ 'webhook-signature': list }), BODY).outcome, 'ok');
  // Extra spaces between entries are tolerated.
  assert.equal(verifier.verify(headers({ 'webhook-signature': `  ${other}   ${SIGNATURE} ` }), BODY).outcome, 'ok');
  assert.equal(verifier.verify(headers({ 'webhook-signature': `${other} v2,${SIGNATURE.slice(3)}` }), BODY).outcome, 'bad-signature');
});

test('secret rotation on the receiving side: any of the configured secrets verifies', () => {
  const next = formatSecret(randomBytes(32));
  const rotating = createVerifier({ secrets: [next, SECRET], now: at(TS) });
  assert.equal(rotating.verify(headers(), BODY).outcome, 'ok');
  const body = '{"type":"x"}';
  assert.equal(rotating.verify(signedHeaders(next, { id: ID, timestamp: TS, body }), body).outcome, 'ok');
});

test('anything changed is a bad signature: body, id, timestamp, secret, one bit of the signature', () => {
  const bad = (h: HeaderBag, body = BODY) => assert.equal(verifier.verify(h, body).outcome, 'bad-signature');
  bad(headers(), '{"test": 2432232315}');
  bad(headers(), `${BODY} `);
  bad(headers({ 'webhook-id': `${ID}x` }));
  bad(headers({ 'webhook-timestamp': String(TS + 1) }));
  const flipped = `v1,${SIGNATURE[3] === 'g' ? 'h' : 'g'}${SIGNATURE.slice(4)}`;
  bad(headers({ 'webhook-signature': flipped }));
  bad(headers({ 'webhook-signature': sign(formatSecret(randomBytes(24)), ID, TS, BODY) }));
  // The signature of the same message under the bare key (no base64 decoding) is not it.
  bad(headers({ 'webhook-signature': 'v1,' + Buffer.from('x').toString('base64').padEnd(43, 'A') + '=' }));
});

test('non-canonical base64 of the right signature is refused (no malleable variants)', () => {
  const noPad = SIGNATURE.slice(0, -1);
  const junk = `${SIGNATURE.slice(0, 10)}!${SIGNATURE.slice(10)}`;
  for (const s of [noPad, junk, SIGNATURE.toLowerCase(), `${SIGNATURE}=`, SIGNATURE.replace('v1,', 'V1,')])
    assert.equal(verifier.verify(headers({ 'webhook-signature': s }), BODY).outcome, 'bad-signature', s);
});

test('stale: more than 5 minutes either way, only for an authentic message', () => {
  assert.equal(DEFAULT_TOLERANCE_S, 300);
  const when = (s: number) => createVerifier({ secrets: SECRET, now: at(s) }).verify(headers(), BODY);
  assert.equal(when(TS + 300).outcome, 'ok');
  assert.equal(when(TS - 300).outcome, 'ok');
  assert.deepEqual(when(TS + 301), { outcome: 'stale', reason: 'webhook-timestamp is too old', id: ID, timestamp: TS });
  assert.deepEqual(when(TS - 301), { outcome: 'stale', reason: 'webhook-timestamp is too new', id: ID, timestamp: TS });
  // A forgery is a forgery, whatever its age.
  const forged = createVerifier({ secrets: SECRET, now: at(TS + 3600) }).verify(headers(), `${BODY}x`);
  assert.equal(forged.outcome, 'bad-signature');
  // The tolerance is configurable.
  assert.equal(createVerifier({ secrets: SECRET, now: at(TS + 20), toleranceS: 10 }).verify(headers(), BODY).outcome, 'stale');
});

test('malformed headers are named, never thrown', () => {
  const cases: [Record<string, string | string[] | undefined>, RegExp][] = [
    [{ 'webhook-id': undefined }, /webhook-id is missing/],
    [{ 'webhook-id': '' }, /webhook-id is missing/],
    [{ 'webhook-timestamp': undefined }, /webhook-timestamp is missing/],
    [{ 'webhook-signature': undefined }, /webhook-signature is missing/],
    [{ 'webhook-id': [ID, 'msg_2'] }, /webhook-id is repeated/],
    [{ 'webhook-id': 'msg.1' }, /webhook-id must be/],
    [{ 'webhook-id': 'msg 1' }, /webhook-id must be/],
    [{ 'webhook-id': 'msg\u00001' }, /webhook-id must be/],
    [{ 'webhook-id': 'x'.repeat(257) }, /webhook-id must be/],
    [{ 'webhook-timestamp': '1614265330.5' }, /integer Unix seconds/],
    [{ 'webhook-timestamp': '-1614265330' }, /integer Unix seconds/],
    [{ 'webhook-timestamp': '1e9' }, /integer Unix seconds/],
    [{ 'webhook-timestamp': '9'.repeat(13) }, /integer Unix seconds/],
    [{ 'webhook-timestamp': '2021-02-25T15:02:10Z' }, /integer Unix seconds/],
    [{ 'webhook-signature': 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' }, /version,signature/],
    [{ 'webhook-signature': 'v1,' }, /version,signature/],
    [{ 'webhook-signature': '   ' }, /version,signature/],
    [{ 'webhook-signature': `${SIGNATURE}, ${SIGNATURE}` }, /version,signature/],
    [{ 'webhook-signature': Array(17).fill(SIGNATURE).join(' ') }, /version,signature/],
    [{ 'webhook-signature': `${SIGNATURE} ${'v1,x'.repeat(600)}` }, /too long/],
  ];
  for (const [over, reason] of cases) {
    const r = verifier.verify(headers(over), BODY);
    assert.equal(r.outcome, 'malformed', JSON.stringify(over).slice(0, 80));
    assert.match((r as { reason: string }).reason, reason);
  }
});

test('hostile input never throws: odd header types, huge and binary bodies', () => {
  const odd: unknown[] = [null, 42, {}, [], [null], ['a', 'b'], Symbol.for('x')];
  for (const v of odd)
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'])
      assert.equal(verifier.verify({ ...headers(), [name]: v } as unknown as HeaderBag, BODY).outcome, 'malformed');
  assert.equal(verifier.verify({}, '').outcome, 'malformed');
  assert.equal(verifier.verify(headers(), randomBytes(1 << 20)).outcome, 'bad-signature');
  assert.equal(verifier.verify(headers(), new Uint8Array(0)).outcome, 'bad-signature');
  // A header object with a prototype-polluting key reads nothing from it.
  assert.equal(verifier.verify(JSON.parse('{"__proto__":{"webhook-id":"x"}}') as HeaderBag, BODY).outcome, 'malformed');
});

test('header names are matched without regard to case in a plain record', () => {
  const h = { 'Webhook-Id': ID, 'WEBHOOK-TIMESTAMP': String(TS), 'Webhook-Signature': SIGNATURE };
  assert.equal(verifier.verify(h, BODY).outcome, 'ok');
});

test('secrets: whsec_ + base64 of 24-64 bytes; problems never contain the secret', () => {
  assert.equal(secretProblem(SECRET), null);
  assert.equal(secretKey(SECRET).length, 24);
  const fresh = formatSecret(randomBytes(32));
  assert.match(fresh, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(secretProblem(fresh), null);
  const bad = [
    'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    'whsec_',
    'whsec_c2hvcnQ=',
    `whsec_${'A'.repeat(100)}`,
    'whsec_not*base64*at*all!!!!!!!!!!',
    42,
  ];
  for (const b of bad) {
    const problem = secretProblem(b);
    assert.ok(problem, String(b));
    if (typeof b === 'string' && b.length > 8) assert.ok(!problem.includes(b.slice(6)), 'the problem repeats no secret');
  }
  assert.throws(() => createVerifier({ secrets: [] }), /at least one secret/);
  assert.throws(
    () => createVerifier({ secrets: [SECRET, 'whsec_c2hvcnQ='] }),
    (e: Error) => /secret #2 must encode 24 to 64 bytes/.test(e.message) && !e.message.includes('c2hvcnQ'),
  );
  assert.throws(() => formatSecret(randomBytes(16)), /24 to 64/);
});
