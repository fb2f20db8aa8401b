/**
 * The one place that extracts README examples: every ```ts block that does not start with
 * `// no-run`. Used by the README test (tools/readme.test.ts, against the sources) and by the
 * pack test (tools/pack-test.mjs, against the published tarballs).
 */
import { readFileSync } from 'node:fs';

/** The runnable ```ts blocks of a markdown file (a path or a file URL). */
export function readmeExamples(readme) {
  const text = readFileSync(readme, 'utf8');
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.filter((b) => !b.trimStart().startsWith('// no-run'));
}
