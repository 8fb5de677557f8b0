/**
 * Starts the simulators on one world: the four upstream systems and the demo CRM (the business
 * objects' system). What `npm start`, the integration tests and the benchmarks share. Port 0
 * picks free ports (tests); the defaults are DESIGN.md's (the CRM's: 4105).
 */
import type { Mapping } from '../sources/mapping.ts';
import type { Simulator } from './framework/server.ts';
import { createCrmSimulator, type CrmSimulator } from './crm/simulator.ts';
import { createIconikSimulator } from './iconik/simulator.ts';
import { createNetxSimulator } from './netx/simulator.ts';
import { createOtcsSimulator } from './otcs/simulator.ts';
import { createOtmmSimulator } from './otmm/simulator.ts';
import type { DemoWorld } from './demo/world.ts';

export interface RunningSimulators {
  otcs: Simulator;
  iconik: Simulator;
  netx: Simulator;
  otmm: Simulator;
  /** The demo CRM: receives status calls (`/api/status`), sends inbound webhooks (`/__sim/send`). */
  crm: CrmSimulator;
  /** Base URLs as a connector wants them (Content Server with its CGI path, iconik with /API; the CRM's root). */
  urls: { otcs: string; iconik: string; netx: string; otmm: string; crm: string };
  /** Roots of each simulator (for /__sim). */
  roots: { otcs: string; iconik: string; netx: string; otmm: string; crm: string };
  close(): Promise<void>;
}

export interface StartOptions {
  host?: string;
  ports?: Partial<Record<'otcs' | 'iconik' | 'netx' | 'otmm' | 'crm', number>>;
  latencyMs?: number;
  /**
   * The CRM's webhooks: the secret `/__sim/send` signs with and the URL it posts to when a
   * request names neither (`npm start`: Atrium's own for the source `crm`). Default: none, so
   * each send names them.
   */
  crm?: { hookSecret?: string; hookUrl?: string; tokens?: string[] };
}

/** Create and listen; on any failure, closes what started and rethrows. */
export async function startSimulators(world: DemoWorld, mapping: Mapping, opts: StartOptions = {}): Promise<RunningSimulators> {
  const host = opts.host ?? '127.0.0.1';
  const latency = opts.latencyMs ?? 0;
  const sims = {
    otcs: createOtcsSimulator(world, mapping, { baseLatencyMs: latency }),
    iconik: createIconikSimulator(world, mapping, { baseLatencyMs: latency }),
    netx: createNetxSimulator(world, mapping, { baseLatencyMs: latency }),
    otmm: createOtmmSimulator(world, mapping, { baseLatencyMs: latency }),
    crm: createCrmSimulator(world, {
      baseLatencyMs: latency,
      ...(opts.crm?.hookSecret ? { hookSecret: opts.crm.hookSecret } : {}),
      ...(opts.crm?.hookUrl ? { hookUrl: opts.crm.hookUrl } : {}),
      ...(opts.crm?.tokens ? { tokens: opts.crm.tokens } : {}),
    }),
  };
  const started: Simulator[] = [];
  const roots = { otcs: '', iconik: '', netx: '', otmm: '', crm: '' };
  try {
    for (const key of ['otcs', 'iconik', 'netx', 'otmm', 'crm'] as const) {
      roots[key] = await sims[key].listen(opts.ports?.[key] ?? 0, host);
      started.push(sims[key]);
    }
  } catch (e) {
    await Promise.all(started.map((s) => s.close()));
    throw e;
  }
  return {
    ...sims,
    roots,
    urls: { otcs: `${roots.otcs}/otcs/cs.exe`, iconik: `${roots.iconik}/API`, netx: roots.netx, otmm: roots.otmm, crm: roots.crm },
    close: async () => {
      await Promise.all(Object.values(sims).map((s) => s.close()));
    },
  };
}
