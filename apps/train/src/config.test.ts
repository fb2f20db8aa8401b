import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, helpText, loadConfig, parseConfig, parseFlags } from './config';

describe('training configuration', () => {
  it('has defaults that reproduce the main job', () => {
    const config = parseConfig({});
    expect(config.formulation).toBe('rf/lognorm(0.50, 0.80)');
    expect(config.minutes).toBe(10);
    expect(config.dataset).toMatch(/^shapes/);
  });

  it('reads flags in kebab or camel case, booleans, repeated lists, and lets flags win over a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rectiflow-cfg-'));
    writeFileSync(join(dir, 'c.yaml'), 'batchSize: 4\nminutes: 2\nsamplePrompts: ["x"]\n');
    const { config } = loadConfig([
      '--config',
      join(dir, 'c.yaml'),
      '--minutes',
      '0.5',
      '--out=/tmp/x',
      '--resume',
      '--sample-prompts',
      'a red circle',
    ]);
    expect(config).toMatchObject({ batchSize: 4, minutes: 0.5, out: '/tmp/x', resume: true, samplePrompts: ['a red circle'] });
    expect(parseFlags(['--no-resume']).values).toEqual({ resume: false });
    expect(loadConfig(['--help']).help).toBe(true);
    writeFileSync(join(dir, 'c.json'), '{"lr": 0.001}');
    expect(loadConfig(['--config', join(dir, 'c.json')]).config?.lr).toBe(0.001);
  });

  it('names every invalid field, its value and what is allowed', () => {
    const error = (() => {
      try {
        parseConfig({ batchSize: 0, lrDecay: 'linear', minutes: Number.NaN, bogus: 1 });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(/batchSize: got 0; Too small: expected number to be >0/);
    expect(error?.message).toMatch(/lrDecay: got "linear"; Invalid option: expected one of "constant"\|"cosine"/);
    expect(error?.message).toMatch(/minutes: got NaN/);
    expect(error?.message).toMatch(/unknown option\(s\) "bogus"/);
    expect(() => parseFlags(['--batch-sise', '3'])).toThrow(
      'unknown option --batch-sise (did you mean --batch-size?); see --help for the list',
    );
    expect(() => parseFlags(['--minutes'])).toThrow('option --minutes needs a value');
    expect(() => loadConfig(['--config', '/nonexistent.yaml'])).toThrow(/config file \/nonexistent.yaml/);
  });

  it('documents every option in --help', () => {
    const text = helpText();
    for (const flag of ['--minutes', '--out', '--batch-size', '--formulation', '--resume', '--on-non-finite', '--config']) {
      expect(text).toContain(flag);
    }
  });
});
