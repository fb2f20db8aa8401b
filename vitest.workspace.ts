/**
 * The one list of test projects: every package and app with a `src/` folder, one project
 * each, named after its folder. vitest 4 no longer reads this file by itself:
 * `vitest.config.ts` imports it into `test.projects`. Each project inherits the root
 * config (`extends: true`).
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

function projectsUnder(folder: 'packages' | 'apps') {
  if (!existsSync(`${root}${folder}`)) return [];
  return readdirSync(`${root}${folder}`, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`${root}${folder}/${d.name}/src`))
    .map((d) => d.name)
    .sort()
    .map((name) => ({
      extends: true as const,
      test: {
        name,
        root: `./${folder}/${name}`,
        include: ['src/**/*.test.ts'],
      },
    }));
}

/** Examples are tested from outside, against the built packages (one test file each). */
const examples = existsSync(`${root}examples`)
  ? [{ extends: true as const, test: { name: 'examples', root: './examples', include: ['*.test.ts'] } }]
  : [];

/** Every package README's examples, run by one test (tools/readme.test.ts). */
const readmes = [{ extends: true as const, test: { name: 'readmes', root: '.', include: ['tools/readme.test.ts'] } }];

export const projects = [...projectsUnder('packages'), ...projectsUnder('apps'), ...examples, ...readmes];

export default projects;
