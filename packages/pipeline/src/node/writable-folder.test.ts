import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWritableDir, ensureWritableDir } from './writable-folder';

describe('writable folders', () => {
  it('checks writability without creating anything, and creates level by level', () => {
    const root = mkdtempSync(join(tmpdir(), 'rectiflow-folder-'));
    expect(checkWritableDir('--out', join(root, 'a', 'b'))).toBe(join(root, 'a', 'b'));
    expect(existsSync(join(root, 'a'))).toBe(false);
    ensureWritableDir('--out', join(root, 'a', 'b'));
    expect(readdirSync(join(root, 'a', 'b'))).toEqual([]);
    writeFileSync(join(root, 'f'), '');
    expect(() => checkWritableDir('--out', join(root, 'f', 'x'))).toThrow(
      /^--out: .*x is under .*f, which is a file; expected a folder path$/,
    );
    expect(() => ensureWritableDir('out', '/proc/rectiflow')).toThrow(/^out: cannot create \/proc\/rectiflow \(E[A-Z]+: /);
  });
});
