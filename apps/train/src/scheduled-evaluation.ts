/**
 * The evaluations during a run (every `evalEvery` steps, one seed) and at its end
 * (`evalSeeds` seeds): the EMA weights scored by evaluateModel with the sample-grid settings,
 * each record appended to `metrics.jsonl` and summarised in the log. Their time is kept apart,
 * so that it does not count against the training budget.
 */

import type { Ema } from '@rectiflow/optim';
import type { Components } from './components';
import type { TrainConfig } from './config';
import { type EvalRecord, evaluateModel } from './evaluation';

export class ScheduledEvaluations {
  /** The evaluations of the run so far (restored on resume). */
  records: EvalRecord[] = [];
  /** Seconds spent in evaluations in this session. */
  seconds = 0;

  constructor(
    private readonly config: TrainConfig,
    private readonly parts: Components,
    private readonly ema: Ema,
    private readonly append: (record: EvalRecord) => void,
    private readonly log: (line: string) => void,
  ) {}

  /** Whether the schedule evaluates at `step`. */
  due(step: number): boolean {
    return this.config.evalEvery > 0 && step % this.config.evalEvery === 0;
  }

  /** Evaluate at `step` with `seeds` seeds; the record is kept, appended and logged. */
  async run(step: number, seeds: number): Promise<EvalRecord> {
    const c = this.config;
    const { autoencoder, textEncoder, model, latentShape, formulation, shift } = this.parts;
    const started = performance.now();
    const { scores: _scores, ...record } = await this.ema.withWeightsAsync(() =>
      evaluateModel(
        { model: model.predict, textEncoder, autoencoder, latentShape, formulation },
        c.dataset,
        { steps: c.sampleSteps, solver: c.sampleSolver, guidance: c.guidance, shift },
        step,
        seeds,
      ),
    );
    this.seconds += (performance.now() - started) / 1000;
    this.records.push(record);
    this.append(record);
    const summary = evalSummary(record);
    if (summary) this.log(`eval at step ${step} (${seeds} seed${seeds === 1 ? '' : 's'}, ${record.seconds.toFixed(0)} s): ${summary}`);
    return record;
  }

  /** The final evaluation at `step`: the one already made with `evalSeeds` seeds, else a new one. */
  async final(step: number): Promise<EvalRecord> {
    const seeds = this.config.evalSeeds;
    return this.records.find((e) => e.step === step && e.seeds === seeds) ?? (await this.run(step, seeds));
  }
}

/** The parts of an evaluation record worth a log line ('' when none). */
export function evalSummary(record: EvalRecord): string {
  const a = record.adherence;
  return [
    a && `whole prompt ${(100 * a.one.whole).toFixed(1)}% one-shape, ${(100 * a.two.whole).toFixed(1)}% two-shape`,
    record.validation && `validation loss ${record.validation.mean.toFixed(4)}`,
    record.fd && `FD ${record.fd.value.toFixed(0)}`,
    record.digitAccuracy !== undefined && `digit accuracy ${(100 * record.digitAccuracy).toFixed(1)}%`,
  ]
    .filter(Boolean)
    .join('; ');
}
