/** The parts of gateway/demo-issuer.ts and simulators/demo/world.ts the portal uses. */

export interface DemoUser {
  email: string;
  name: string;
  roles: string[];
  org?: string;
  regions: string[];
}

export interface DemoIssuer {
  sign(user: DemoUser, ttlSeconds?: number): Promise<string>;
}

export function demoIssuer(dataDir: string): Promise<DemoIssuer>;

export function createWorld(): { demoUsers(): DemoUser[] };
