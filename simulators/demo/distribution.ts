/**
 * The demo's partner-facing distribution containers in each DAM simulator, which rights write-back
 * takes assets out of and puts back into (issue 16): the gateway's demo defaults for
 * ICONIK_DISTRIBUTION_COLLECTIONS, NETX_DISTRIBUTION_FOLDERS and OTMM_DISTRIBUTION_POLICIES.
 */
export { DEMO_ICONIK_DISTRIBUTION_COLLECTIONS } from '../iconik/distribution.ts';
export { DEMO_NETX_DISTRIBUTION_FOLDERS } from '../netx/folders.ts';
export { DEMO_OTMM_DISTRIBUTION_POLICIES } from '../otmm/policies.ts';
