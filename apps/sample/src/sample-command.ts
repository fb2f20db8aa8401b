/**
 * The `rectiflow-sample` command without the process around it: arguments in, lines out,
 * an exit code back. Bad input, a damaged checkpoint or a missing file is one line on
 * stderr, never a stack trace; only bugs propagate.
 */
import { describeIoError, RectiflowError } from '@rectiflow/core';
import { runSample } from './run-sample';

/** Run `rectiflow-sample` with `argv`; returns the exit code (0 done, 1 failed, 2 bad input). */
export async function sampleCommand(argv: string[], io: { out(line: string): void; err(line: string): void }): Promise<number> {
  try {
    await runSample(argv, io.out);
    return 0;
  } catch (e) {
    if (e instanceof RectiflowError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      // One line: Node's argument errors may span several.
      io.err(`error: ${(e as Error).message.replace(/\s*\n\s*/g, ' ')}\nRun with --help for every option.`);
      return 2;
    }
    const line = describeIoError(e);
    if (!line) throw e;
    io.err(`error: ${line}`);
    return 1;
  }
}
