import fs from 'node:fs';
import fs2 from 'node:fs/promises';
import path from 'node:path';
import { runFfmpeg } from '../media/ffmpeg';
import { decodeImageToHeight } from '../media/raw-image';
import { FaceModels } from '../media/vision/faces';
import { visionPackageDir } from '../media/vision/vision-packages';
import { renderClip } from '../emulator/render/clip';

/**
 * The evaluation set of the `vision` scorer, built from real photographs nobody here made:
 * - people: the six group photos in the @vladmandic/face-api npm package's demo/ folder (MIT,
 *   as the package; photos by the package's author), each face found there being one person;
 * - objects: OpenCV's sample images, shipped by Debian's opencv-doc package
 *   (/usr/share/doc/opencv-doc/examples/data, BSD-3-Clause/Apache-2.0 as OpenCV).
 *
 * Each subject gives a reference image and clips the emulator renders with another picture
 * of it drawn in (another crop, scale, position in the frame, light, blur, a partial
 * occlusion, H.264 compression). Only the objects come with truly different photographs of one
 * thing (box / box_in_scene, graf1 / graf3, ...): for people every "same" clip is a transformed
 * copy of the reference photo, which is easier than a new photo of the person (same expression,
 * same pose up to a mirror, same day's light).
 */

export const OPENCV_DATA = '/usr/share/doc/opencv-doc/examples/data';

/** One reference and the clips to score against it; `pair` says whether the clip comes from another photograph. */
export interface EvalSubject {
  id: string;
  kind: 'character' | 'product';
  referencePath: string;
  clips: { path: string; variant: string; otherPhoto: boolean }[];
}

/** Objects whose image alone is the subject, and pairs of two photographs of one object or scene. */
const OBJECTS = [
  'apple.jpg',
  'baboon.jpg',
  'butterfly.jpg',
  'HappyFish.jpg',
  'fruits.jpg',
  'home.jpg',
  'building.jpg',
  'LinuxLogo.jpg',
  'messi5.jpg',
  'orange.jpg',
  'smarties.png',
  'starry_night.jpg',
  'squirrel_cls.jpg',
  'stuff.jpg',
  'sudoku.png',
  'board.jpg',
  'notes.png',
  'cards.png',
  'chicky_512.png',
  'ela_original.jpg',
];
const OBJECT_PAIRS: [string, string][] = [
  ['box.png', 'box_in_scene.png'],
  ['graf1.png', 'graf3.png'],
  ['leuvenA.jpg', 'leuvenB.jpg'],
  ['aero1.jpg', 'aero3.jpg'],
  ['Blender_Suzanne1.jpg', 'Blender_Suzanne2.jpg'],
  ['basketball1.png', 'basketball2.png'],
  ['rubberwhale1.png', 'rubberwhale2.png'],
];

/**
 * The changes a "same identity" clip's picture goes through before the emulator draws it:
 * crop (pose and scale), light, blur, occlusion, mirror. Each is an ffmpeg filter chain from the
 * subject's box in its photo.
 */
const VARIANTS: { name: string; filter: (box: Box) => string }[] = [
  {
    name: 'wider crop, darker, blurred',
    filter: (b) => `${crop(b, 2.6, 0.25, 0.1)},eq=brightness=-0.12:gamma=0.8,boxblur=1`,
  },
  {
    name: 'tighter crop, warm light, lower face occluded',
    filter: (b) =>
      `${crop(b, 1.7, -0.15, -0.05)},colorbalance=rs=0.15:bs=-0.15,eq=brightness=0.08,drawbox=x=0:y=ih*0.68:w=iw*0.55:h=ih*0.14:color=0x303030:t=fill`,
  },
  {
    name: 'mirrored, rotated, low contrast',
    filter: (b) => `${crop(b, 2.2, 0, 0.15)},hflip,rotate=0.14:fillcolor=0x808080,eq=contrast=0.75`,
  },
];

interface Box {
  cx: number;
  cy: number;
  side: number;
  imageWidth: number;
  imageHeight: number;
}

/** A square crop `scale` times the box, moved by `dx`, `dy` box sides, kept inside the photo. */
function crop(b: Box, scale: number, dx: number, dy: number): string {
  const side = Math.min(b.imageWidth, b.imageHeight, Math.round(b.side * scale));
  const x = Math.min(b.imageWidth - side, Math.max(0, Math.round(b.cx + dx * b.side - side / 2)));
  const y = Math.min(b.imageHeight - side, Math.max(0, Math.round(b.cy + dy * b.side - side / 2)));
  return `crop=${side}:${side}:${x}:${y},scale=400:400`;
}

async function writeFiltered(source: string, filter: string, file: string): Promise<void> {
  // a set built before is reused: its files are the same for the same sources
  if (fs.existsSync(file)) return;
  await runFfmpeg(['-y', '-i', source, '-vf', filter, '-frames:v', '1', file]);
}

