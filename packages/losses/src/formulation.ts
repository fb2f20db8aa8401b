/**
 * A training formulation in the paper's notation (Table 1): `rf/lognorm(0.00, 1.00)`,
 * `rf/mode(1.29)`, `eps/cos`, `edm(-1.20, 1.20)`: a forward process, a timestep sampler,
 * a loss weighting and the network's output parameterisation. Registered as plugin kind
 * 'formulation'.
 */
import type { ForwardProcess, LossWeighting, TimestepSampler } from '@rectiflow/core';
import type { ProcessOutput } from '@rectiflow/schedules';

/** What a formulation fixes. Pass one to {@link flowMatchingLoss} with `...formulation`. */
export interface Formulation {
  /** The spec, e.g. `rf/lognorm(0, 1)`. */
  readonly name: string;
  readonly process: ForwardProcess;
  readonly sampler: TimestepSampler;
  readonly weighting: LossWeighting;
  /** What the network predicts: `velocity` (dz/dt), `eps`, `x0`, or EDM's `F`. */
  readonly output: ProcessOutput;
}

declare module '@rectiflow/core' {
  interface PluginKinds {
    formulation: Formulation;
  }
}
