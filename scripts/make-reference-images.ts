/**
 * Draws the example plan's reference images: "mara", a stylised character, "lumen-bottle", a
 * product, and "noor", another character the emulator's `drift` knob draws in Mara's place (a
 * scene that lost its identity, for the consistency check's tests). Made here, in code, so nothing copyrighted ships with scenegate. Run with
 * `npx tsx scripts/make-reference-images.ts`; the PNGs are committed, so a clone needs no step.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { encodePng, type RgbImage } from '../media/raw-image';

type Rgb = readonly [number, number, number];
const SIZE = 512;

function canvas(background: Rgb): RgbImage {
  const data = Buffer.alloc(SIZE * SIZE * 3);
  for (let i = 0; i < SIZE * SIZE; i++) data.set(background, i * 3);
  return { width: SIZE, height: SIZE, data };
}

function paint(image: RgbImage, inside: (x: number, y: number) => boolean, color: (x: number, y: number) => Rgb): void {
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) if (inside(x, y)) image.data.set(color(x, y), (y * image.width + x) * 3);
  }
}

const solid = (c: Rgb) => (): Rgb => c;
const ellipse =
  (cx: number, cy: number, rx: number, ry: number) =>
  (x: number, y: number): boolean =>
    ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
const rect =
  (x0: number, y0: number, x1: number, y1: number) =>
  (x: number, y: number): boolean =>
    x >= x0 && x < x1 && y >= y0 && y < y1;

function mara(): RgbImage {
  const image = canvas([32, 112, 120]);
  // diagonal light bands behind her, so the picture has texture at every scale
  paint(image, (x, y) => ((x + y) >> 5) % 2 === 0, solid([44, 136, 140]));
  paint(image, ellipse(256, 470, 170, 120), solid([200, 60, 50])); // coat
  paint(image, (x, y) => ellipse(256, 470, 170, 120)(x, y) && ((x >> 4) + (y >> 4)) % 2 === 0, solid([236, 190, 60])); // checked coat
  paint(image, rect(226, 300, 286, 370), solid([224, 172, 132])); // neck
  paint(image, ellipse(256, 190, 150, 150), solid([66, 34, 88])); // hair
  paint(image, ellipse(256, 225, 108, 128), solid([236, 188, 148])); // face
  paint(image, rect(140, 120, 372, 165), solid([66, 34, 88])); // fringe
  paint(image, ellipse(212, 215, 22, 14), solid([255, 255, 255]));
  paint(image, ellipse(300, 215, 22, 14), solid([255, 255, 255]));
  paint(image, ellipse(214, 216, 10, 10), solid([30, 90, 170])); // eyes
  paint(image, ellipse(302, 216, 10, 10), solid([30, 90, 170]));
  paint(image, rect(188, 186, 238, 194), solid([60, 30, 40])); // brows
  paint(image, rect(276, 186, 326, 194), solid([60, 30, 40]));
  paint(image, ellipse(256, 300, 40, 12), solid([180, 50, 70])); // mouth
  paint(image, ellipse(180, 262, 20, 12), solid([240, 150, 140])); // cheeks
  paint(image, ellipse(332, 262, 20, 12), solid([240, 150, 140]));
  paint(image, (x, y) => ellipse(256, 355, 120, 26)(x, y) && (x >> 3) % 3 !== 0, solid([250, 230, 80])); // scarf
  paint(image, ellipse(392, 120, 26, 26), solid([250, 230, 80])); // hair clip
  paint(image, ellipse(392, 120, 12, 12), solid([200, 60, 50]));
  return image;
}

function lumenBottle(): RgbImage {
  const image = canvas([226, 218, 204]);
  paint(image, (x, y) => (y >> 4) % 2 === 0 && y > 440, solid([190, 176, 156])); // table boards
  paint(image, ellipse(256, 440, 120, 22), solid([150, 136, 120])); // shadow
  paint(image, rect(226, 40, 286, 110), solid([40, 40, 48])); // cap
  paint(image, (x, y) => rect(226, 40, 286, 110)(x, y) && (x >> 3) % 2 === 0, solid([90, 90, 100])); // knurled cap
  paint(image, rect(236, 110, 276, 160), solid([196, 112, 28])); // neck
  paint(image, (x, y) => ellipse(256, 200, 104, 60)(x, y) && y >= 160, solid([196, 112, 28])); // shoulders
  paint(image, rect(152, 200, 360, 430), solid([196, 112, 28])); // body
  paint(image, ellipse(256, 430, 104, 16), solid([170, 92, 20]));
  paint(image, rect(176, 150, 190, 420), solid([240, 170, 90])); // highlight
  paint(image, rect(168, 250, 344, 380), solid([250, 248, 240])); // label
  paint(image, rect(168, 250, 344, 262), solid([20, 60, 120]));
  paint(image, rect(168, 368, 344, 380), solid([20, 60, 120]));
  // the logo: a sun with alternating rays
  paint(
    image,
    (x, y) => {
      const dx = x - 256;
      const dy = y - 315;
      const r = Math.hypot(dx, dy);
      const ray = Math.floor(((Math.atan2(dy, dx) + Math.PI) / (2 * Math.PI)) * 16) % 2 === 0;
      return r < 24 || (r < 44 && ray);
    },
    solid([232, 80, 40])
  );
  return image;
}

/** Another person: other hair, face, clothes and background, laid out differently, so nothing of Mara's picture matches. */
function noor(): RgbImage {
  const image = canvas([150, 120, 60]);
  // horizontal bands behind him, against Mara's diagonal ones
  paint(image, (x, y) => (y >> 6) % 2 === 0, solid([182, 150, 84]));
  paint(image, rect(96, 380, 416, 512), solid([30, 60, 40])); // jacket
  paint(image, (x, y) => rect(96, 380, 416, 512)(x, y) && (x >> 5) % 2 === 0, solid([60, 100, 70])); // striped jacket
  paint(image, rect(232, 320, 280, 390), solid([120, 76, 48])); // neck
  paint(image, ellipse(300, 200, 120, 150), solid([126, 82, 52])); // face, off centre
  paint(image, rect(176, 40, 430, 110), solid([230, 220, 200])); // white flat-top hair
  paint(image, rect(190, 170, 410, 184), solid([20, 20, 20])); // glasses bar
  paint(image, rect(210, 160, 280, 220), solid([20, 20, 20])); // glasses
  paint(image, rect(320, 160, 390, 220), solid([20, 20, 20]));
  paint(image, rect(222, 172, 268, 208), solid([170, 200, 220]));
  paint(image, rect(332, 172, 378, 208), solid([170, 200, 220]));
  paint(image, rect(250, 280, 350, 300), solid([60, 30, 24])); // mouth
  paint(image, rect(230, 250, 370, 262), solid([220, 220, 210])); // moustache
  paint(image, ellipse(90, 120, 50, 50), solid([40, 40, 140])); // a blue badge on the wall
  return image;
}

const out = path.join(import.meta.dirname, '..', 'examples', 'references');
await fs.mkdir(out, { recursive: true });
for (const [name, image] of [
  ['mara.png', mara()],
  ['lumen-bottle.png', lumenBottle()],
  ['noor.png', noor()],
] as const) {
  const png = await encodePng(image);
  await fs.writeFile(path.join(out, name), png);
  console.log(`${name}: ${png.length} bytes`);
}
