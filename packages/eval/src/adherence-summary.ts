/**
 * Summarises many image scores: the rate of each attribute and of the whole prompt, for
 * one- and two-shape prompts separately (and for prompts with seen and unseen colour-kind
 * pairs), and the confusion table of one-shape positions.
 */
import { invalid } from '@rectiflow/core';
import { POSITIONS, type Position } from '@rectiflow/data';
import type { ShapesAttribute, ShapesImageScore } from './score-shapes-image';

/** Rates (fractions in [0, 1]) of one group of prompts. */
export interface AttributeRates {
  /** Number of images scored. */
  images: number;
  /** Fraction right per attribute that applies to the group. */
  attributes: Partial<Record<ShapesAttribute, number>>;
  /** Fraction with every attribute right. */
  whole: number;
}

/** What {@link summarizeAdherence} returns. */
export interface AdherenceSummary {
  one: AttributeRates;
  two: AttributeRates;
  /** Whole-prompt rate over all images. */
  whole: number;
  /**
   * Attribute rate over all images: the fraction of (image, attribute) checks that pass. A
   * graded stand-in for the paper's CLIP score, which moves before whole prompts come right.
   */
  attributes: number;
  /** Whole-prompt rate of prompts naming only seen / some unseen colour-kind pairs (when given). */
  seen?: AttributeRates;
  unseen?: AttributeRates;
  /**
   * Position confusion of one-shape prompts: `positions[asked][found]` counts images, `found`
   * one of the nine positions or `none` (no shape).
   */
  positions: Record<Position, Record<Position | 'none', number>>;
}

function rates(scores: readonly ShapesImageScore[]): AttributeRates {
  const attributes: Partial<Record<ShapesAttribute, number>> = {};
  const counts: Partial<Record<ShapesAttribute, number>> = {};
  for (const s of scores) {
    for (const [k, v] of Object.entries(s.attributes) as [ShapesAttribute, boolean][]) {
      attributes[k] = (attributes[k] ?? 0) + (v ? 1 : 0);
      counts[k] = (counts[k] ?? 0) + 1;
    }
  }
  for (const k of Object.keys(attributes) as ShapesAttribute[]) attributes[k] = attributes[k]! / counts[k]!;
  return { images: scores.length, attributes, whole: scores.length ? scores.filter((s) => s.whole).length / scores.length : 0 };
}

function attributeRate(scores: readonly ShapesImageScore[]): number {
  let right = 0;
  let checks = 0;
  for (const s of scores) {
    for (const v of Object.values(s.attributes)) {
      right += v ? 1 : 0;
      checks++;
    }
  }
  return checks ? right / checks : 0;
}

/**
 * Summarise image scores. `unseen[i]` (optional) marks score i's prompt as naming a held-out
 * combination.
 */
export function summarizeAdherence(scores: readonly ShapesImageScore[], unseen?: readonly boolean[]): AdherenceSummary {
  if (scores.length === 0) invalid('scores', scores.length, 'at least one scored image');
  if (unseen && unseen.length !== scores.length) invalid('unseen.length', unseen.length, `the number of scores (${scores.length})`);
  const positions = Object.fromEntries(
    POSITIONS.map((p) => [p, Object.fromEntries([...POSITIONS, 'none'].map((q) => [q, 0]))]),
  ) as AdherenceSummary['positions'];
  for (const s of scores) {
    if (s.asked) positions[s.asked][s.position ?? 'none']++;
  }
  const summary: AdherenceSummary = {
    one: rates(scores.filter((s) => s.count === 1)),
    two: rates(scores.filter((s) => s.count === 2)),
    whole: scores.filter((s) => s.whole).length / scores.length,
    attributes: attributeRate(scores),
    positions,
  };
  if (unseen?.some(Boolean)) {
    summary.seen = rates(scores.filter((_, i) => !unseen[i]));
    summary.unseen = rates(scores.filter((_, i) => unseen[i]));
  }
  return summary;
}

const pct = (v: number | undefined) => (v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);

/** A Markdown table of a summary (attributes by prompt type, then the whole prompt). */
export function adherenceTable(summary: AdherenceSummary): string {
  const rows: [string, ShapesAttribute | 'whole'][] = [
    ['colour', 'color'],
    ['kind', 'kind'],
    ['size', 'size'],
    ['position (3x3)', 'position'],
    ['relation', 'relation'],
    ['object count', 'count'],
    ['**whole prompt**', 'whole'],
  ];
  const cell = (r: AttributeRates, k: ShapesAttribute | 'whole') => pct(k === 'whole' ? r.whole : r.attributes[k]);
  const lines = [
    `| attribute | one-shape prompts (${summary.one.images}) | two-shape prompts (${summary.two.images}) |`,
    '|---|---|---|',
    ...rows.map(([name, k]) => `| ${name} | ${cell(summary.one, k)} | ${cell(summary.two, k)} |`),
  ];
  if (summary.seen && summary.unseen) {
    lines.push('', `whole prompt, seen combinations: ${pct(summary.seen.whole)}; unseen combinations: ${pct(summary.unseen.whole)}`);
  }
  return lines.join('\n');
}
