import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdsRun, prepareRunFolder } from './run-folder';

describe('run folder', () => {
  it('recognises a run by its checkpoints, metrics, configuration, samples or report', () => {
    const root = mkdtempSync(join(tmpdir(), 'rectiflow-folder-'));
    expect(holdsRun(join(root, 'missing'))).toBe(false);
    expect(holdsRun(root)).toBe(false);
    writeFileSync(join(root, 'metrics.jsonl'), '');
    expect(holdsRun(root)).toBe(false); // an empty metrics file is what a fresh start writes first
    mkdirSync(join(root, 'checkpoints', 'step-0000250'), { recursive: true });
    expect(holdsRun(root)).toBe(true);
  });

  it('--overwrite replaces the old run and leaves other files alone', () => {
    const root = mkdtempSync(join(tmpdir(), 'rectiflow-folder-'));
    mkdirSync(join(root, 'checkpoints', 'step-0000300'), { recursive: true });
    writeFileSync(join(root, 'metrics.jsonl'), '{"step":300}\n');
    writeFileSync(join(root, 'notes.txt'), 'mine');
    expect(() => prepareRunFolder(root, { resume: false, overwrite: false })).toThrow(/already holds a run; pass --resume .* --overwrite/);
    expect(readdirSync(root).sort()).toEqual(['checkpoints', 'metrics.jsonl', 'notes.txt']);
    prepareRunFolder(root, { resume: false, overwrite: true });
    expect(readdirSync(root)).toEqual(['notes.txt']);
  });
});
