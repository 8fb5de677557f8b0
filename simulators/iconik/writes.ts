/**
 * iconik's write routes the connector's write-back uses (vendor-apis-writes §4.1, §4.3):
 *
 * | route | answer |
 * | --- | --- |
 * | `PUT /metadata/v1/assets/{id}/views/{view_id}/` | 200 MetadataValuesSchema of the view after the change; 404 `Metadata view doesn't exist` (SPEC), 404 `Asset does not exist`; 400 `{"errors":{"<field>":["..."]}}` for a field not in the view, a value not among the field's options, a date that does not parse, several values in a single-valued field, a bad `mode` (nothing is applied then) |
 * | `POST /assets/v1/collections/{id}/contents/` `{object_id, object_type}` | 201 CollectionContentSchema; 404 `Collection not found` (SPEC); 404 `Asset does not exist`; content already there: 409 `Object is already in the collection` (option `duplicateContent: 'added'`: 201 again, nothing changed) |
 * | `DELETE /assets/v1/collections/{id}/contents/assets/{asset_id}/` | 204; 404 `Content object not found` (SPEC) when it is not in it; 404 `Collection not found` |
 *
 * A write that changes something moves the asset's `date_modified` (through
 * simulators/demo/asset-changes.ts, so the change is delivered to webhooks too and every read
 * serves it); one that changes nothing (the same values again) leaves it, so a write-back that
 * repeats itself makes no change for a change feed to report. Like every vendor route they are
 * logged in `/__sim/requests`, counted, and subject to `/__sim/faults`.
 */
import type { AssetChanges } from '../demo/asset-changes.ts';
import type { DemoAsset } from '../demo/world.ts';
import type { IconikEdits, FieldValueMap } from './edits.ts';
import { errorResponse, fieldErrors, type IconikSimContext } from './http.ts';
import {
  METADATA_MODES,
  iconikDate,
  type CollectionContentSchema,
  type MetadataFieldSchema,
  type MetadataMode,
  type MetadataViewSchema,
} from '../../sources/iconik/wire.ts';

/** What the simulator answers to content already in a collection (NOT FOUND upstream). */
export type DuplicateContent = 'conflict' | 'added';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const REQUIRED = 'Missing data for required field.';

/** The outcome of a view PUT: the new values of the fields it names, or iconik's field errors. */
export type MetadataPutResult = { ok: true; fields: FieldValueMap } | { ok: false; errors: Record<string, string[]> };

/** One value as stored for a field, or the error message for it. */
function storedValue(field: MetadataFieldSchema, raw: unknown): string | { error: string } {
  const v = isObj(raw) ? raw.value : undefined;
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
    return { error: 'Each field value must be {"value": ...}.' };
  const s = String(v);
  if (field.field_type === 'date_time') {
    // Dates are kept in the format the reads serve them in (INFERRED: iconik normalises them).
    const t = Date.parse(s);
    return Number.isNaN(t) ? { error: 'Not a valid datetime.' } : iconikDate(t);
  }
  if (field.options.length && !field.options.some((o) => o.value === s)) return { error: `"${s}" is not one of the field's options.` };
  return s;
}

/**
 * Validate a view PUT body against the view and apply it to the current values (pure):
 * `overwrite` (the default) replaces a field's values, `append` adds those not there yet,
 * `delete` takes the given ones out. All or nothing: any error and nothing is applied.
 */
export function applyMetadataPut(body: unknown, view: MetadataViewSchema, current: FieldValueMap): MetadataPutResult {
  if (!isObj(body) || body.metadata_values === undefined) return { ok: false, errors: { metadata_values: [REQUIRED] } };
  if (!isObj(body.metadata_values)) return { ok: false, errors: { metadata_values: ['Invalid input type.'] } };
  const fields = new Map(view.view_fields.map((f) => [f.name, f]));
  const errors: Record<string, string[]> = {};
  const out: FieldValueMap = {};
  for (const [name, entry] of Object.entries(body.metadata_values)) {
    const field = fields.get(name);
    const fail = (message: string) => void (errors[name] = [message]);
    if (!field) {
      fail('Field is not in this metadata view.');
      continue;
    }
    if (!isObj(entry) || !Array.isArray(entry.field_values)) {
      fail('field_values: Not a valid list.');
      continue;
    }
    const mode = (entry.mode ?? 'overwrite') as MetadataMode;
    if (!METADATA_MODES.includes(mode)) {
      fail(`mode: Must be one of: ${METADATA_MODES.join(', ')}.`);
      continue;
    }
    const given: string[] = [];
    let error: string | undefined;
    for (const raw of entry.field_values) {
      const v = storedValue(field, raw);
      if (typeof v === 'string') given.push(v);
      else error ??= v.error;
    }
    if (error) {
      fail(error);
      continue;
    }
    const before = current[name] ?? [];
    const next =
      mode === 'overwrite'
        ? [...new Set(given)]
        : mode === 'append'
          ? [...before, ...given.filter((v, i) => !before.includes(v) && given.indexOf(v) === i)]
          : before.filter((v) => !given.includes(v));
    if (!field.multi && next.length > 1) {
      fail('This field takes a single value.');
      continue;
    }
    out[name] = next;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, fields: out };
}

