/**
 * What a caller of the trainer passes in (hooks) and gets back (the result of a run).
 */
import type { SavePhase } from '@rectiflow/pipeline/node';
import type { EvalRecord } from './evaluation';
import type { MetricRecord } from './report';

/** Why a run stopped. */
export type StopReason = 'time' | 'steps' | 'signal' | 'non-finite';

export interface TrainResult {
  runDir: string;
  steps: number;
  stoppedBy: StopReason;
  /** The newest good checkpoint ('' when none was written). */
  checkpoint: string;
  /** Why a non-finite run stopped and which checkpoint is good. */
  stopMessage?: string;
  finalGrid?: string;
  report: string;
  /** Colour adherence of the final held-out grid (shapes datasets). */
  colorAdherence?: number;
  /** The final evaluation (when `evalSeeds` > 0). */
  evaluation?: EvalRecord;
  metrics: MetricRecord[];
}

export interface TrainerHooks {
  /** One line of human output (default: stdout). */
  log?: (line: string) => void;
  /** Progress display stream (default: process.stdout). */
  stream?: { isTTY?: boolean; write(s: string): unknown };
  /** Returns true when the run should stop and save (e.g. after Ctrl-C). */
  shouldStop?: () => boolean;
  /** Called after each completed step (tests). */
  onStep?: (step: number, loss: number) => void;
  /** Called at each phase of a checkpoint save (the kill tests stop the process there). */
  onSavePhase?: (phase: SavePhase, step: number) => void;
}
