import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@rectiflow/core';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage } from './decode-image';
import { loadImageFolder } from './node';
import { resizeAndCenterCrop, resizeRgb, rgbToChw } from './resize';

function solidRgba(width: number, height: number, rgba: [number, number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set(rgba, i * 4);
  return data;
}

describe('image decoding and resizing', () => {
  it('decodes PNG (RGB, RGBA over white, grey, 16-bit) and JPEG', () => {
    const rgb = decodeImage(encodePng({ width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 0, 255]), channels: 3 }));
    expect([...rgb.data]).toEqual([255, 0, 0, 0, 0, 255]);
    const rgba = decodeImage(encodePng({ width: 1, height: 1, data: new Uint8Array([0, 0, 0, 0]), channels: 4 }));
    expect([...rgba.data]).toEqual([255, 255, 255]);
    const grey16 = decodeImage(encodePng({ width: 1, height: 1, data: new Uint16Array([65535]), channels: 1, depth: 16 }));
    expect([...grey16.data]).toEqual([255, 255, 255]);
    const j = jpeg.encode({ width: 8, height: 8, data: solidRgba(8, 8, [200, 100, 50, 255]) }, 95);
    const decoded = decodeImage(new Uint8Array(j.data));
    expect(decoded.width).toBe(8);
    expect(Math.abs(decoded.data[0] - 200)).toBeLessThan(6);
    expect(() => decodeImage(new Uint8Array([1, 2, 3]), 'x.bin')).toThrow('x.bin: not a PNG or JPEG file');
    expect(() => decodeImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0]), 'bad.png')).toThrow(/bad.png: cannot decode image/);
  });

  it('resizes with an antialiased filter and crops the centre', () => {
    const w = 8;
    const checker = new Uint8Array(w * w * 3).map((_, i) => (((Math.floor(i / 3) % w) + Math.floor(i / 3 / w)) % 2 ? 255 : 0));
    const small = resizeRgb({ width: w, height: w, data: checker }, 2, 2);
    for (const v of small.data) expect(Math.abs(v - 128)).toBeLessThanOrEqual(2);
    const wide = { width: 40, height: 20, data: new Uint8Array(40 * 20 * 3).fill(77) };
    const crop = resizeAndCenterCrop(wide, 10);
    expect([crop.width, crop.height]).toEqual([10, 10]);
    expect(crop.data.every((v) => v === 77)).toBe(true);
    expect(rgbToChw(crop)[0]).toBeCloseTo(77 / 127.5 - 1, 6);
  });
});

describe('imagefolder dataset', () => {
  it('loads a folder with metadata.jsonl, resized and centre-cropped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rectiflow-if-'));
    writeFileSync(join(dir, 'red.png'), encodePng({ width: 6, height: 4, data: solidRgba(6, 4, [255, 0, 0, 255]), channels: 4 }));
    writeFileSync(join(dir, 'blue.jpg'), jpeg.encode({ width: 16, height: 16, data: solidRgba(16, 16, [0, 0, 255, 255]) }, 95).data);
    writeFileSync(
      join(dir, 'metadata.jsonl'),
      '{"file_name": "red.png", "text": "a red thing"}\n\n{"file_name": "blue.jpg", "text": "a blue thing"}\n',
    );
    const data = loadImageFolder(dir, { size: 8 });
    expect(data.size).toBe(2);
    const red = data.get(0);
    expect(red.caption).toBe('a red thing');
    expect(red.image).toHaveLength(3 * 64);
    expect(red.image[0]).toBeCloseTo(1, 5);
    expect(red.image[64]).toBeCloseTo(-1, 5);
    const blue = data.get(1);
    expect(blue.image[2 * 64]).toBeGreaterThan(0.9);
    const viaPlugin = create('dataset', `imagefolder(${JSON.stringify(dir)}, size=4)`);
    expect(viaPlugin.get(1).caption).toBe('a blue thing');
  });

  it('names the line and the problem for bad metadata, and refuses paths that leave the folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rectiflow-if-'));
    writeFileSync(join(dir, 'metadata.jsonl'), '{"file_name": "a.png", "text": "ok"}\n{"file_name": 3}\n');
    expect(() => loadImageFolder(dir)).toThrow(/metadata.jsonl line 2: "file_name" must be a non-empty string/);
    writeFileSync(join(dir, 'metadata.jsonl'), '{not json}\n');
    expect(() => loadImageFolder(dir)).toThrow(/line 1: invalid JSON/);
    writeFileSync(join(dir, 'metadata.jsonl'), '{"file_name": "../../etc/passwd", "text": "x"}\n');
    expect(() => loadImageFolder(dir).get(0)).toThrow(/leaves the folder/);
    expect(() => loadImageFolder(join(dir, 'missing'))).toThrow(/cannot read metadata.jsonl/);
  });
});
