// Entry of the storage thread: register tsx (Node 20 does not apply --import hooks to a
// worker's entry module), then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
