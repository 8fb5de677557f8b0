/**
 * The simulated member directory: every user Content Server knows, rendered once, for every
 * route that serves a member (`GET /api/v1/auth`, `/api/v1|v2/members...`, workspace roles,
 * `expand=audit{user_id}`), so one user id always comes back as the same member.
 *
 * Members are the world's users, the simulator's sign-in accounts, and the Admin (id 1000)
 * that every Content Server has and that the world's audit trail names. A sign-in's member
 * `name` is its login name unless the account names another: with OTDS in front, a sign-in
 * is mapped to a Content Server user (`otadmin@otds.admin` is "the OTCS Admin user", SEEN
 * pyxecm customizer), whose `name` is the one Content Server reports.
 */
import { OTCS_ADMIN_USER_ID, type DemoWorld } from '../demo/world.ts';
import type { WireMember } from '../../sources/otcs/wire.ts';

/** A sign-in account: the login name and the member it acts as. */
export interface SignIn {
  username: string;
  userId: number;
  /** The member's `name` when it is not the login name (a directory maps the sign-in to it). */
  name?: string;
}

/**
 * A member as the members routes render it: the `WireMember` keys, with `business_email`
 * null for users without a mail address (SEEN csui team mock `"business_email": null`).
 */
export type SimMember = Omit<WireMember, 'business_email'> & { business_email: string | null };

/** Every member by id, and all of them in id order. */
export interface MemberDirectory {
  get(id: number): SimMember | null;
  all(): SimMember[];
}

const DEFAULT_GROUP_ID = 1001;
/** The name Content Server gives its built-in administrator (SEEN csui header mock, id 1000). */
const ADMIN_NAME = 'Admin';

/** A user with a mail address (world users, team members) as a member. */
export function memberOf(u: { userId: number; email: string; name: string }): WireMember {
  const [firstName = '', ...rest] = u.name.split(' ');
  return {
    id: u.userId,
    name: u.email,
    display_name: u.name,
    first_name: firstName,
    last_name: rest.join(' '),
    business_email: u.email,
    group_id: DEFAULT_GROUP_ID,
    type: 0,
    type_name: 'User',
    deleted: false,
    photo_url: `api/v1/members/${u.userId}/photo?v=1`,
  };
}

/** A member the world has no user for: a sign-in account or the Admin, without a mail address. */
function accountMember(userId: number, name: string): SimMember {
  const displayName = userId === OTCS_ADMIN_USER_ID ? ADMIN_NAME : name;
  return {
    id: userId,
    name,
    display_name: displayName,
    first_name: displayName,
    last_name: '',
    business_email: null,
    group_id: DEFAULT_GROUP_ID,
    type: 0,
    type_name: 'User',
    deleted: false,
    photo_url: `api/v1/members/${userId}/photo?v=1`,
  };
}

/**
 * The directory over a world and its sign-ins. A sign-in whose id is a world user is that
 * user; the Admin is there even when no sign-in acts as it.
 */
export function memberDirectory(world: DemoWorld, signIns: readonly SignIn[]): MemberDirectory {
  const accounts = new Map<number, SimMember>([[OTCS_ADMIN_USER_ID, accountMember(OTCS_ADMIN_USER_ID, ADMIN_NAME)]]);
  for (const s of signIns) if (!world.userById(s.userId)) accounts.set(s.userId, accountMember(s.userId, s.name ?? s.username));
  return {
    get(id) {
      const u = world.userById(id);
      return u ? memberOf(u) : (accounts.get(id) ?? null);
    },
    all() {
      return [...accounts.values(), ...[...world.users()].map(memberOf)].sort((a, b) => a.id - b.id);
    },
  };
}

/** Definitions of the member keys we render, in the mock's order, with its titles and types. */
const DEFINED: readonly { key: keyof SimMember; name: string; type: number; type_name: string; persona?: string }[] = [
  { key: 'id', name: 'ID', type: 2, type_name: 'Integer' },
  { key: 'type', name: 'Type', type: 2, type_name: 'Integer' },
  { key: 'type_name', name: 'Type', type: -1, type_name: 'String' },
  { key: 'name', name: 'Name', type: -1, type_name: 'String' },
  { key: 'deleted', name: 'Deleted', type: 5, type_name: 'Boolean' },
  { key: 'first_name', name: 'First Name', type: -1, type_name: 'String' },
  { key: 'last_name', name: 'Last Name', type: -1, type_name: 'String' },
  { key: 'group_id', name: 'Group', type: 2, type_name: 'Integer', persona: 'group' },
  { key: 'business_email', name: 'Business E-mail', type: -1, type_name: 'String' },
];

/**
 * `GET /api/v1/members/{id}`: `{data, definitions, definitions_order, type, type_name}`
 * (vendor-apis §1.6, SEEN csui header mock, whose definitions and order these follow for the
 * keys we render; like the mock, `display_name` and `photo_url` have no definition).
 */
export function v1Member(m: SimMember): Record<string, unknown> {
  const definitions = Object.fromEntries(
    DEFINED.map(({ key, name, type, type_name, persona = '' }) => [
      key,
      { key, name, persona, read_only: false, required: false, type, type_name },
    ]),
  );
  return { data: m, definitions, definitions_order: DEFINED.map((d) => d.key), type: m.type, type_name: m.type_name };
}
