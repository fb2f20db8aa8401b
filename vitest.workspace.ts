/**
 * The one list of test projects. vitest 4 no longer reads this file by itself:
 * `vitest.config.ts` imports it into `test.projects`.
 * Each project inherits the root config (`extends: true`).
 */
export const projects = ['core', 'safetensors'].map((name) => ({
  extends: true as const,
  test: {
    name,
    root: `./packages/${name}`,
    include: ['src/**/*.test.ts'],
  },
}));

export default projects;
