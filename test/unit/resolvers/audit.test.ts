/**
 * The audit reads of resolvers/audit.ts against a store that refuses connections: each is
 * AUDIT_UNAVAILABLE with the cause logged and never returned; a filter that could not be ours
 * is BAD_USER_INPUT before the store is asked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GraphQLError, GraphQLResolveInfo } from 'graphql';
import { auditResolvers, documentAuditTrail } from '../../../resolvers/audit.ts';
import type { Context } from '../../../resolvers/context.ts';
import type { Document } from '../../../sources/model.ts';

const CAUSE = 'connect ECONNREFUSED 10.9.8.7:5432 (postgres://atrium:s3cret@db.internal/audit)';

/** A compliance reader's context whose audit store counts its calls and fails every one while `down`. */
function fakeCtx(down: boolean) {
  const warned: { msg: string; fields?: Record<string, unknown> }[] = [];
  const state = { calls: 0 };
  const call = <T>(value: T) => {
    state.calls++;
    return down ? Promise.reject(new Error(CAUSE)) : Promise.resolve(value);
  };
  const ctx = {
    principal: { id: 'u1', email: 'compliance@atrium.example', roles: ['compliance'], regions: [] },
    sources: { ecm: { getAudit: async () => [] } },
    audit: {
      store: {
        list: () => call({ items: [], hasNext: false }),
        count: () => call(0),
        forObject: () => call([]),
        downloadsByCompany: () => call([]),
        checkpoints: () => call({ items: [], hasNext: false, total: 0 }),
      },
      now: () => Date.parse('2026-11-22T12:00:00Z'),
    },
    extraErrors: [] as GraphQLError[],
    log: { warn: (msg: string, fields?: Record<string, unknown>) => warned.push({ msg, fields }) },
  } as unknown as Context;
  return { ctx, warned, state };
}

const info = (...path: string[]) =>
  ({
    path: path.reduce<unknown>((prev, key) => ({ prev, key, typename: undefined }), undefined),
  }) as unknown as GraphQLResolveInfo;

/** Whether `p` rejects with `code`, without a word of the cause. */
const rejectsWith = (p: Promise<unknown>, code: string) =>
  assert.rejects(p, (e: GraphQLError) => {
    assert.equal(e.extensions.code, code);
    assert.doesNotMatch(e.message, /postgres|ECONNREFUSED|10\.9\.8\.7|s3cret/);
    return true;
  });

const events = (ctx: Context, filter: Record<string, unknown> | null = null) => auditResolvers.Query.auditEvents(null, { filter }, ctx);

test('auditEvents while the store refuses connections is AUDIT_UNAVAILABLE, the cause logged with ctx.log.warn', async () => {
  const { ctx, warned } = fakeCtx(true);
  await rejectsWith(events(ctx, { user: 'anna@northwind.example' }), 'AUDIT_UNAVAILABLE');
  assert.deepEqual(warned, [{ msg: 'audit events could not be read', fields: { error: CAUSE } }]);
});

test('a NUL or an over-long value in the auditEvents filter is BAD_USER_INPUT, and the store is not asked', async () => {
  const { ctx, state } = fakeCtx(false);
  for (const filter of [
    { user: 'anna@northwind.example\u0000' },
    { company: 'ACC\u0000' },
    { campaign: 'C'.repeat(20_000) },
    { object: 'x'.repeat(513) },
    { from: `2026-11-22T00:00:00.${'0'.repeat(300)}Z` },
  ]) {
    await rejectsWith(events(ctx, filter), 'BAD_USER_INPUT');
  }
  assert.equal(state.calls, 0);
  // The filter is the caller's to fix even where auditing is off.
  await rejectsWith(events({ ...ctx, audit: undefined } as Context, { user: '\u0000' }), 'BAD_USER_INPUT');
  assert.equal((await events(ctx, { user: 'anna@northwind.example', object: 'x'.repeat(512) })).totalCount, 0);
});

test("a document's auditTrail is AUDIT_UNAVAILABLE while the store is down, its cause logged", async () => {
  const { ctx, warned } = fakeCtx(true);
  const doc = { source: { system: 'OTCS', nativeId: '1001' } } as Document;
  await rejectsWith(documentAuditTrail(doc, ctx), 'AUDIT_UNAVAILABLE');
  assert.equal(warned[0]?.msg, 'audit trail could not be read');
});

test('downloadsByCompany while the store is down answers empty with AUDIT_UNAVAILABLE at its path, so the overview answers', async () => {
  const { ctx, warned } = fakeCtx(true);
  const got = await auditResolvers.ComplianceOverview.downloadsByCompany(null, null, ctx, info('complianceOverview', 'downloadsByCompany'));
  assert.deepEqual(got, []);
  assert.equal(ctx.extraErrors.length, 1);
  assert.equal(ctx.extraErrors[0]?.extensions.code, 'AUDIT_UNAVAILABLE');
  assert.deepEqual(ctx.extraErrors[0]?.path, ['complianceOverview', 'downloadsByCompany']);
  assert.doesNotMatch(JSON.stringify(ctx.extraErrors[0]), /postgres|ECONNREFUSED/);
  assert.equal(warned[0]?.msg, 'audit downloads by company could not be read');
});

test('auditCheckpoints while the store is down is AUDIT_UNAVAILABLE', async () => {
  const { ctx } = fakeCtx(true);
  const admin = { ...ctx, principal: { id: 'a', email: 'admin@atrium.example', roles: ['admin'], regions: [] } } as Context;
  await rejectsWith(auditResolvers.Query.auditCheckpoints(null, {}, admin), 'AUDIT_UNAVAILABLE');
});
