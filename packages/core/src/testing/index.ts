/**
 * Test helpers for Rectiflow packages and plugins: tensor closeness with atol/rtol and a
 * tensor-leak check. They throw plain errors, so they work with any test runner.
 * @module testing
 */
export { type CloseOptions, type Comparison, compareArrays, expectClose, expectRelClose, type Numeric } from './close';
export { fixturePath, fixturesFolder, readFixtureBytes, readFixtureJson } from './fixtures';
export { expectNoTensorLeak, type LeakCheckOptions } from './tensor-leak';
