/** Drawing on the page: CHW images in [-1, 1] on canvases, and the loss curve on a log scale. */

/** Draw a CHW RGB image in [-1, 1] on `canvas` (its own size: one canvas pixel per image pixel). */
export function drawImage(canvas: HTMLCanvasElement, pixels: Float32Array, height: number, width: number): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const data = ctx.createImageData(width, height);
  const plane = height * width;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) data.data[4 * i + c] = Math.round(((pixels[c * plane + i] + 1) / 2) * 255);
    data.data[4 * i + 3] = 255;
  }
  ctx.putImageData(data, 0, 0);
}

/** A figure with a canvas and a caption, appended to `parent`. */
export function figure(parent: HTMLElement, caption: string): { canvas: HTMLCanvasElement; caption: HTMLElement } {
  const fig = document.createElement('figure');
  const canvas = document.createElement('canvas');
  canvas.className = 'image';
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  fig.append(canvas, cap);
  parent.append(fig);
  return { canvas, caption: cap };
}

/** The loss per step on a log-scale y axis. */
export function drawLossChart(canvas: HTMLCanvasElement, losses: readonly number[]): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const finite = losses.filter((l) => l > 0 && Number.isFinite(l));
  if (finite.length < 2) return;
  const lo = Math.log10(Math.min(...finite));
  const hi = Math.log10(Math.max(...finite));
  const span = Math.max(hi - lo, 1e-6);
  const pad = 28;
  ctx.fillStyle = '#555';
  ctx.font = '11px sans-serif';
  ctx.fillText(`${(10 ** hi).toPrecision(3)}`, 2, 12);
  ctx.fillText(`${(10 ** lo).toPrecision(3)}`, 2, height - 4);
  ctx.strokeStyle = '#1f5fbf';
  ctx.beginPath();
  losses.forEach((l, i) => {
    if (!(l > 0)) return;
    const x = pad + ((width - pad - 4) * i) / (losses.length - 1);
    const y = 4 + (height - 8) * (1 - (Math.log10(l) - lo) / span);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
}
