import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restoreMetrics } from './metrics-file';

describe('metrics.jsonl on resume', () => {
  it('drops a torn last line, keeps records up to the resumed step, and rewrites the file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rectiflow-metrics-')), 'metrics.jsonl');
    writeFileSync(path, '{"step":2,"loss":1}\n{"step":4,"loss":0.5}\n{"step":6,"loss":0.4}\n{"step":8,"lo');
    const lines: string[] = [];
    const kept = restoreMetrics(path, 4, (l) => lines.push(l));
    expect(kept.map((m) => m.step)).toEqual([2, 4]);
    expect(lines).toEqual(['metrics.jsonl: dropped 1 unreadable (torn) line(s); the file is repaired']);
    expect(readFileSync(path, 'utf8')).toBe('{"step":2,"loss":1}\n{"step":4,"loss":0.5}\n');
  });

  it('is silent for a clean file and returns nothing for a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rectiflow-metrics-'));
    const lines: string[] = [];
    expect(restoreMetrics(join(dir, 'none.jsonl'), 10, (l) => lines.push(l))).toEqual([]);
    writeFileSync(join(dir, 'm.jsonl'), '{"step":1,"loss":1}\n');
    expect(restoreMetrics(join(dir, 'm.jsonl'), 10, (l) => lines.push(l))).toHaveLength(1);
    expect(lines).toEqual([]);
  });
});
