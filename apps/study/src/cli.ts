/**
 * rectiflow-study: the paper's formulation study at small scale (`pnpm study -- --quick`),
 * the resolution-shift study (`--shift-study`), and `merge` of shard folders.
 */
import { initBackend, RectiflowError } from '@rectiflow/core';
import { mergeStudies } from './merge-studies';
import { runStudy } from './run-study';
import { parseStudyArgs, parseStudyConfig, StudyConfigError, studyHelpText } from './study-config';

// Run from pnpm scripts, paths are relative to where pnpm was invoked.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseStudyArgs>;
  let study: ReturnType<typeof parseStudyConfig>;
  try {
    args = parseStudyArgs(argv);
    if (args.help) {
      process.stdout.write(`${studyHelpText()}\n`);
      return 0;
    }
    if (args.command === 'merge') {
      if (typeof args.values.out !== 'string') throw new StudyConfigError('merge: --out DIR is required (the merged study folder)');
      const merged = mergeStudies(args.values.out, args.inputs);
      process.stdout.write(
        `merged ${merged.runs} of ${merged.planned} runs\nreport: ${merged.report.html}\n        ${merged.report.markdown}\n`,
      );
      return merged.runs === merged.planned ? 0 : 3;
    }
    study = parseStudyConfig(args.values);
  } catch (e) {
    if (e instanceof RectiflowError) {
      process.stderr.write(`${e.message}\n\nRun with --help for every option.\n`);
      return 2;
    }
    throw e;
  }
  await initBackend();
  let stopRequests = 0;
  const onSignal = () => {
    stopRequests++;
    if (stopRequests === 1) process.stderr.write('\nstopping: running runs save a checkpoint; run the same command again to continue\n');
    else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const outcome = await runStudy(study, { shouldStop: () => stopRequests > 0 });
    const lines = [
      '',
      `${outcome.alreadyFinished + outcome.finishedNow.length} of ${outcome.planned} runs of this shard finished (${outcome.finishedNow.length} now)`,
      ...(outcome.stopped.length
        ? [`stopped before the end: ${outcome.stopped.length} run(s); run the same command again to continue`]
        : []),
      ...(outcome.failed.length ? [`failed: ${outcome.failed.map((f) => f.id).join(', ')}`] : []),
      `report: ${outcome.report.html}`,
      `        ${outcome.report.markdown}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return outcome.failed.length ? 1 : outcome.stopped.length ? 130 : 0;
  } catch (e) {
    if (e instanceof RectiflowError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
