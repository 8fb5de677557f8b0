/** The world every test uses: fixed seed and day, so expectations are stable. */
import { createWorld, type DemoWorld } from '../../sources/demo/world.ts';

export const TEST_AS_OF = '2026-11-22';
let cached: DemoWorld | undefined;
export function testWorld(): DemoWorld {
  cached ??= createWorld({ seed: 42, scale: 1, asOf: TEST_AS_OF });
  return cached;
}

/** GET/POST a simulator's control surface. */
export async function simStats(baseUrl: string): Promise<{ total: number; byRoute: Record<string, number> }> {
  return (await fetch(`${baseUrl}/__sim/stats`)).json() as Promise<{ total: number; byRoute: Record<string, number> }>;
}
export async function simRequests(baseUrl: string): Promise<{ method: string; rawPath: string; route: string | null; status: number }[]> {
  return (await fetch(`${baseUrl}/__sim/requests`)).json() as Promise<{ method: string; rawPath: string; route: string | null; status: number }[]>;
}
export async function simReset(baseUrl: string): Promise<void> {
  await fetch(`${baseUrl}/__sim/reset`, { method: 'POST' });
}
export async function simFaults(baseUrl: string, body: unknown): Promise<void> {
  const res = await fetch(`${baseUrl}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`faults: HTTP ${res.status}`);
}
