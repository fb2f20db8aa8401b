/**
 * The inverse of {@link shapesCaption}: what a `shapes` prompt asks for, parsed from its
 * words. Scorers compare an image against this.
 */
import { invalid } from '@rectiflow/core';
import { COLOR_NAMES, type ColorName } from './palette';
import { POSITIONS, type Position, RELATIONS, type Relation, SHAPE_KINDS, type ShapeKind } from './shapes';

/** One shape a prompt names. */
export interface PromptedShape {
  color: ColorName;
  kind: ShapeKind;
}

/** What a `shapes` prompt asks for. */
export type ShapesPrompt =
  | { count: 1; shape: PromptedShape; size: 'small' | 'large'; position: Position }
  | { count: 2; first: PromptedShape; second: PromptedShape; relation: Relation };

const COLOR = `(${COLOR_NAMES.join('|')})`;
const KIND = `(${SHAPE_KINDS.join('|')})`;
const WHERE = `(${POSITIONS.join('|')})`;
const ONE = new RegExp(`^an? (small|large) ${COLOR} ${KIND} (?:at|on|in) the ${WHERE}$`);
const TWO = new RegExp(`^an? ${COLOR} ${KIND} (${RELATIONS.join('|')}) an? ${COLOR} ${KIND}$`);

/**
 * Parse a prompt in the wording of the `shapes` captions ("a small red circle at the top
 * left", "a blue square to the left of a yellow triangle"). Case and surrounding spaces
 * are ignored.
 * @throws {ValidationError} naming the prompt when it is not in that wording
 */
export function parseShapesPrompt(prompt: string): ShapesPrompt {
  const text = prompt.trim().toLowerCase().replace(/\s+/g, ' ');
  const one = ONE.exec(text);
  if (one) {
    return {
      count: 1,
      size: one[1] as 'small' | 'large',
      shape: { color: one[2] as ColorName, kind: one[3] as ShapeKind },
      position: one[4] as Position,
    };
  }
  const two = TWO.exec(text);
  if (two) {
    return {
      count: 2,
      first: { color: two[1] as ColorName, kind: two[2] as ShapeKind },
      relation: two[3] as Relation,
      second: { color: two[4] as ColorName, kind: two[5] as ShapeKind },
    };
  }
  return invalid(
    'prompt',
    prompt,
    'a shapes prompt: "a <small|large> <colour> <circle|square|triangle> at the <position>" or "a <colour> <kind> <relation> a <colour> <kind>"',
  );
}
