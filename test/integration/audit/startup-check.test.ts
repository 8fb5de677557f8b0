/**
 * The start-up check of a PostgreSQL audit store against the local server: a server that
 * answers and refuses (no such role, no such database) is a refusal naming the problem without
 * the password; a usable one is ok.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPostgres } from '../../../storage/db.ts';
import { checkStore } from '../../../audit/store.ts';
import { PG_URL, postgresReachable } from '../../helpers/audit-backends.ts';

const skip = !(await postgresReachable()) && 'PostgreSQL is not reachable at 127.0.0.1:5432';

const withUser = (user: string, password: string, database = 'test') => {
  const u = new URL(PG_URL);
  u.username = user;
  u.password = password;
  u.pathname = `/${database}`;
  return u.toString();
};

test('the local PostgreSQL passes the check', { skip }, async () => {
  assert.deepEqual(await checkPostgres(PG_URL), { ok: true });
});

test('a role or a database the server does not know is refused, named, without the password', { skip }, async () => {
  const role = await checkStore({ databaseUrl: withUser('atrium_no_such_role', 'hunter2-secret'), schema: 'audit' });
  assert.ok(!role.ok && role.reachable, JSON.stringify(role));
  assert.match(role.problem, /^audit store postgres:\/\/127\.0\.0\.1:5432\/test \(schema audit\): .*atrium_no_such_role/);
  assert.doesNotMatch(role.problem, /hunter2/);
  const db = await checkPostgres(withUser('postgres', 'hunter2-secret', 'atrium_no_such_database'));
  assert.ok(!db.ok && db.reachable, JSON.stringify(db));
  assert.match(db.problem, /atrium_no_such_database/);
  assert.doesNotMatch(db.problem, /hunter2/);
});
