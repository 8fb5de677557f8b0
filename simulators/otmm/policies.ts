/**
 * The demo OTMM's security policies (vendor-apis-writes.md §7.1: `security_policies_resource`,
 * `security_policy_list[{id}]` on assets). Every asset carries the internal marketing policy;
 * those the world generated with the `partner` channel carry the partner distribution policy
 * too, which is what Atrium's write-back takes away and gives back (DamWrites distribution).
 */
import type { OtmmSecurityPolicy } from '../../sources/otmm/wire.ts';
import type { DemoAsset } from '../demo/world.ts';

/** The policy every demo asset carries (internal users see it). */
export const DEMO_OTMM_INTERNAL_POLICY = 1;

/**
 * The demo's partner distribution security policy ids: the connector's `distributionPolicies`
 * in demo mode. (Id 6 is the policy id of the vendor's own create example.)
 */
export const DEMO_OTMM_DISTRIBUTION_POLICIES: readonly number[] = [6];

const policy = (id: number, name: string, description: string): OtmmSecurityPolicy => ({
  id,
  name,
  description,
  status: 'ACTIVE',
  ownership_type: 'SYSTEM',
  create_date: '2024-01-15T09:00:00Z',
  last_update_date: '2024-01-15T09:00:00Z',
  last_updated_by: 'tsuper',
});

/** Every policy the demo OTMM knows (what `GET /securitypolicies` lists; an edit may use only these). */
export const DEMO_OTMM_SECURITY_POLICIES: readonly OtmmSecurityPolicy[] = [
  policy(DEMO_OTMM_INTERNAL_POLICY, 'Atrium Marketing', 'Internal marketing, sales and compliance users'),
  policy(2, 'Atrium Restricted', 'Compliance and administrators only'),
  policy(6, 'Partner Distribution', 'Published to partner portals and agencies'),
];

/** The policies a demo asset starts with: internal, plus partner distribution when its rights list the partner channel. */
export function demoPolicyIds(a: DemoAsset): number[] {
  return [DEMO_OTMM_INTERNAL_POLICY, ...(a.rights.channels.includes('partner') ? DEMO_OTMM_DISTRIBUTION_POLICIES : [])];
}
