/**
 * Credentials the simulators accept in demo mode, and the defaults the gateway's config uses
 * when it points at them. Real deployments set their own through the environment.
 */
export const DEMO_CREDENTIALS = {
  otcs: { username: 'otadmin', password: 'Atrium-demo-1', domain: '' },
  iconik: {
    appId: '3f9b2c1e-8d7a-4e6f-a5b4-c3d2e1f0a9b8',
    /** A long-lived application token (Admin > Settings > Application Tokens). */
    authToken: 'iconik-demo-app-token-5c7e',
    email: 'integration@atrium.example',
    password: 'Atrium-demo-1',
  },
  netx: { apiToken: 'netx-demo-api-token-9a41' },
  otmm: { username: 'tsuper', password: 'Atrium-demo-1' },
} as const;

/** Default simulator ports (DESIGN.md). */
export const DEFAULT_PORTS = { otcs: 4101, iconik: 4102, netx: 4103, otmm: 4104 } as const;
