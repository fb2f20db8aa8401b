#!/usr/bin/env node
/**
 * CI check that the packages work for an outside user: `pnpm pack` every publishable package
 * (the libraries in packages/ and the published apps: the `rectiflow` CLI and the apps it runs),
 * install the tarballs (and @tensorflow/tfjs, the peer) into an empty folder outside the
 * workspace, check each tarball's contents (dist, types, README, LICENSE), and run every
 * package README example against the installed packages (compiled from TypeScript with
 * esbuild, run with plain node). Needs `pnpm build` first. Offline: everything comes from the
 * pnpm store the workspace install filled.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExamples } from './readme-code.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = performance.now();
const work = mkdtempSync(join(tmpdir(), 'rectiflow-pack-'));
const tarballs = join(work, 'tarballs');
const app = join(work, 'app');
mkdirSync(tarballs);
mkdirSync(app);
const keep = process.argv.includes('--keep');
const failures = [];

try {
  const publishable = (folder) =>
    readdirSync(join(root, folder))
      .filter((name) => existsSync(join(root, folder, name, 'package.json')))
      .map((name) => ({
        name,
        dir: join(root, folder, name),
        app: folder === 'apps',
        json: JSON.parse(readFileSync(join(root, folder, name, 'package.json'), 'utf8')),
      }))
      .filter((p) => !p.json.private);
  // Libraries and the published apps (the `rectiflow` CLI and the apps it runs).
  const packages = [...publishable('packages'), ...publishable('apps')];

  // 1. Pack, and check what each tarball would publish.
  const files = new Map();
  for (const p of packages) {
    if (!existsSync(join(p.dir, 'dist'))) throw new Error(`${p.json.name}: no dist/; run pnpm build first`);
    execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: p.dir, stdio: ['ignore', 'ignore', 'inherit'] });
    const tgz = readdirSync(tarballs).find(
      (f) => new RegExp(`^${p.json.name.replace('@', '').replace('/', '-')}-\\d`).test(f) && f.endsWith('.tgz'),
    );
    if (!tgz) throw new Error(`${p.json.name}: pnpm pack wrote no tarball`);
    const listing = execFileSync('tar', ['-tzf', join(tarballs, tgz)], { encoding: 'utf8' }).split('\n');
    const expected = p.app
      ? [
          'package/LICENSE',
          'package/README.md',
          'package/package.json',
          ...Object.values(p.json.bin ?? {}).map((b) => `package/${b.replace(/^\.\//, '')}`),
        ]
      : ['package/LICENSE', 'package/README.md', 'package/package.json', 'package/dist/index.js', 'package/dist/index.d.ts'];
    const missing = expected.filter((f) => !listing.includes(f));
    if (missing.length) failures.push(`${p.json.name}: the tarball lacks ${missing.join(', ')}`);
    const published = JSON.parse(execFileSync('tar', ['-xzOf', join(tarballs, tgz), 'package/package.json'], { encoding: 'utf8' }));
    const deps = { ...published.dependencies, ...published.peerDependencies };
    const workspaceRanges = Object.entries(deps).filter(([, range]) => String(range).startsWith('workspace:'));
    if (workspaceRanges.length)
      failures.push(`${p.json.name}: published package.json keeps ${workspaceRanges.map(([n]) => n).join(', ')} as workspace: ranges`);
    files.set(p.json.name, join(tarballs, tgz));
  }

  // 2. Install them into an empty project outside the workspace, from the local store only.
  const tfjs = JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8')).devDependencies['@tensorflow/tfjs'];
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify(
      {
        name: 'rectiflow-pack-test',
        private: true,
        type: 'module',
        dependencies: { '@tensorflow/tfjs': tfjs, ...Object.fromEntries([...files].map(([name, tgz]) => [name, `file:${tgz}`])) },
      },
      null,
      2,
    )}\n`,
  );
  // The packages depend on each other by version: point every one at its tarball. Third-party
  // packages resolve to the versions the workspace lockfile holds (one version each), which the
  // local store has, so the install works offline.
  const newer = (a, b) => {
    const [x, y] = [a, b].map((v) => v.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0));
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
    return false;
  };
  const locked = new Map();
  for (const m of readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8').matchAll(/^ {2}'?(@?[^@'\s]+)@([0-9][^('\s:]*)'?:$/gm)) {
    if (!locked.has(m[1]) || newer(m[2], locked.get(m[1]))) locked.set(m[1], m[2]);
  }
  const pins = [...locked].filter(([name]) => !name.startsWith('@rectiflow/') && name !== 'rectiflow');
  const overrides = [
    ...[...files].map(([name, tgz]) => `  "${name}": "file:${tgz}"`),
    ...pins.map(([name, version]) => `  "${name}": "${version}"`),
  ].join('\n');
  writeFileSync(
    join(app, 'pnpm-workspace.yaml'),
    `autoInstallPeers: false\n# No install script runs: tfjs-native loads its prebuilt binary at run time.\nstrictDepBuilds: false\noverrides:\n${overrides}\n`,
  );
  const install = spawnSync('pnpm', ['install', '--offline', '--config.auto-install-peers=false'], { cwd: app, encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`installing the tarballs failed:\n${install.stdout}\n${install.stderr}`);

  // 3. Run every README example against the installed packages.
  const esbuild = createRequire(realpathSync(join(root, 'node_modules', 'tsup', 'package.json')))('esbuild');
  let examples = 0;
  for (const p of packages) {
    const readme = join(p.dir, 'README.md');
    if (p.app || !existsSync(readme)) continue;
    for (const [i, code] of readmeExamples(readme).entries()) {
      const file = join(app, `${p.name}-example-${i}.mjs`);
      writeFileSync(file, esbuild.transformSync(code, { loader: 'ts', format: 'esm', target: 'node20' }).code);
      const run = spawnSync(process.execPath, [file], {
        cwd: app,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, RECTIFLOW_FIXTURES: join(root, 'test-data') },
      });
      examples++;
      if (run.status !== 0)
        failures.push(
          `${p.json.name} README example ${i} failed (exit ${run.status}):\n${(run.stderr || run.stdout).trim().split('\n').slice(-12).join('\n')}`,
        );
    }
  }
  // 4. The installed `rectiflow` command, as `npx rectiflow` runs it: list the plugins, and sample
  //    the bundled model of the installed sample app.
  let commands = 0;
  if (files.has('rectiflow')) {
    const bin = join(app, 'node_modules', '.bin', 'rectiflow');
    const cli = (args) => spawnSync(bin, args, { cwd: app, encoding: 'utf8', timeout: 300_000 });
    const list = cli(['list', 'solver']);
    commands++;
    if (list.status !== 0 || !/dopri5/.test(list.stdout))
      failures.push(`rectiflow list solver failed (exit ${list.status}):\n${list.stderr || list.stdout}`);
    const sample = cli(['sample', '--prompt', 'a large red circle in the center', '--steps', '4', '--out', 'samples', '--quiet']);
    commands++;
    const pngs = existsSync(join(app, 'samples')) ? readdirSync(join(app, 'samples')).filter((f) => f.endsWith('.png')) : [];
    if (sample.status !== 0 || pngs.length < 1)
      failures.push(
        `rectiflow sample failed (exit ${sample.status}; ${pngs.length} PNGs):\n${(sample.stderr || sample.stdout).trim().split('\n').slice(-12).join('\n')}`,
      );
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (failures.length) {
    console.error(`pack test: ${failures.length} problem(s):\n\n${failures.join('\n\n')}`);
    process.exitCode = 1;
  } else {
    console.log(
      `pack test: ${files.size} tarballs installed outside the workspace, ${examples} README examples and ${commands} rectiflow commands ran against them (${seconds} s)`,
    );
  }
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
