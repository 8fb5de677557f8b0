import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type OperationDefinitionNode } from 'graphql';
import { measure } from '../../../../gateway/plugins/limits.ts';

const m = (q: string) => {
  const doc = parse(q);
  return measure(doc, doc.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode);
};

test('batched fields cost once per level, whatever the page size', () => {
  const q = (n: number) =>
    `{ campaigns(first: ${n}) { nodes { workspace { name } documents(first: 10) { nodes { name } } assets(first: 10) { nodes { title rights { status } } } } } }`;
  assert.equal(m(q(5)).cost, m(q(50)).cost);
  assert.equal(m(q(5)).cost, 1 + 1 + 1 + 3 + 1);
});

test('aliases of a batched field count as aliases, not as cost', () => {
  const q = `{ ${Array.from({ length: 101 }, (_, i) => `a${i}: asset(id: "x${i}") { title }`).join(' ')} }`;
  const r = m(q);
  assert.equal(r.aliases, 101);
  assert.equal(r.cost, 1);
});

test('unbatched fields multiply by the pages above them; fragments are followed', () => {
  const r = m(
    `{ campaigns(first: 20) { nodes { documents(first: 10) { nodes { ...V } } } } } fragment V on Document { versions { number } }`,
  );
  assert.equal(r.cost, 1 + 1 + 20 * 10 * 1);
  assert.equal(r.depth, 6);
});
