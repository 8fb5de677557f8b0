import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isUnionType, isScalarType } from 'graphql';
import { buildSchema } from '../../../gateway/server.ts';

const schema = buildSchema();

test('every type, field, argument and enum value has a description', () => {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || (isScalarType(type) && ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name))) continue;
    if (!type.description && type.name !== 'Query') missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const f of Object.values(type.getFields())) {
        if (!f.description) missing.push(`${type.name}.${f.name}`);
        if ('args' in f)
          for (const a of f.args)
            if (!a.description && !['first', 'after', 'filter', 'id', 'query', 'sort'].includes(a.name))
              missing.push(`${type.name}.${f.name}(${a.name})`);
      }
    }
    if (isEnumType(type)) for (const v of type.getValues()) if (!v.description) missing.push(`${type.name}.${v.name}`);
    if (isUnionType(type) && !type.description) missing.push(type.name);
  }
  assert.deepEqual(missing, []);
});

test('the field names DESIGN.md lists are there', () => {
  const fields = (t: string) => Object.keys((schema.getType(t) as { getFields(): object }).getFields());
  const has = (t: string, names: string[]) => {
    for (const n of names) assert.ok(fields(t).includes(n), `${t}.${n}`);
  };
  has('Query', ['viewer', 'node', 'campaigns', 'campaign', 'accounts', 'account', 'document', 'asset', 'workspace', 'search', 'sources']);
  has('Campaign', [
    'name',
    'code',
    'status',
    'productLine',
    'regions',
    'startDate',
    'endDate',
    'openToAllPartners',
    'audience',
    'workspace',
    'documents',
    'assets',
    'accounts',
    'source',
  ]);
  has('Account', ['name', 'kind', 'region', 'businessObject', 'workspace', 'documents', 'assets', 'campaigns', 'source']);
  has('Workspace', ['name', 'type', 'businessObject', 'team']);
  has('Member', ['email', 'name', 'role']);
  has('Document', [
    'name',
    'mimeType',
    'size',
    'version',
    'status',
    'classification',
    'metadata',
    'workspace',
    'approvals',
    'retention',
    'holds',
    'auditTrail',
    'source',
  ]);
  has('Asset', ['title', 'kind', 'renditions', 'metadata', 'approval', 'rights', 'campaign', 'account', 'locale', 'variants', 'source']);
  has('Rendition', ['kind', 'url', 'width', 'height', 'mimeType']);
  has('Rights', ['status', 'validFrom', 'validUntil', 'territories', 'channels', 'licence']);
  has('SourceRef', ['system', 'nativeId', 'url']);
  has('SearchConnection', ['edges', 'nodes', 'pageInfo', 'totalCount', 'facets']);
  has('PageInfo', ['hasNextPage', 'endCursor']);
  assert.deepEqual(
    (schema.getType('System') as unknown as { getValues(): { name: string }[] }).getValues().map((v) => v.name),
    ['OTCS', 'ICONIK', 'NETX', 'OTMM'],
  );
});
