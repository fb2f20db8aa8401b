#!/usr/bin/env node
// Prints the closing line CI reads, `N passed, N failed` (with `, N skipped` when any),
// from vitest's JSON report. Exits 1 when the report is missing or any test failed.
import { existsSync, readFileSync } from 'node:fs';

const path = process.argv[2] ?? '.reports/vitest.json';
if (!existsSync(path)) {
  console.log(`no vitest report at ${path}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const report = JSON.parse(readFileSync(path, 'utf8'));
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
