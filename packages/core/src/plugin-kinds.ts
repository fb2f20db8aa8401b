import type { Autoencoder } from './interfaces/autoencoder';
import type { ForwardProcess } from './interfaces/forward-process';
import type { LossWeighting } from './interfaces/loss-weighting';
import type { OdeSolver } from './interfaces/ode-solver';
import type { TextEncoder } from './interfaces/text-encoder';
import type { TimestepSampler } from './interfaces/timestep-sampler';
import type { VelocityModel } from './interfaces/velocity-model';

/**
 * The instance type of each plugin kind. Packages and users add kinds by declaration
 * merging:
 * ```ts
 * declare module '@rectiflow/core' {
 *   interface PluginKinds { 'my-kind': MyThing }
 * }
 * ```
 */
export interface PluginKinds {
  'forward-process': ForwardProcess;
  'timestep-sampler': TimestepSampler;
  'loss-weighting': LossWeighting;
  solver: OdeSolver;
  model: VelocityModel;
  autoencoder: Autoencoder;
  'text-encoder': TextEncoder;
}
