/**
 * Test helpers for Rectiflow packages and plugins: tensor closeness with atol/rtol and a
 * tensor-leak check. They throw plain errors, so they work with any test runner.
 * @module testing
 */
export { type CloseOptions, type Comparison, compareArrays, expectClose, type Numeric } from './close';
export { expectNoTensorLeak, type LeakCheckOptions } from './tensor-leak';
