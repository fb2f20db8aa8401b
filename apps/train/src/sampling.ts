/**
 * What rectiflow-sample uses from the training app: loading runs, generating images and
 * sample sheets.
 * @module sampling
 */
export { openCheckpoint } from './checkpoint';
export { autoencoderFor } from './components';
export { describeIoError } from './io-error';
export { type LoadedRun, loadRun } from './load-run';
export { checkWritableDir, ensureWritableDir } from './run-folder';
export { checkFits, largestFitting, memoryBudget, samplingBytes } from './size-bounds';