const sameValues = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  (a ?? []).length === (b ?? []).length && (a ?? []).every((x, i) => x === (b ?? [])[i]);

/** Mount the write routes; `changes` moves an asset's modify date, `edits` keeps what was written. */
export function mountWriteRoutes(
  ctx: IconikSimContext,
  changes: AssetChanges,
  edits: IconikEdits,
  duplicateContent: DuplicateContent = 'conflict',
): void {
  const viewId = ctx.mapping.iconik.metadataViewId;
  let writing = false;
  // A change that did not come from these routes (a control-route edit) wins over what was
  // written to the same field before it.
  changes.onChange((c) => {
    if (!writing) edits.reconcile(c.asset.nativeId, ctx.docs.ownValuesByField(c.asset));
  });
  /** The asset changed: move its modify date and tell every listener (memoized docs, webhooks). */
  const touch = (a: DemoAsset): DemoAsset => {
    writing = true;
    try {
      return changes.update(a.nativeId, {}) ?? a;
    } finally {
      writing = false;
    }
  };

  ctx.route(
    'PUT',
    '/metadata/v1/:object_type/:object_id/views/:view_id/',
    ctx.authed((req) => {
      if (req.params.view_id !== viewId) return errorResponse(404, "Metadata view doesn't exist");
      if (req.params.object_type !== 'assets') return errorResponse(404, 'Object does not exist');
      const a = ctx.world.assetById('ICONIK', req.params.object_id ?? '');
      if (!a) return errorResponse(404, 'Asset does not exist');
      if (typeof req.body === 'symbol') return errorResponse(400, 'Invalid JSON body');
      const current = ctx.docs.valuesByField(a);
      const result = applyMetadataPut(req.body, ctx.docs.view(), current);
      if (!result.ok) return fieldErrors(result.errors);
      const changed = Object.entries(result.fields).some(([k, v]) => !sameValues(current[k], v));
      if (!changed) return { body: ctx.docs.metadataValues(a) };
      edits.write(a.nativeId, result.fields, ctx.docs.ownValuesByField(a));
      return { body: ctx.docs.metadataValues(touch(a)) };
    }),
  );

  ctx.route(
    'POST',
    '/assets/v1/collections/:id/contents/',
    ctx.authed((req) => {
      const collection = req.params.id ?? '';
      if (!ctx.docs.hasCollection(collection)) return errorResponse(404, 'Collection not found');
      if (typeof req.body === 'symbol') return errorResponse(400, 'Invalid JSON body');
      const b = isObj(req.body) ? req.body : {};
      const missing: Record<string, string[]> = {};
      for (const k of ['object_id', 'object_type']) if (typeof b[k] !== 'string' || b[k] === '') missing[k] = [REQUIRED];
      if (Object.keys(missing).length) return fieldErrors(missing);
      // Collections hold collections too in iconik; the demo world's are fixed, so only assets are added here.
      if (b.object_type !== 'assets') return fieldErrors({ object_type: ['Only assets can be added in this simulator.'] });
      const a = ctx.world.assetById('ICONIK', b.object_id as string);
      if (!a) return errorResponse(404, 'Asset does not exist');
      const body: CollectionContentSchema = {
        collection_id: collection,
        object_id: a.nativeId,
        object_type: 'assets',
        date_created: iconikDate(Date.now()),
      };
      if (ctx.docs.inCollections(a).includes(collection)) {
        return duplicateContent === 'added' ? { status: 201, body } : errorResponse(409, 'Object is already in the collection');
      }
      edits.add(a.nativeId, collection, ctx.docs.generatedCollections(a));
      touch(a);
      return { status: 201, body };
    }),
  );

  ctx.route(
    'DELETE',
    '/assets/v1/collections/:id/contents/:object_type/:object_id/',
    ctx.authed((req) => {
      const collection = req.params.id ?? '';
      if (!ctx.docs.hasCollection(collection)) return errorResponse(404, 'Collection not found');
      const a = req.params.object_type === 'assets' ? ctx.world.assetById('ICONIK', req.params.object_id ?? '') : null;
      if (!a || !ctx.docs.inCollections(a).includes(collection)) return errorResponse(404, 'Content object not found');
      edits.remove(a.nativeId, collection, ctx.docs.generatedCollections(a));
      touch(a);
      return { status: 204 };
    }),
  );
}