/** A 5 s clip of the emulator's model with `picture` drawn in at a high reference strength. */
async function renderWith(picture: string, file: string, seed: number): Promise<void> {
  if (fs.existsSync(file)) return;
  const spec = {
    prompt: 'evaluation clip',
    seed,
    durationSec: 5,
    aspectRatio: '16:9' as const,
    references: [],
    fidelity: 0.9,
  };
  await renderClip(spec, [await fs2.readFile(picture)], file);
}

/** The people of the face-api demo photos: one subject per face its SSD detector finds, of at least `minSide` pixels. */
async function people(dir: string, minSide: number): Promise<EvalSubject[]> {
  const demo = path.join(visionPackageDir('@vladmandic/face-api'), 'demo');
  const models = await FaceModels.load('ssd');
  const subjects: EvalSubject[] = [];
  for (let photo = 1; photo <= 6; photo++) {
    const source = path.join(demo, `sample${photo}.jpg`);
    const image = await decodeImageToHeight(source, 960);
    const faces = await models.faces(image);
    // box in the photo's own pixels, found on a 960-row copy
    const full = await decodeImageToHeight(source, 1280);
    const k = full.height / image.height;
    for (const [i, face] of faces.entries()) {
      if (face.box.width * k < minSide) continue;
      const box: Box = {
        cx: (face.box.x + face.box.width / 2) * k,
        cy: (face.box.y + face.box.height / 2) * k,
        side: Math.max(face.box.width, face.box.height) * k,
        imageWidth: full.width,
        imageHeight: full.height,
      };
      const scaled = `scale=${full.width}:${full.height}`;
      const id = `person-${photo}-${i + 1}`;
      const referencePath = path.join(dir, `${id}-reference.png`);
      await writeFiltered(source, `${scaled},${crop(box, 2, 0, 0.1)}`, referencePath);
      const clips: EvalSubject['clips'] = [];
      for (const [v, variant] of VARIANTS.entries()) {
        const picture = path.join(dir, `${id}-v${v}.png`);
        await writeFiltered(source, `${scaled},${variant.filter(box)}`, picture);
        const clip = path.join(dir, `${id}-v${v}.mp4`);
        await renderWith(picture, clip, photo * 100 + i * 10 + v);
        clips.push({ path: clip, variant: variant.name, otherPhoto: false });
      }
      subjects.push({ id, kind: 'character', referencePath, clips });
    }
  }
  return subjects;
}

/** The objects of OpenCV's samples: transformed copies of one photo, and the pairs' second photographs. */
async function objects(dir: string): Promise<EvalSubject[]> {
  const subjects: EvalSubject[] = [];
  const whole = (w: number, h: number): Box => ({
    cx: w / 2,
    cy: h / 2,
    side: Math.min(w, h) / 1.7,
    imageWidth: w,
    imageHeight: h,
  });
  const entries: [string, string | undefined][] = [
    ...OBJECTS.map((f): [string, undefined] => [f, undefined]),
    ...OBJECT_PAIRS,
  ];
  for (const [i, [name, second]] of entries.entries()) {
    const source = path.join(OPENCV_DATA, name);
    const id = `object-${path.parse(name).name}`;
    const image = await decodeImageToHeight(source, 480);
    const box = whole(image.width, image.height);
    const scaled = `scale=${image.width}:${image.height}`;
    const referencePath = path.join(dir, `${id}-reference.png`);
    await writeFiltered(source, `${scaled},${crop(box, 1.5, 0, 0)}`, referencePath);
    const clips: EvalSubject['clips'] = [];
    const variants = second ? [VARIANTS[0]!] : VARIANTS;
    const pictureSource = second ? path.join(OPENCV_DATA, second) : source;
    const otherImage = second ? await decodeImageToHeight(pictureSource, 480) : image;
    const otherBox = whole(otherImage.width, otherImage.height);
    for (const [v, variant] of variants.entries()) {
      const picture = path.join(dir, `${id}-v${v}.png`);
      await writeFiltered(
        pictureSource,
        `scale=${otherImage.width}:${otherImage.height},${variant.filter(otherBox)}`,
        picture
      );
      const clip = path.join(dir, `${id}-v${v}.mp4`);
      await renderWith(picture, clip, 5000 + i * 10 + v);
      clips.push({
        path: clip,
        variant: second ? `second photograph (${second}), ${variant.name}` : variant.name,
        otherPhoto: Boolean(second),
      });
    }
    subjects.push({ id, kind: 'product', referencePath, clips });
  }
  return subjects;
}

/**
 * Builds the evaluation set in `dir`, reusing the files of an earlier build there.
 *
 * @throws Error naming the missing source (opencv-doc not installed, optional packages missing).
 */
export async function buildEvalSet(dir: string): Promise<EvalSubject[]> {
  if (!fs.existsSync(OPENCV_DATA)) {
    throw new Error(`${OPENCV_DATA} is missing: install Debian's opencv-doc package (apt-get install -y opencv-doc)`);
  }
  await fs2.mkdir(dir, { recursive: true });
  return [...(await people(dir, 90)), ...(await objects(dir))];
}
