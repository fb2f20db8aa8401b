import { createRng, type ForwardProcess, tf } from '@rectiflow/core';
import { type MaybePreconditioned, targetCoefficients } from '@rectiflow/schedules';
import { describe, expect, it } from 'vitest';
import { flowMatchingLoss, type LossModel } from './flow-matching-loss';
import { createFormulation } from './formulation-plugins';

// 1-D Gaussian data x0 ~ N(MU, S^2): with z = a x0 + b eps, (x0, eps, z) are jointly Gaussian and
// E[x0|z] = MU + a S^2 (z - a MU)/(a^2 S^2 + b^2), E[eps|z] = b (z - a MU)/(a^2 S^2 + b^2).
// The loss-minimising output is the same linear combination of them as the target.
const MU = 0.7;
const S = 0.4;
const B = 8192;

function optimalModel(f: { process: ForwardProcess; output: string }, perturb: (opt: tf.Tensor) => tf.Tensor): LossModel {
  return (z, t) => {
    const times = t.dataSync();
    const cz = new Float32Array(times.length);
    const c1 = new Float32Array(times.length);
    times.forEach((s, i) => {
      const a = f.process.a(s);
      const b = f.process.b(s);
      const v = a * a * S * S + b * b;
      const [cx, ce] = targetCoefficients(f.process as MaybePreconditioned, f.output as 'eps', s);
      // optimal = cx E[x0|z] + ce E[eps|z] = cz * z + c1
      cz[i] = (cx * a * S * S + ce * b) / v;
      c1[i] = cx * MU - ((cx * a * S * S + ce * b) / v) * a * MU;
    });
    const opt = tf.add(tf.mul(z, tf.tensor2d(cz, [times.length, 1])), tf.tensor2d(c1, [times.length, 1]));
    return perturb(opt);
  };
}

describe('the closed-form optimal predictor on 1-D Gaussian data', () => {
  it.each(['rf', 'rf/lognorm(0.00, 1.00)', 'rf/mode(1.29)', 'eps/cos', 'v/cos', 'eps/linear', 'v/linear', 'edm(-1.20, 1.20)'])(
    '%s: scores a lower loss than perturbed predictors',
    (spec) => {
      const f = createFormulation(spec);
      const x0 = tf.add(tf.mul(createRng(1).normal([B, 1]), S), MU);
      const lossOf = (perturb: (o: tf.Tensor) => tf.Tensor) => {
        const r = flowMatchingLoss({ ...f, model: optimalModel(f, perturb), x0, rng: createRng(2), diagnostics: false });
        const v = r.loss.dataSync()[0];
        tf.dispose([r.loss, r.perSample]);
        return v;
      };
      const best = lossOf((o) => o);
      const perturbations: [string, (o: tf.Tensor) => tf.Tensor][] = [
        ['+0.1', (o) => tf.add(o, 0.1)],
        ['-0.1', (o) => tf.sub(o, 0.1)],
        ['x1.1', (o) => tf.mul(o, 1.1)],
        ['x0.9', (o) => tf.mul(o, 0.9)],
      ];
      for (const [label, p] of perturbations) expect(lossOf(p), `${spec} ${label}`).toBeGreaterThan(best);
      if (spec === 'rf') {
        // With m = 1, an offset d adds d^2 to the expected loss (plus 2 d mean(residual), ~1e-2 d here).
        expect(lossOf((o) => tf.add(o, 0.3)) - best).toBeCloseTo(0.09, 2);
      }
      x0.dispose();
    },
  );
});
