// Copies the local build into the node-gyp-build prebuild layout, so the package ships a
// binary for this platform: prebuilds/<platform>-<arch>/node.napi.node (N-API, any Node >= 20).
// Run after `pnpm --filter @rectiflow/tfjs-native build:native` (on linux-x64, build on an old
// glibc for the widest reach: the binary needs glibc >= 2.27).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const dir = new URL(`prebuilds/${process.platform}-${process.arch}/`, root);
mkdirSync(dir, { recursive: true });
const target = new URL('node.napi.node', dir);
copyFileSync(new URL('build/Release/tfjs_native.node', root), target);
// Drop the symbol tables where `strip` exists (it is optional).
const stripped = spawnSync('strip', ['--strip-unneeded', target.pathname]).status === 0;
console.log(`copied build/Release/tfjs_native.node to ${target.pathname}${stripped ? ' (stripped)' : ''}`);
