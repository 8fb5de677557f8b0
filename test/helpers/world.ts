/** The world every test uses: fixed seed and day, so expectations are stable. */
import { createWorld, type DemoAsset, type DemoWorld } from '../../simulators/demo/world.ts';

export const TEST_AS_OF = '2026-11-22';
let cached: DemoWorld | undefined;
export function testWorld(): DemoWorld {
  cached ??= createWorld({ seed: 42, scale: 1, asOf: TEST_AS_OF });
  return cached;
}

/** A date-time in the canonical ISO form connectors return (undefined stays undefined). */
export const iso = (s: string | undefined) => (s === undefined ? undefined : new Date(s).toISOString());

/** The canonical rights a DAM connector should read back for a world asset. */
export function expectedRights(w: DemoAsset): Record<string, unknown> {
  return {
    status: w.rights.status,
    territories: w.rights.territories,
    channels: w.rights.channels,
    ...(w.rights.validFrom ? { validFrom: iso(w.rights.validFrom) } : {}),
    ...(w.rights.validUntil ? { validUntil: iso(w.rights.validUntil) } : {}),
    ...(w.rights.licenceId ? { licenceId: w.rights.licenceId } : {}),
  };
}

/** GET/POST a simulator's control surface. */
export async function simStats(baseUrl: string): Promise<{ total: number; byRoute: Record<string, number> }> {
  return (await fetch(`${baseUrl}/__sim/stats`)).json() as Promise<{ total: number; byRoute: Record<string, number> }>;
}
export async function simRequests(baseUrl: string): Promise<{ method: string; rawPath: string; route: string | null; status: number }[]> {
  return (await fetch(`${baseUrl}/__sim/requests`)).json() as Promise<
    { method: string; rawPath: string; route: string | null; status: number }[]
  >;
}
export async function simReset(baseUrl: string): Promise<void> {
  await fetch(`${baseUrl}/__sim/reset`, { method: 'POST' });
}
export async function simFaults(baseUrl: string, body: unknown): Promise<void> {
  const res = await fetch(`${baseUrl}/__sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`faults: HTTP ${res.status}`);
}
