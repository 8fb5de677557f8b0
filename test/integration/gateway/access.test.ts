import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack.ts';
import { testWorld } from '../../helpers/world.ts';
import { demoDirectory } from '../../../gateway/demo-users.ts';
import type { Principal } from '../../../access/principal.ts';
import { assetId, campaignId } from '../../../access/ids.ts';

const world = testWorld();
const directory = demoDirectory(world);
const as = (email: string) => directory(email) as Principal;
let stack: Stack;
let reader: Principal;

before(async () => {
  reader = as('compliance@atrium.example');
  stack = await startStack({ principalFor: async (h) => (h?.startsWith('Bearer ') ? as(h.slice(7)) : null) });
});
after(() => stack.close());

const q = (email: string, query: string, variables?: Record<string, unknown>) =>
  stack.query(query, variables, { authorization: `Bearer ${email}` });

test('explainAccess names the rule that decides, for compliance and admin only', async () => {
  const nimbus = [...world.campaigns()].find((c) => c.name === 'Nimbus for Retail');
  assert.ok(nimbus);
  const Q = 'query($id: ID!, $as: String!) { explainAccess(id: $id, as: $as) { allowed rule reader } }';
  const anna = await q(reader.email, Q, { id: campaignId(nimbus.code), as: 'anna@northwind.example' });
  assert.equal((anna.body.data as { explainAccess: { allowed: boolean } }).explainAccess.allowed, true);
  const kenji = await q(reader.email, Q, { id: campaignId(nimbus.code), as: 'kenji@sakura-media.example' });
  const k = (kenji.body.data as { explainAccess: { allowed: boolean; rule: string } }).explainAccess;
  assert.equal(k.allowed, false);
  assert.match(k.rule, /audience|region/);
  const expiredLicence = [...world.assets()].find(
    (a) => a.rightsCase === 'licence-expired' && a.approval === 'APPROVED' && a.campaignCode === nimbus.code,
  );
  assert.ok(expiredLicence);
  const lic = await q(reader.email, Q, { id: assetId(expiredLicence.system, expiredLicence.nativeId), as: 'anna@northwind.example' });
  const l = (lic.body.data as { explainAccess: { allowed: boolean; rule: string } }).explainAccess;
  assert.equal(l.allowed, false);
  assert.match(l.rule, /right/i);
  const forbidden = await q('anna@northwind.example', Q, { id: campaignId(nimbus.code), as: 'kenji@sakura-media.example' });
  assert.equal(forbidden.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  const unknown = await q(reader.email, Q, { id: campaignId(nimbus.code), as: 'nobody@example.com' });
  assert.equal(unknown.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
});

test('a partner downloads a rendition of a visible asset; the link is bound to them, unalterable and short-lived', async () => {
  const r = await q(
    'anna@northwind.example',
    '{ search(query: "Aurora", filter: { kinds: [IMAGE] }, first: 5) { nodes { ... on Asset { id renditions { kind url } } } } }',
  );
  const nodes = (r.body.data as { search: { nodes: { id: string; renditions: { kind: string; url: string }[] }[] } }).search.nodes;
  assert.ok(nodes.length > 0, JSON.stringify(r.body.errors));
  const url = nodes[0]?.renditions.find((x) => x.kind === 'THUMBNAIL')?.url as string;
  assert.match(url, /\/files\/assets\/.+\/thumbnail\?exp=\d+&sig=/);
  const ok = await fetch(url, { headers: { authorization: 'Bearer anna@northwind.example' } });
  assert.equal(ok.status, 200);
  const bytes = Buffer.from(await ok.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG');
  assert.equal(
    (await fetch(url, { headers: { authorization: 'Bearer ben@northwind.example' } })).status,
    403,
    'another reader, even of the same company',
  );
  assert.equal((await fetch(url)).status, 401, 'no token');
  assert.equal(
    (await fetch(url.replace('/thumbnail?', '/original?'), { headers: { authorization: 'Bearer anna@northwind.example' } })).status,
    403,
    'altered kind',
  );
  assert.equal(
    (
      await fetch(
        url.replace(/exp=\d+/, (m) => `exp=${Number(m.slice(4)) + 1}`),
        { headers: { authorization: 'Bearer anna@northwind.example' } },
      )
    ).status,
    403,
    'altered expiry',
  );
  const doc = await q(
    'anna@northwind.example',
    '{ search(query: "Playbook", first: 1) { nodes { ... on Document { name downloadUrl } } } }',
  );
  const d = (doc.body.data as { search: { nodes: { name: string; downloadUrl: string }[] } }).search.nodes[0];
  assert.ok(d?.downloadUrl);
  const got = await fetch(d.downloadUrl, { headers: { authorization: 'Bearer anna@northwind.example' } });
  assert.equal(got.status, 200);
  assert.match(await got.text(), /^%PDF-/);
});
