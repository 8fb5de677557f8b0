/**
 * OTMM metadata fields over HTTP, as third-party clients read them: empty fields must parse
 * with the rules of OpenText's own pyxecm asset parser (vendor-apis.md §0 `pyxecm`), and
 * fields bound to a lookup domain must say so (`domain_value: true`) and carry the domain
 * entry a domain-aware reader looks up (`field_value.value`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import type { DemoAsset } from '../../../simulators/demo/world.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { createOtmmSimulator, type OtmmSimOptions } from '../../../simulators/otmm/simulator.ts';
import { DAM_FIELDS, demoMapping, type DamField } from '../../../sources/mapping.ts';
import type { OtmmAssetResource, OtmmMetadataElement, OtmmSessionResource } from '../../../sources/otmm/wire.ts';
import { testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const F = mapping.otmm.fields;
const API = '/otmmapi/v6';
const ALL: DemoAsset[] = [...world.assets('OTMM')];
/** Scalar fields bound to a lookup domain (`GET /lookupdomains` lists their vocabularies). */
const DOMAIN_SCALARS: DamField[] = ['region', 'approval', 'rightsStatus', 'locale', 'productLine'];
const FREE_SCALARS: DamField[] = ['campaignCode', 'accountId', 'validFrom', 'validUntil', 'licenceId'];

/** The canonical value of a scalar field of a demo asset (the demo mapping has no value maps for OTMM). */
const valueOf = (a: DemoAsset, f: DamField): string | undefined =>
  ({
    campaignCode: a.campaignCode,
    accountId: a.accountId,
    productLine: a.productLine,
    region: a.region,
    approval: a.approval,
    rightsStatus: a.rights.status,
    validFrom: a.rights.validFrom,
    validUntil: a.rights.validUntil,
    locale: a.locale,
    licenceId: a.rights.licenceId,
  })[f as Exclude<DamField, 'territories' | 'channels'>];

/**
 * One field read by the rules of pyxecm's OTMM asset parser: a scalar needs `value.value`, whose
 * `value` (or, for a domain entry, `display_value`) is the value; no inner `value` means None.
 * JavaScript's `in` throws on null as Python's does, so `{"value": null}` fails here as there.
 */
function pyxecmRead(el: OtmmMetadataElement): unknown {
  const outer = el.value as object | undefined;
  if (outer !== undefined && 'value' in outer) {
    const inner = (outer as { value: object }).value;
    if ('value' in inner) return (inner as { value: unknown }).value;
    if ('display_value' in inner) return (inner as { display_value: unknown }).display_value;
    return null;
  }
  if (el.metadata_element_list) return el.metadata_element_list.flatMap((row) => (row.values ?? []).map((v) => v.value?.display_value));
  return null;
}

async function start(opts?: OtmmSimOptions) {
  const sim = createOtmmSimulator(world, mapping, opts);
  const base = await sim.listen(0);
  const res = await fetch(`${base}${API}/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(DEMO_CREDENTIALS.otmm),
  });
  const { session_resource } = (await res.json()) as OtmmSessionResource;
  const headers = { 'x-requested-by': String(session_resource.session.id), cookie: res.headers.getSetCookie()[0]?.split(';')[0] ?? '' };
  /** The mapped fields of an asset, by field id. */
  const fieldsOf = async (a: DemoAsset): Promise<Map<string, OtmmMetadataElement>> => {
    const body = (await (await fetch(`${base}${API}/assets/${a.nativeId}`, { headers })).json()) as OtmmAssetResource;
    const category = body.asset_resource.asset.metadata?.metadata_element_list[0]?.metadata_element_list ?? [];
    return new Map(category.map((el) => [el.id as string, el]));
  };
  return { sim, fieldsOf };
}

/** An asset whose field `f` is empty. */
function emptyIn(f: DamField): DemoAsset {
  const empty = ALL.find((a) => valueOf(a, f) === undefined);
  assert.ok(empty, `the world has an asset without ${f}`);
  return empty;
}

describe('OTMM simulator: empty fields', () => {
  let sim: Simulator;
  let fieldsOf: (a: DemoAsset) => Promise<Map<string, OtmmMetadataElement>>;
  before(async () => ({ sim, fieldsOf } = await start()));
  after(() => sim.close());

  test("pyxecm's parser reads every field of every asset; empty fields read as None", async () => {
    for (const a of ALL.slice(0, 60)) {
      const fields = await fieldsOf(a);
      for (const f of DAM_FIELDS) {
        const el = fields.get(F[f]);
        assert.ok(el, `${F[f]} is present`);
        const read = pyxecmRead(el);
        if (f === 'territories' || f === 'channels') continue;
        assert.equal(read, valueOf(a, f) ?? null, `${a.nativeId} ${F[f]}`);
      }
    }
  });

  test('an empty field keeps its flags and leaves out the inner value', async () => {
    for (const f of ['licenceId', 'accountId'] as const) {
      const el = (await fieldsOf(emptyIn(f))).get(F[f]);
      assert.deepEqual(el?.value, { is_locked: false, domain_value: false, cascading_domain_value: false }, F[f]);
    }
  });

  test('emptyValue: typed sends the type without a value, which pyxecm also reads as None', async () => {
    const typed = await start({ emptyValue: 'typed' });
    try {
      const el = (await typed.fieldsOf(emptyIn('licenceId'))).get(F.licenceId) as OtmmMetadataElement;
      assert.deepEqual(el.value?.value, { type: 'string' });
      assert.equal(pyxecmRead(el), null);
    } finally {
      await typed.sim.close();
    }
  });
});

describe('OTMM simulator: lookup-domain fields', () => {
  let sim: Simulator;
  let fieldsOf: (a: DemoAsset) => Promise<Map<string, OtmmMetadataElement>>;
  before(async () => ({ sim, fieldsOf } = await start()));
  after(() => sim.close());

  test('fields bound to a lookup domain say domain_value: true; free fields say false', async () => {
    const a = ALL.find((x) => DOMAIN_SCALARS.every((f) => valueOf(x, f) !== undefined)) as DemoAsset;
    const fields = await fieldsOf(a);
    for (const f of DOMAIN_SCALARS) assert.equal(fields.get(F[f])?.value?.domain_value, true, F[f]);
    for (const f of FREE_SCALARS) assert.equal(fields.get(F[f])?.value?.domain_value, false, F[f]);
  });

  test('a domain value is the domain entry: field_value.value is the code, display_value the label', async () => {
    for (const a of ALL.slice(0, 40)) {
      const fields = await fieldsOf(a);
      for (const f of DOMAIN_SCALARS) {
        const v = valueOf(a, f);
        if (v === undefined) continue;
        const inner = fields.get(F[f])?.value?.value;
        assert.equal(inner?.field_value?.value, v, `${a.nativeId} ${F[f]}`);
        assert.equal(inner?.display_value, v);
      }
    }
  });

  test('domainValue: typed sends {type, value} with domain_value still true', async () => {
    const typed = await start({ domainValue: 'typed' });
    try {
      const a = ALL[0] as DemoAsset;
      const el = (await typed.fieldsOf(a)).get(F.approval);
      assert.deepEqual(el?.value, {
        value: { type: 'string', value: a.approval },
        is_locked: false,
        domain_value: true,
        cascading_domain_value: false,
      });
    } finally {
      await typed.sim.close();
    }
  });
});
