#!/usr/bin/env node
/**
 * CI check: the next `changeset version` bumps each package no further than its changesets ask.
 * An internal peer dependency once made changesets plan @rectiflow/core as 1.0.0 although every
 * changeset said minor; this catches that class of surprise before a release.
 * Prints the plan; exits 1 naming each package whose planned bump exceeds what was asked.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ORDER = { none: 0, patch: 1, minor: 2, major: 3 };
const dir = mkdtempSync(join(tmpdir(), 'rectiflow-release-plan-'));
const out = join(dir, 'plan.json');
try {
  execFileSync('pnpm', ['exec', 'changeset', 'status', `--output=${out}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  const plan = JSON.parse(readFileSync(out, 'utf8'));
  const asked = new Map();
  for (const changeset of plan.changesets) {
    for (const { name, type } of changeset.releases) {
      if (ORDER[type] > ORDER[asked.get(name) ?? 'none']) asked.set(name, type);
    }
  }
  const problems = [];
  for (const release of plan.releases) {
    const wanted = asked.get(release.name) ?? 'none';
    // Dependents of a bumped package get a patch bump for their dependency range: allowed.
    const allowed = ORDER[wanted] >= ORDER.patch ? wanted : 'patch';
    const major = (v) => Number(String(v).split('.')[0]);
    const crossesMajor = major(release.newVersion) > major(release.oldVersion);
    console.log(`${release.name}: ${release.oldVersion} -> ${release.newVersion} (${release.type}; changesets ask ${wanted})`);
    if (ORDER[release.type] > ORDER[allowed] || (crossesMajor && wanted !== 'major')) {
      problems.push(`${release.name} would be released as ${release.newVersion} (${release.type}) but its changesets ask for ${wanted}`);
    }
  }
  if (problems.length) {
    console.error(`release plan: ${problems.length} package(s) bumped beyond their changesets:\n  ${problems.join('\n  ')}`);
    console.error("A common cause is a peer dependency on a workspace package (changesets bumps peers' dependents to major).");
    process.exit(1);
  }
  console.log(`release plan: ${plan.releases.length} package(s), every bump as asked`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
