// A Rectiflow plugin package: plain JavaScript against the published (built) packages, the way a
// user writes one outside the monorepo. Importing this file registers three plugins:
//   solver 'ralston'                Ralston's second-order method (two model calls per step)
//   timestep-sampler 'beta(a, b)'   t ~ Beta(a, b) (a = b = 1 is uniform)
//   forward-process 'vp-sine(k)'    a_t = cos(pi/2 t^k), b_t = sin(pi/2 t^k): a variance-preserving path
// Use them by spec, from code or from the CLIs (`--import ./plugin.mjs`).
import { definePlugin, register } from '@rectiflow/core';
import { BaseForwardProcess } from '@rectiflow/schedules';
import { solveFixedStep } from '@rectiflow/solvers';
import { BaseTimestepSampler } from '@rectiflow/timesteps';

/** Ralston's method: k2 at 2/3 of the step, x += h (k1 / 4 + 3 k2 / 4). */
export class RalstonSolver {
  name = 'ralston';
  solve(field, x0, grid, ops, options) {
    const ralston = (f, g, o) => ({
      step: (x, k1, i) => {
        const h = g[i + 1] - g[i];
        const x2 = o.combine([
          [1, x],
          [(2 / 3) * h, k1],
        ]);
        const k2 = f(x2, g[i] + (2 / 3) * h);
        const next = o.combine([
          [1, x],
          [h / 4, k1],
          [(3 * h) / 4, k2],
        ]);
        o.dispose(x2);
        o.dispose(k2);
        return next;
      },
      dispose: () => {},
    });
    return solveFixedStep(this.name, ralston, field, x0, grid, ops, options);
  }
}

/** log Beta(a, b), for the density. */
function logBeta(a, b) {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}
/** Lanczos approximation of log Gamma (x > 0). */
function logGamma(x) {
  const c = [
    676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let s = 0.99999999999980993;
  for (let i = 0; i < c.length; i++) s += c[i] / (x + i + 1);
  const t = x + c.length - 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

/** t ~ Beta(a, b) for integer a, b >= 1: the a-th smallest of a + b - 1 uniforms. */
export class BetaSampler extends BaseTimestepSampler {
  constructor(a, b, shift = 1) {
    super(shift);
    this.a = a;
    this.b = b;
    this.name = `beta(${a}, ${b})`;
  }
  drawBase(n, rng) {
    const out = new Float64Array(n);
    const u = new Float64Array(this.a + this.b - 1);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < u.length; j++) u[j] = rng.uniformNumber();
      u.sort();
      out[i] = u[this.a - 1];
    }
    return out;
  }
  baseDensity(t) {
    if (t <= 0 || t >= 1) return 0;
    return Math.exp((this.a - 1) * Math.log(t) + (this.b - 1) * Math.log(1 - t) - logBeta(this.a, this.b));
  }
  baseCdf(t) {
    // Integer parameters: P(T <= t) = P(at least a of the a + b - 1 uniforms are <= t).
    const m = this.a + this.b - 1;
    let p = 0;
    for (let k = this.a; k <= m; k++) p += Math.exp(logChoose(m, k) + k * Math.log(t) + (m - k) * Math.log1p(-t));
    return Math.min(1, t <= 0 ? 0 : t >= 1 ? 1 : p);
  }
}
function logChoose(n, k) {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** A variance-preserving path: a_t = cos(theta), b_t = sin(theta), theta = pi/2 t^k (k = 1: the cosine process). */
export class VpSineProcess extends BaseForwardProcess {
  constructor(k = 1) {
    super();
    this.k = k;
    this.name = `vp-sine(${k})`;
  }
  theta(t) {
    return (Math.PI / 2) * t ** this.k;
  }
  dtheta(t) {
    return (Math.PI / 2) * this.k * t ** (this.k - 1);
  }
  coefA(t) {
    return Math.cos(this.theta(t));
  }
  coefB(t) {
    return Math.sin(this.theta(t));
  }
  coefDa(t) {
    return -Math.sin(this.theta(t)) * this.dtheta(t);
  }
  coefDb(t) {
    return Math.cos(this.theta(t)) * this.dtheta(t);
  }
}

register(
  'solver',
  'ralston',
  definePlugin({ description: "Ralston's 2nd-order method (example plugin)", create: () => new RalstonSolver() }),
  {
    override: true,
  },
);
register(
  'timestep-sampler',
  'beta',
  definePlugin({
    description: 't ~ Beta(a, b), integer a, b >= 1 (example plugin)',
    params: [
      { name: 'a', type: 'integer', default: 2, min: 1, max: 50 },
      { name: 'b', type: 'integer', default: 2, min: 1, max: 50 },
      { name: 'shift', type: 'number', default: 1, greaterThan: 0 },
    ],
    create: (p) => new BetaSampler(p.a, p.b, p.shift),
  }),
  { override: true },
);
register(
  'forward-process',
  'vp-sine',
  definePlugin({
    description: 'a = cos(pi/2 t^k), b = sin(pi/2 t^k) (example plugin)',
    params: [{ name: 'k', type: 'number', default: 1, greaterThan: 0, max: 10 }],
    create: (p) => new VpSineProcess(p.k),
  }),
  { override: true },
);
