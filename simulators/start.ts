/**
 * Starts the four simulators on one world: what `npm start`, the integration tests and the
 * benchmarks share. Port 0 picks free ports (tests); the defaults are DESIGN.md's.
 */
import type { Mapping } from '../sources/mapping.ts';
import type { Simulator } from './framework/server.ts';
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
  /** Base URLs as a connector wants them (Content Server with its CGI path, iconik with /API). */
  urls: { otcs: string; iconik: string; netx: string; otmm: string };
  /** Roots of each simulator (for /__sim). */
  roots: { otcs: string; iconik: string; netx: string; otmm: string };
  close(): Promise<void>;
}

export interface StartOptions {
  host?: string;
  ports?: Partial<Record<'otcs' | 'iconik' | 'netx' | 'otmm', number>>;
  latencyMs?: number;
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
  };
  const started: Simulator[] = [];
  const roots = { otcs: '', iconik: '', netx: '', otmm: '' };
  try {
    for (const key of ['otcs', 'iconik', 'netx', 'otmm'] as const) {
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
    urls: { otcs: `${roots.otcs}/otcs/cs.exe`, iconik: `${roots.iconik}/API`, netx: roots.netx, otmm: roots.otmm },
    close: async () => {
      await Promise.all(Object.values(sims).map((s) => s.close()));
    },
  };
}
