import type { ForwardProcess } from '@rectiflow/core';
import { expectRelClose, readFixtureJson } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { CosineProcess } from './cosine';
import { EdmProcess } from './edm';
import { createForwardProcess } from './forward-process-plugins';
import { LdmLinearProcess } from './ldm-linear';
import { RectifiedFlowProcess } from './rectified-flow';

interface Series {
  a: number[];
  b: number[];
  da_dt?: number[];
  db_dt?: number[];
  lambda: number[];
  dlambda_dt?: number[];
}
interface Schedules {
  t: number[];
  rectified_flow: Series;
  edm: Series & { P_m: number; P_s: number };
  cosine: Series;
  ldm_linear: {
    beta_0: number;
    beta_T_minus_1: number;
    T: number;
    continuous: Series & { tau: number[] };
    discrete: Series & { k: number[]; beta_k: number[]; alphabar_k: number[] };
    table_checkpoints: { k: number[]; beta_k: number[]; alphabar_k: number[] };
  };
}
const fx = readFixtureJson<Schedules>('schedules.json');

function expectSeries(process: ForwardProcess, series: Series, rtol: number, label: string): void {
  const at = (f: (t: number) => number) => fx.t.map(f);
  expectRelClose(
    at((t) => process.a(t)),
    series.a,
    rtol,
    `${label}.a`,
  );
  expectRelClose(
    at((t) => process.b(t)),
    series.b,
    rtol,
    `${label}.b`,
  );
  expectRelClose(
    at((t) => process.lambda(t)),
    series.lambda,
    rtol,
    `${label}.lambda`,
  );
  if (series.da_dt)
    expectRelClose(
      at((t) => process.da(t)),
      series.da_dt,
      rtol,
      `${label}.da`,
    );
  if (series.db_dt)
    expectRelClose(
      at((t) => process.db(t)),
      series.db_dt,
      rtol,
      `${label}.db`,
    );
  if (series.dlambda_dt)
    expectRelClose(
      at((t) => process.dlambda(t)),
      series.dlambda_dt,
      rtol,
      `${label}.dlambda`,
    );
}

describe('forward processes against schedules.json', () => {
  it('rectified flow matches to rtol 1e-12', () => {
    expectSeries(new RectifiedFlowProcess(), fx.rectified_flow, 1e-12, 'rf');
    expectSeries(createForwardProcess('rf'), fx.rectified_flow, 1e-12, 'rf (spec)');
  });

  it('EDM(-1.2, 1.2) matches to rtol 1e-10 (inverse normal CDF)', () => {
    const edm = new EdmProcess({ pMean: fx.edm.P_m, pStd: fx.edm.P_s });
    expectSeries(edm, fx.edm, 1e-10, 'edm');
    expectSeries(createForwardProcess('edm(-1.20, 1.20)'), fx.edm, 1e-10, 'edm (spec)');
  });

  it('EDM is in fact far tighter than 1e-10: 1e-13', () => {
    expectSeries(new EdmProcess(), fx.edm, 1e-13, 'edm');
  });

  it('cosine matches to rtol 1e-12', () => {
    expectSeries(new CosineProcess(), fx.cosine, 1e-12, 'cosine');
  });

  it('ldm-linear continuous convention matches to rtol 1e-12', () => {
    const ldm = createForwardProcess('ldm-linear(convention=continuous)');
    expectSeries(ldm, fx.ldm_linear.continuous, 1e-12, 'ldm continuous');
  });

  it('ldm-linear discrete convention matches to rtol 1e-12, with its table', () => {
    const { discrete, table_checkpoints: table } = fx.ldm_linear;
    const ldm = new LdmLinearProcess({
      beta0: fx.ldm_linear.beta_0,
      betaEnd: fx.ldm_linear.beta_T_minus_1,
      T: fx.ldm_linear.T,
      convention: 'discrete',
    });
    expectSeries(ldm, discrete, 1e-12, 'ldm discrete');
    expectRelClose(
      discrete.k.map((k) => ldm.betas[k]),
      discrete.beta_k,
      1e-12,
      'beta_k',
    );
    expectRelClose(
      discrete.k.map((k) => ldm.alphasCumprod[k]),
      discrete.alphabar_k,
      1e-12,
      'alphabar_k',
    );
    expectRelClose(
      table.k.map((k) => ldm.betas[k]),
      table.beta_k,
      1e-12,
      'checkpoint beta',
    );
    expectRelClose(
      table.k.map((k) => ldm.alphasCumprod[k]),
      table.alphabar_k,
      1e-12,
      'checkpoint alphabar',
    );
    expect(fx.t.map((t) => Math.round(t * (fx.ldm_linear.T - 1)))).toEqual(discrete.k);
  });
});
