/**
 * The subcommands of `rectiflow`: each runs an app's own command line (in a child process, so
 * its Ctrl-C handling and exit codes are its own), and `list` prints the registered plugins.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Subcommand -> [app package, its bin file]. */
export const APP_COMMANDS: Readonly<Record<string, readonly [string, string]>> = {
  train: ['@rectiflow/train-app', 'dist/cli.js'],
  sample: ['@rectiflow/sample-app', 'dist/cli.js'],
  eval: ['@rectiflow/train-app', 'dist/eval-cli.js'],
  study: ['@rectiflow/study-app', 'dist/cli.js'],
  convert: ['@rectiflow/convert-app', 'dist/cli.js'],
};

/** The file an app subcommand runs. */
export function appEntry(command: string): string {
  const [pkg, file] = APP_COMMANDS[command];
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}

export const HELP = `rectiflow: rectified-flow transformers (Stable Diffusion 3) in TypeScript

usage: rectiflow <command> [options]   (rectiflow <command> --help for a command's options)

  train      train a text-to-image MM-DiT (rectiflow-train)
  sample     text to images from a run, the bundled model or SD3 weights (rectiflow-sample)
  eval       how well a run follows its prompts, FD, validation loss (rectiflow-eval)
  study      the paper's formulation study at small scale (rectiflow-study)
  convert    a model as an official SD3 file or a diffusers folder (rectiflow-convert)
  list       the registered plugins of every kind, with their parameters
             (rectiflow list [KIND] [--import ./plugin.mjs])

  --import <module>   before any command: load a plugin module (repeatable)`;
