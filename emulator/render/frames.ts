import type { RgbImage } from '../../media/raw-image';
import type { VideoSpec } from '../models';
import { hashString, seededRandom } from '../random';
import { charsThatFit, drawText, GLYPH_HEIGHT } from '../../media/bitmap-font';

export const FPS = 12;
/** A frame's size in pixels. */
export interface FrameSize {
  width: number;
  height: number;
}
export const frameSizes: Record<VideoSpec['aspectRatio'], FrameSize> = {
  '16:9': { width: 320, height: 180 },
  '9:16': { width: 180, height: 320 },
  '1:1': { width: 240, height: 240 },
};
/** References are drawn this fraction of the frame height tall. */
const REFERENCE_HEIGHT_FRACTION = 0.45;
const CAPTION_BAR = GLYPH_HEIGHT + 6;
const NOISE_BLOCK = 2;

/**
 * The frames of an emulated clip, one RGB buffer each, deterministic for a spec: a background
 * from the prompt and seed; the references side by side, panning across the frame over the
 * clip, each pixel `fidelity * reference + (1 - fidelity) * noise` with noise drawn per frame
 * (so a stronger reference really survives more); the prompt as a caption at the bottom.
 */
export function* renderFrames(
  spec: VideoSpec,
  references: readonly RgbImage[],
  size: FrameSize = frameSizes[spec.aspectRatio]
): Generator<Buffer> {
  const { width, height } = size;
  const key = hashString(`${spec.prompt}\u0000${spec.seed}`);
  const palette = seededRandom(key);
  const c1 = [palette() * 255, palette() * 255, palette() * 255];
  const c2 = [palette() * 255, palette() * 255, palette() * 255];
  const count = Math.max(1, Math.round(spec.durationSec * FPS));
  const gap = 6;
  const totalWidth = references.reduce((sum, r) => sum + r.width, 0) + gap * Math.max(0, references.length - 1);
  const refHeight = references[0]?.height ?? 0;
  const margin = 8;
  const travel = Math.max(0, width - totalWidth - 2 * margin);
  const caption = spec.prompt.slice(0, charsThatFit(width - 8));
  const fidelity = Math.min(1, Math.max(0, spec.fidelity));
  const noiseWidth = Math.ceil(width / NOISE_BLOCK);

  for (let f = 0; f < count; f++) {
    const t = f / FPS;
    const frame = Buffer.alloc(width * height * 3);
    const phase = (t / Math.max(spec.durationSec, 1)) * Math.PI * 2;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const mix = (x / width + 0.25 * Math.sin(y / 23 + phase)) % 1;
        const stripe = ((x + y + Math.floor(t * 8)) >> 4) & 1 ? 1 : 0.85;
        const i = (y * width + x) * 3;
        for (let c = 0; c < 3; c++) frame[i + c] = (c1[c]! * (1 - mix) + c2[c]! * mix) * stripe;
      }
    }

    const noise = seededRandom(key ^ Math.imul(f + 1, 0x9e3779b1));
    const noiseGrid = new Uint8Array(noiseWidth * Math.ceil(height / NOISE_BLOCK) * 3);
    for (let i = 0; i < noiseGrid.length; i++) noiseGrid[i] = noise() * 256;
    const x0 = Math.round(margin + travel * (count > 1 ? f / (count - 1) : 0));
    const y0 = Math.round((height - CAPTION_BAR - refHeight) / 2 + 3 * Math.sin(t * Math.PI));
    let left = x0;
    for (const ref of references) {
      for (let ry = 0; ry < ref.height; ry++) {
        const y = y0 + ry;
        if (y < 0 || y >= height - CAPTION_BAR) continue;
        for (let rx = 0; rx < ref.width; rx++) {
          const x = left + rx;
          if (x < 0 || x >= width) continue;
          const i = (y * width + x) * 3;
          const r = (ry * ref.width + rx) * 3;
          const n = ((Math.floor(y / NOISE_BLOCK) * noiseWidth + Math.floor(x / NOISE_BLOCK)) * 3) | 0;
          for (let c = 0; c < 3; c++) frame[i + c] = fidelity * ref.data[r + c]! + (1 - fidelity) * noiseGrid[n + c]!;
        }
      }
      left += ref.width + gap;
    }

    frame.fill(22, (height - CAPTION_BAR) * width * 3);
    drawText(frame, width, height, 4, height - CAPTION_BAR + 3, caption, [235, 235, 235]);
    yield frame;
  }
}

/** Pixels an animated first frame pans over a whole clip: enough to be motion, little enough to keep every reference in view. */
const ANIMATION_PAN = 8;

/**
 * The frames of a clip animated from a first frame (an image-to-video model): the first frame,
 * already at the clip's size, panning slowly sideways, with this clip's caption. `drift` (another
 * identity, the `drift` knob) is drawn where the video model draws its first reference, so the
 * animation itself loses the identity the keyframe had.
 */
export function* animateFrames(spec: VideoSpec, first: RgbImage, drift?: RgbImage): Generator<Buffer> {
  const { width, height } = frameSizes[spec.aspectRatio];
  const count = Math.max(1, Math.round(spec.durationSec * FPS));
  const caption = spec.prompt.slice(0, charsThatFit(width - 8));
  for (let f = 0; f < count; f++) {
    const shift = Math.round((ANIMATION_PAN * f) / Math.max(1, count - 1));
    const frame = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const sx = Math.min(width - 1, x + shift);
        first.data.copy(frame, (y * width + x) * 3, (y * width + sx) * 3, (y * width + sx) * 3 + 3);
      }
    }
    if (drift) {
      const y0 = Math.round((height - CAPTION_BAR - drift.height) / 2);
      for (let ry = 0; ry < drift.height && y0 + ry < height - CAPTION_BAR; ry++) {
        for (let rx = 0; rx < drift.width && 8 + rx - shift < width; rx++) {
          const x = 8 + rx - shift;
          if (x < 0 || y0 + ry < 0) continue;
          drift.data.copy(
            frame,
            ((y0 + ry) * width + x) * 3,
            (ry * drift.width + rx) * 3,
            (ry * drift.width + rx) * 3 + 3
          );
        }
      }
    }
    frame.fill(22, (height - CAPTION_BAR) * width * 3);
    drawText(frame, width, height, 4, height - CAPTION_BAR + 3, caption, [235, 235, 235]);
    yield frame;
  }
}

/** Pixel height references are drawn at for an aspect ratio, or in frames of `size`. */
export function referenceHeight(aspectRatio: VideoSpec['aspectRatio'], size = frameSizes[aspectRatio]): number {
  return Math.round(size.height * REFERENCE_HEIGHT_FRACTION);
}
