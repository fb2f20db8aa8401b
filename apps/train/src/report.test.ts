import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProgress, ProgressBar } from './progress';
import { writeReport } from './report';

describe('report and progress', () => {
  it('writes an HTML report with loss (log scale), lr and gradient-norm curves, decile curves, grids and the config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rectiflow-report-'));
    const metrics = [1, 2, 3].map((step) => ({
      step: step * 10,
      loss: 1 / step,
      lr: 1e-3,
      gradNorm: 1,
      itPerSec: 2,
      elapsedSeconds: step * 5,
      lossByDecile: Array.from({ length: 10 }, (_, d) => d / step),
    }));
    const path = writeReport(dir, 'run <1>', { lr: 1e-3 }, metrics, [
      { step: 30, file: 'samples/step-30.png', prompts: ['a red circle'], colorAdherence: 0.75 },
    ]);
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('<title>run &lt;1&gt;</title>');
    expect(html.match(/<polyline/g)?.length).toBe(13); // loss, lr, gradient norm + 10 deciles
    expect(html).toContain('log scale');
    expect(html).toContain('samples/step-30.png');
    expect(html).toContain('colour adherence 75%');
    expect(html).toContain('&quot;lr&quot;: 0.001');
  });

  it('formats step, loss, it/s and ETA, and prints plain lines when not a terminal', () => {
    const line = formatProgress({ step: 120, loss: 0.51234, itPerSec: 3.456, fraction: 0.5, etaSeconds: 125 });
    expect(line).toMatch(/ 50% \| step 120 \| loss 0.5123 \| 3.46 it\/s \| ETA 2:05$/);
    const out: string[] = [];
    const bar = new ProgressBar({ isTTY: false, write: (s) => out.push(s) }, 10);
    for (let step = 1; step <= 25; step++) bar.update({ step, loss: 1, itPerSec: 1, fraction: step / 25, etaSeconds: 25 - step });
    expect(out).toHaveLength(2);
  });
});
