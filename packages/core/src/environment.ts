/**
 * The environment variables Rectiflow reads, listed once: the CLIs print this list in their
 * `--help`, and the code that reads each one links here.
 */
import { BACKEND_CHOICES } from './backend';

/** One environment variable: its name, what it accepts and what it does. */
export interface EnvironmentVariable {
  name: string;
  values: string;
  description: string;
}

/** Every environment variable Rectiflow reads. */
export const ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = [
  {
    name: 'RECTIFLOW_BACKEND',
    values: BACKEND_CHOICES.join(' | '),
    description: 'the tfjs backend (default auto: in Node tfjs-node-gpu, tfjs-node, wasm, cpu; in a browser webgl, wasm, cpu)',
  },
  {
    name: 'RECTIFLOW_NATIVE',
    values: '0 | false',
    description: "turns off @rectiflow/tfjs-native's kernels on the wasm backend (on by default when installed)",
  },
  {
    name: 'RECTIFLOW_FIXTURES',
    values: 'a folder',
    description: "where @rectiflow/core/testing finds the golden fixtures (default: the repository's test-data/)",
  },
];

/** The variables as `--help` lines. */
export function environmentHelp(indent = '  '): string {
  return ENVIRONMENT_VARIABLES.map((v) => `${indent}${`${v.name}=${v.values}`.padEnd(40)} ${v.description}`).join('\n');
}
