import { invalid, type Parameterization } from '@rectiflow/core';

/**
 * What a network predicts: the core parameterisations (`velocity` = dz/dt, `eps`, `x0`) and,
 * for EDM only, `F`, the raw output of Karras et al.'s preconditioned network
 * (D = c_skip z + c_out F).
 */
export type ProcessOutput = Parameterization | 'F';

/** The accepted values of {@link ProcessOutput}. */
export const PROCESS_OUTPUTS: readonly ProcessOutput[] = ['velocity', 'eps', 'x0', 'F'];

/** Throw a ValidationError unless `value` is a {@link ProcessOutput}. */
export function checkProcessOutput(field: string, value: unknown): ProcessOutput {
  if (!PROCESS_OUTPUTS.includes(value as ProcessOutput)) {
    invalid(field, value, `one of ${PROCESS_OUTPUTS.map((p) => `'${p}'`).join(', ')}`);
  }
  return value as ProcessOutput;
}
