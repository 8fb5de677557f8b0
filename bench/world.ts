/**
 * The demo world a benchmark run serves, and the facts the scenarios need from it (campaign
 * codes and workspace ids, asset ids). The simulators' process and the runner build the same
 * world from the same seed, scale and day, so the ids agree without asking any system.
 */
import type { DamSystem } from '../sources/model.ts';
import { DAM_SYSTEMS } from '../sources/model.ts';
import { createWorld, type DemoWorld } from '../simulators/demo/world.ts';

/** The seed every process of a run builds the world from. */
export const BENCH_SEED = 42;
/** A fixed day keeps rights and dates, and so every answer, the same from run to run. */
export const BENCH_AS_OF = '2026-11-22';

/** The world at a scale. */
export function benchWorld(scale: number): DemoWorld {
  return createWorld({ seed: BENCH_SEED, scale, asOf: BENCH_AS_OF });
}

/** What the scenarios need to name things in the world. */
export interface WorldFacts {
  campaigns: { code: string; workspaceId: number }[];
  /** Assets spread over the three DAMs, in round-robin order. */
  assets: { system: DamSystem; nativeId: string }[];
}

/** Campaigns and the first `assetCount` assets (round-robin over the DAMs). */
export function worldFacts(world: DemoWorld, assetCount = 101): WorldFacts {
  const campaigns = [...world.campaigns()].map((c) => ({ code: c.code, workspaceId: world.campaignWorkspace(c).nodeId }));
  const assets = Array.from({ length: assetCount }, (_, i) => {
    const system = DAM_SYSTEMS[i % DAM_SYSTEMS.length] as DamSystem;
    return { system, nativeId: world.assetId(system, Math.floor(i / DAM_SYSTEMS.length)) };
  });
  return { campaigns, assets };
}
