/**
 * The SSRF guard of outgoing webhooks: schemes, length, user info; every kind of non-public
 * address in IPv4, IPv6 and IPv4-in-IPv6 form refused outside demo mode, loopback allowed in demo
 * mode only; the allow-list (host names and CIDRs); and the delivery-time check of every resolved
 * address (DNS rebinding), through the lookup node's request uses.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addressProblem,
  checkWebhookUrl,
  guardedLookup,
  MAX_URL_LENGTH,
  parseAllowList,
  resolveChecked,
  specialAddress,
  type GuardOptions,
} from '../../../../flows/outbound/ssrf.ts';

const prod: GuardOptions = { demo: false, allow: [] };
const demo: GuardOptions = { demo: true, allow: [] };
const problem = (url: string, opts = prod) => {
  const r = checkWebhookUrl(url, opts);
  return r.ok ? null : r.problem;
};

describe('checkWebhookUrl', () => {
  it('accepts public http and https URLs', () => {
    assert.equal(problem('https://hooks.example.com/atrium?x=1'), null);
    assert.equal(problem('http://93.184.216.34:8080/in'), null);
    assert.equal(problem('https://[2606:4700::1111]/in'), null);
  });

  it('refuses other schemes, user info, unparsable and over-long URLs', () => {
    assert.match(problem('file:///etc/passwd') ?? '', /must be http or https \(not file\)/);
    assert.match(problem('ftp://example.com/') ?? '', /not ftp/);
    assert.match(problem('gopher://example.com/') ?? '', /not gopher/);
    assert.match(problem('https://user:pw@example.com/') ?? '', /user name or password/);
    assert.match(problem('https://user@example.com/') ?? '', /user name or password/);
    assert.match(problem('not a url') ?? '', /not a valid absolute URL/);
    assert.match(problem('') ?? '', /empty/);
    assert.match(problem(`https://example.com/${'a'.repeat(10_000)}`) ?? '', new RegExp(`at most ${MAX_URL_LENGTH}`));
    assert.equal(problem(`https://example.com/${'a'.repeat(MAX_URL_LENGTH - 'https://example.com/'.length)}`), null);
  });

  const blocked: [string, RegExp][] = [
    ['http://127.0.0.1/', /loopback/],
    ['http://127.1.2.3:4000/', /loopback/],
    ['http://localhost:4000/', /loopback/],
    ['http://api.localhost/', /loopback/],
    ['http://[::1]/', /loopback/],
    ['http://10.0.0.5/', /private/],
    ['http://172.16.0.1/', /private/],
    ['http://172.31.255.255/', /private/],
    ['http://192.168.1.1/', /private/],
    ['http://[fd00::1]/', /private/],
    ['http://[fc12:3456::1]/', /private/],
    ['http://169.254.169.254/latest/meta-data', /link-local/],
    ['http://[fe80::1]/', /link-local/],
    ['http://0.0.0.0/', /unspecified/],
    ['http://[::]/', /unspecified/],
    ['http://100.64.0.1/', /CGNAT/],
    ['http://100.127.255.254/', /CGNAT/],
    ['http://224.0.0.1/', /multicast/],
    ['http://[ff02::1]/', /multicast/],
    ['http://255.255.255.255/', /broadcast/],
    ['http://[::ffff:127.0.0.1]/', /loopback/],
    ['http://[::ffff:a9fe:a9fe]/', /link-local/],
    ['http://[::ffff:10.1.2.3]/', /private/],
    ['http://[64:ff9b::c0a8:101]/', /private/],
    // Other spellings of 127.0.0.1 that URL parsing normalises.
    ['http://2130706433/', /loopback/],
    ['http://0x7f.0.0.1/', /loopback/],
    ['http://017700000001/', /loopback/],
  ];
  for (const [url, why] of blocked)
    it(`refuses ${url} outside demo mode`, () => {
      assert.match(problem(url) ?? '(allowed)', why);
    });

  it('public neighbours of the blocked ranges are allowed', () => {
    for (const url of ['http://172.32.0.1/', 'http://100.128.0.1/', 'http://11.0.0.1/', 'http://169.253.1.1/', 'http://[2001:4860::8888]/'])
      assert.equal(problem(url), null, url);
  });

  it('demo mode allows loopback, and nothing else more', () => {
    assert.equal(problem('http://127.0.0.1:4999/hook', demo), null);
    assert.equal(problem('http://localhost:4999/hook', demo), null);
    assert.equal(problem('http://[::1]:4999/hook', demo), null);
    assert.match(problem('http://10.0.0.1/', demo) ?? '', /private/);
    assert.match(problem('http://169.254.169.254/', demo) ?? '', /link-local/);
  });

  it('the allow-list lets named hosts and address ranges through', () => {
    const problems: string[] = [];
    const allow = parseAllowList('hooks.internal.example, 10.20.0.0/16 fd00:1::/32, ::ffff:192.168.7.0/120, 127.0.0.1', problems);
    assert.deepEqual(problems, []);
    const opts = { demo: false, allow };
    assert.equal(problem('http://10.20.3.4/', opts), null);
    assert.match(problem('http://10.21.0.1/', opts) ?? '', /private/);
    assert.equal(problem('http://[fd00:1::5]/', opts), null);
    assert.equal(problem('http://192.168.7.9/', opts), null);
    assert.match(problem('http://192.168.8.9/', opts) ?? '', /private/);
    assert.equal(problem('http://127.0.0.1/', opts), null);
    assert.equal(addressProblem('10.9.9.9', 'hooks.internal.example', opts), null, 'a named host may resolve anywhere');
    assert.match(addressProblem('10.9.9.9', 'other.example', opts) ?? '', /private/);
  });

  it('malformed allow-list entries are reported', () => {
    const problems: string[] = [];
    parseAllowList('10.0.0.0/33, ::1/129, http://x, a..b', problems);
    assert.equal(problems.length, 4, problems.join('\n'));
  });

  it('specialAddress classifies addresses and leaves names alone', () => {
    assert.equal(specialAddress('8.8.8.8'), null);
    assert.equal(specialAddress('example.com'), null);
    assert.match(specialAddress('::ffff:7f00:1') ?? '', /loopback/);
    assert.match(specialAddress('[::ffff:192.168.0.1]') ?? '', /private/);
    assert.equal(specialAddress('::ffff:8.8.8.8'), null);
    // IPv4 carried inside IPv6 in its other forms is judged as that IPv4 address.
    assert.match(specialAddress('::7f00:1') ?? '', /loopback/, 'IPv4-compatible');
    assert.match(specialAddress('::ffff:0:a00:1') ?? '', /private/, 'SIIT');
    assert.match(specialAddress('64:ff9b:1::a00:1') ?? '', /private/, 'local-use NAT64');
    assert.match(specialAddress('2002:a00:1::') ?? '', /private/, '6to4 of 10.0.0.1');
    assert.equal(specialAddress('2002:808:808::'), null, '6to4 of a public address');
    assert.match(specialAddress('2001:0:4136:e378:8000:63bf:3fff:fdd2') ?? '', /Teredo/);
    assert.equal(checkWebhookUrl('http://[::127.0.0.1]/x', prod).ok, false);
    assert.equal(checkWebhookUrl('http://localhost./x', prod).ok, false, 'a trailing dot is the same host');
  });
});

describe('resolving at delivery time', () => {
  const dns = (map: Record<string, string[]>) => async (host: string) =>
    (map[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('refuses a name when any of its addresses is internal (DNS rebinding)', async () => {
    const resolve = dns({ 'evil.example': ['93.184.216.34', '169.254.169.254'], 'ok.example': ['93.184.216.34', '2606:4700::1'] });
    await assert.rejects(resolveChecked('evil.example', prod, resolve), { name: 'BlockedAddressError', message: /link-local/ });
    assert.equal((await resolveChecked('ok.example', prod, resolve)).length, 2);
    await assert.rejects(resolveChecked('none.example', prod, resolve), { code: 'ENOTFOUND' });
  });

  it("node's lookup gets only checked addresses, in the shape it asked for", async () => {
    let answer = ['93.184.216.34'];
    const lookup = guardedLookup(prod, async () => answer.map((address) => ({ address, family: 4 })));
    const call = (all: boolean) =>
      new Promise<{ err: Error | null; address: unknown; family?: number }>((r) =>
        lookup('rebind.example', { all }, (err, address, family) => r({ err, address, family })),
      );
    assert.deepEqual(await call(false), { err: null, address: '93.184.216.34', family: 4 });
    assert.deepEqual((await call(true)).address, [{ address: '93.184.216.34', family: 4 }]);
    // The same name now points inside: the connection is refused.
    answer = ['127.0.0.1'];
    const refused = await call(false);
    assert.equal(refused.err?.name, 'BlockedAddressError');
  });
});
