/** The colours of the shapes dataset, as 8-bit RGB. Chosen to be far apart. */
export const PALETTE = {
  red: [220, 40, 40],
  green: [40, 170, 60],
  blue: [50, 90, 230],
  yellow: [235, 215, 50],
  purple: [150, 60, 200],
  orange: [245, 140, 30],
} as const satisfies Record<string, readonly [number, number, number]>;

/** A colour name of {@link PALETTE}. */
export type ColorName = keyof typeof PALETTE;

/** All colour names. */
export const COLOR_NAMES = Object.keys(PALETTE) as ColorName[];

/** The background of the shapes images, 8-bit RGB. */
export const BACKGROUND: readonly [number, number, number] = [18, 18, 22];
