import { describe, it } from 'vitest';
import { readmeExamples, runExample } from '../../../tools/readme-examples';

describe('README', () => {
  it.each(readmeExamples(new URL('../README.md', import.meta.url)).map((code, i) => [i, code] as const))(
    'example %i runs',
    async (i, code) => {
      await runExample(code, import.meta.url, i);
    },
  );
});
