/** A single-channel image as floats, row-major. */
export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** Luminance of an RGB image (ITU-R BT.601 weights). */
export function toGray(rgb: { width: number; height: number; data: Uint8Array }): GrayImage {
  const data = new Float32Array(rgb.width * rgb.height);
  for (let i = 0; i < data.length; i++) {
    data[i] = 0.299 * rgb.data[i * 3]! + 0.587 * rgb.data[i * 3 + 1]! + 0.114 * rgb.data[i * 3 + 2]!;
  }
  return { width: rgb.width, height: rgb.height, data };
}

/** A template prepared once: its zero-mean values and their norm. */
export interface PreparedTemplate {
  width: number;
  height: number;
  centered: Float32Array;
  norm: number;
}

export function prepareTemplate(template: GrayImage): PreparedTemplate {
  const n = template.data.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += template.data[i]!;
  mean /= n;
  const centered = new Float32Array(n);
  let sq = 0;
  for (let i = 0; i < n; i++) {
    centered[i] = template.data[i]! - mean;
    sq += centered[i]! * centered[i]!;
  }
  return { width: template.width, height: template.height, centered, norm: Math.sqrt(sq) };
}

/** Summed-area tables of values and squares, for any window's mean and variance in O(1). */
interface Integrals {
  sum: Float64Array;
  sq: Float64Array;
  stride: number;
}

export function integrals(image: GrayImage): Integrals {
  const stride = image.width + 1;
  const sum = new Float64Array(stride * (image.height + 1));
  const sq = new Float64Array(stride * (image.height + 1));
  for (let y = 0; y < image.height; y++) {
    let rowSum = 0;
    let rowSq = 0;
    for (let x = 0; x < image.width; x++) {
      const v = image.data[y * image.width + x]!;
      rowSum += v;
      rowSq += v * v;
      sum[(y + 1) * stride + x + 1] = sum[y * stride + x + 1]! + rowSum;
      sq[(y + 1) * stride + x + 1] = sq[y * stride + x + 1]! + rowSq;
    }
  }
  return { sum, sq, stride };
}

function nccAt(image: GrayImage, table: Integrals, t: PreparedTemplate, x: number, y: number): number {
  const { sum, sq, stride } = table;
  const a = y * stride + x;
  const b = y * stride + x + t.width;
  const c = (y + t.height) * stride + x;
  const d = (y + t.height) * stride + x + t.width;
  const n = t.width * t.height;
  const windowSum = sum[d]! - sum[b]! - sum[c]! + sum[a]!;
  const windowSq = sq[d]! - sq[b]! - sq[c]! + sq[a]!;
  const variance = windowSq - (windowSum * windowSum) / n;
  if (variance <= 1e-6 || t.norm <= 1e-6) return 0;
  // the template is zero-mean, so correlating with the raw window equals correlating with the centred one
  let dot = 0;
  for (let ty = 0; ty < t.height; ty++) {
    const row = (y + ty) * image.width + x;
    const trow = ty * t.width;
    for (let tx = 0; tx < t.width; tx++) dot += t.centered[trow + tx]! * image.data[row + tx]!;
  }
  return dot / (t.norm * Math.sqrt(variance));
}

/**
 * The best zero-mean normalised cross-correlation of a template anywhere in an image, -1..1:
 * a coarse pass every `step` pixels, then every pixel around the best coarse hit.
 */
export function bestNcc(image: GrayImage, table: Integrals, template: PreparedTemplate, step = 2): number {
  const maxX = image.width - template.width;
  const maxY = image.height - template.height;
  if (maxX < 0 || maxY < 0) return 0;
  let best = -1;
  let bestX = 0;
  let bestY = 0;
  for (let y = 0; y <= maxY; y += step) {
    for (let x = 0; x <= maxX; x += step) {
      const score = nccAt(image, table, template, x, y);
      if (score > best) {
        best = score;
        bestX = x;
        bestY = y;
      }
    }
  }
  for (let y = Math.max(0, bestY - step); y <= Math.min(maxY, bestY + step); y++) {
    for (let x = Math.max(0, bestX - step); x <= Math.min(maxX, bestX + step); x++) {
      best = Math.max(best, nccAt(image, table, template, x, y));
    }
  }
  return best;
}
