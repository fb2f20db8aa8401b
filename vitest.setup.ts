// Every test file starts on the same backend: the one `initBackend('auto')` picks
// (wasm on machines without tfjs-node), unless RECTIFLOW_BACKEND says otherwise.
import { initBackend } from './packages/core/src/index.ts';

await initBackend(undefined, { quiet: true });
