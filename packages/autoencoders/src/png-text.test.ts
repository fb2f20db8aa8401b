import { tf } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, pngTextValue, readPngText } from './png';

describe('PNG text chunks', () => {
  it('carry the prompt and settings of an image, and leave the pixels as they were', () => {
    const image = tf.tidy(() => tf.linspace(-1, 1, 3 * 4 * 4).reshape([1, 3, 4, 4]));
    const plain = encodePng(image);
    const bytes = encodePng(image, { text: { prompt: 'a red circle', parameters: '{"seed":3,"steps":24}' } });
    expect(readPngText(bytes)).toEqual({ prompt: 'a red circle', parameters: '{"seed":3,"steps":24}' });
    expect(readPngText(plain)).toEqual({});
    const [a, b] = [decodePng(plain), decodePng(bytes)];
    expect([...b.dataSync()]).toEqual([...a.dataSync()]);
    expect(pngTextValue('un cercle rouge ✓')).toBe('un cercle rouge \\u2713');
    expect(pngTextValue('a 🔴 circle')).toBe('a \\ud83d\\udd34 circle');
    expect(() => encodePng(image, { text: { prompt: 'un cercle ✓' } })).toThrow(/Latin-1 text \(pngTextValue\(text\) escapes the rest\)/);
    expect(() => encodePng(image, { text: { '': 'x' } })).toThrow(/text keyword: got ""/);
    tf.dispose([image, a, b]);
  });
});
