/**
 * @rectiflow/schedules: forward processes z_t = a_t x0 + b_t eps (rectified flow, EDM,
 * cosine, LDM-linear, shifted), targets and conversions between network outputs, the
 * resolution shift, and an accurate float64 normal distribution.
 * @packageDocumentation
 */
export { BaseForwardProcess } from './base-process';
export { CosineProcess } from './cosine';
export { type EdmOptions, EdmProcess } from './edm';
export { createForwardProcess, registerForwardProcesses } from './forward-process-plugins';
export { type BetaRule, type LdmConvention, type LdmLinearOptions, LdmLinearProcess } from './ldm-linear';
export { erf, erfc, normalCdf, normalPdf, normalQuantile } from './normal';
export {
  conversionCoefficients,
  type LinearPair,
  type MaybePreconditioned,
  type Preconditioning,
  targetCoefficients,
} from './output-conversion';
export { checkProcessOutput, PROCESS_OUTPUTS, type ProcessOutput } from './process-output';
export { RectifiedFlowProcess } from './rectified-flow';
export { shiftAlpha, shiftTime, shiftTimeDerivative, unshiftTime } from './shift';
export { ShiftedProcess } from './shifted-process';
export { checkTime, readTimes } from './time-input';
