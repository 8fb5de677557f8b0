// The portal's one door into the gateway's demo code (demo mode only). A plain module with a
// declaration beside it (demo-bridge.d.ts), so the bundler compiles the gateway's sources
// while the portal's type check, which has DOM typings, stays out of the gateway's program
// (the root tsconfig checks that one).
export { demoIssuer } from '../../gateway/demo-issuer.ts';
export { createWorld } from '../../simulators/demo/world.ts';
