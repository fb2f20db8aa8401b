/**
 * What rectiflow-study uses from the training app: the trainer, its configuration, the
 * evaluation, loading runs and the report's chart.
 * @module training
 */
export {
  ConfigError,
  loadConfig,
  parseConfig,
  RESUMABLE_OPTIONS,
  readConfigFile,
  type TrainConfig,
  TrainConfigSchema,
} from './config';
export { type EvalRecord, type EvalSampling, evaluateModel, heldOutValidationLoss, isMnistDataset, isShapesDataset } from './evaluation';
export { type ChartSeries, svgChart } from './report';
export { configSamplePrompts } from './sample-grids';
export { Trainer, type TrainerHooks, type TrainResult, type TrainState } from './trainer';
