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
 * Each subject gives a reference image and clips the emulator renders at 480p (EVAL_FRAME)
 * with another picture of it drawn in (another crop, size and position in the frame, light,
 * blur, a partial occlusion, a mirror for people, JPEG and H.264 compression). Only the objects come with truly different photographs of one
 * thing (box / box_in_scene, graf1 / graf3, ...): for people every "same" clip is a transformed
 * copy of the reference photo, which is easier than a new photo of the person (same expression,
 * same pose up to a mirror, same day's light).
 */

export const OPENCV_DATA = '/usr/share/doc/opencv-doc/examples/data';

/**
 * One reference and the clips to score against it. `group` is the photo a subject comes from
 * (a different-identity pair never takes two people of one photo, who may stand in each
 * other's crops); `otherPhoto` says whether the clip comes from another photograph of the
 * subject; `subjectPx` is about how many pixels tall the face or object is in the clip's frames.
 */
export interface EvalSubject {
  id: string;
  kind: 'character' | 'product';
  group: string;
  referencePath: string;
  clips: { path: string; variant: string; otherPhoto: boolean; subjectPx: number }[];
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
 * The frame size the evaluation's clips are rendered at: 480p, the smallest output of the hosted
 * models the project maps (Seedance 2.0: 480p/720p/1080p, default 720p; Kling v3: 720p/1080p;
 * shared/notes/hosted-models.md, from the models' Replicate pages, 2026-12). The smallest is
 * the hardest realistic case: a face of a wide shot is fewest pixels there.
 */
export const EVAL_FRAME = { width: 854, height: 480 } as const;
/** Height the emulator draws a picture at in an EVAL_FRAME (45% of the frame, emulator/render/frames.ts). */
const PICTURE_HEIGHT = Math.round(EVAL_FRAME.height * 0.45);

/**
 * A change a "same identity" clip's picture goes through before the emulator draws it. `scale`
 * is the crop's height in subject sizes, so the subject is PICTURE_HEIGHT / scale pixels tall in
 * the clip; `aspect` the crop's width to height; `dx`, `dy` move the crop's centre (in subject
 * sizes), placing the subject off-centre; `after` is the ffmpeg filter chain of the other changes
 * (light, blur, occlusion, mirror); `jpeg` writes the picture as a heavily compressed JPEG.
 */
interface Variant {
  name: string;
  scale: number;
  aspect: number;
  dx: number;
  dy: number;
  after: string;
  jpeg?: boolean;
}

/** People: a close-up, a medium shot and a wide shot (a face from about 110 down to about 45 px tall). */
const PERSON_VARIANTS: Variant[] = [
  {
    name: 'close-up, warm light, lower face occluded',
    scale: 2,
    aspect: 1,
    dx: -0.15,
    dy: 0.05,
    after:
      'colorbalance=rs=0.15:bs=-0.15,eq=brightness=0.08,drawbox=x=0:y=ih*0.62:w=iw*0.5:h=ih*0.12:color=0x303030:t=fill',
  },
  {
    name: 'medium shot, darker, blurred, JPEG q25',
    scale: 3,
    aspect: 1.2,
    dx: 0.35,
    dy: 0.6,
    after: 'eq=brightness=-0.12:gamma=0.8,boxblur=1',
    jpeg: true,
  },
  {
    name: 'wide shot, mirrored, rotated 8°, low contrast',
    scale: 4.8,
    aspect: 1.5,
    dx: -0.6,
    dy: 1.2,
    after: 'hflip,rotate=0.14:fillcolor=0x808080,eq=contrast=0.75',
  },
];

/**
 * Objects: large, medium and small in the frame (the picture padded so the object takes 100%,
 * 60%, 40% of its height). No mirror: a product whose print reads backwards is not the product.
 */
const OBJECT_VARIANTS: (Variant & { fill: number })[] = [
  {
    name: 'large, darker, blurred, JPEG q25',
    scale: 1.7,
    aspect: 1,
    dx: 0.1,
    dy: 0.05,
    after: 'eq=brightness=-0.12:gamma=0.8,boxblur=1',
    jpeg: true,
    fill: 1,
  },
  {
    name: 'medium, warm light, partly occluded',
    scale: 1.5,
    aspect: 1,
    dx: -0.1,
    dy: 0,
    after:
      'colorbalance=rs=0.15:bs=-0.15,eq=brightness=0.08,drawbox=x=0:y=ih*0.68:w=iw*0.55:h=ih*0.14:color=0x303030:t=fill',
    fill: 0.6,
  },
  {
    name: 'small, rotated 8°, low contrast',
    scale: 1.5,
    aspect: 1,
    dx: 0,
    dy: 0.1,
    after: 'rotate=0.14:fillcolor=0x808080,eq=contrast=0.75',
    fill: 0.4,
  },
];

interface Box {
  cx: number;
  cy: number;
  side: number;
  imageWidth: number;
  imageHeight: number;
}

/**
 * A crop `scale` subject sizes tall and `aspect` times as wide, its centre moved by `dx`, `dy`
 * subject sizes, kept inside the photo (so a subject near the photo's edge ends up larger than
 * asked), scaled to 400 rows. Returns the filter and the subject's share of the crop's height.
 */
function crop(b: Box, scale: number, aspect: number, dx: number, dy: number): { filter: string; share: number } {
  const height = Math.min(b.imageHeight, Math.round(b.side * scale));
  const width = Math.min(b.imageWidth, Math.round(height * aspect));
  const x = Math.min(b.imageWidth - width, Math.max(0, Math.round(b.cx + dx * b.side - width / 2)));
  const y = Math.min(b.imageHeight - height, Math.max(0, Math.round(b.cy + dy * b.side - height / 2)));
  return { filter: `crop=${width}:${height}:${x}:${y},scale=-2:400`, share: b.side / height };
}

async function writeFiltered(source: string, filter: string, file: string): Promise<void> {
  // a set built before is reused: its files are the same for the same sources
  if (fs.existsSync(file)) return;
  const quality = file.endsWith('.jpg') ? ['-q:v', '25'] : [];
  await runFfmpeg(['-y', '-i', source, '-vf', filter, '-frames:v', '1', ...quality, file]);
}

/** A 5 s clip of the emulator's model at EVAL_FRAME with `picture` drawn in at a high reference strength. */
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
  await renderClip(spec, [await fs2.readFile(picture)], file, EVAL_FRAME);
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
      await writeFiltered(source, `${scaled},${crop(box, 2, 1, 0, 0.1).filter}`, referencePath);
      const clips: EvalSubject['clips'] = [];
      for (const [v, variant] of PERSON_VARIANTS.entries()) {
        const cut = crop(box, variant.scale, variant.aspect, variant.dx, variant.dy);
        const picture = path.join(dir, `${id}-v${v}.${variant.jpeg ? 'jpg' : 'png'}`);
        await writeFiltered(source, `${scaled},${cut.filter},${variant.after}`, picture);
        const clip = path.join(dir, `${id}-v${v}.mp4`);
        await renderWith(picture, clip, photo * 100 + i * 10 + v);
        clips.push({
          path: clip,
          variant: variant.name,
          otherPhoto: false,
          subjectPx: Math.round(PICTURE_HEIGHT * cut.share),
        });
      }
      subjects.push({ id, kind: 'character', group: `photo-${photo}`, referencePath, clips });
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
    const referencePath = path.join(dir, `${id}-reference.png`);
    await writeFiltered(
      source,
      `scale=${image.width}:${image.height},${crop(box, 1.5, 1, 0, 0).filter}`,
      referencePath
    );
    const clips: EvalSubject['clips'] = [];
    // a second photograph is drawn large and medium; a single photo in all three sizes
    const variants = second ? OBJECT_VARIANTS.slice(0, 2) : OBJECT_VARIANTS;
    const pictureSource = second ? path.join(OPENCV_DATA, second) : source;
    const otherImage = second ? await decodeImageToHeight(pictureSource, 480) : image;
    const otherBox = whole(otherImage.width, otherImage.height);
    for (const [v, variant] of variants.entries()) {
      const cut = crop(otherBox, variant.scale, variant.aspect, variant.dx, variant.dy);
      // padded so the object takes `fill` of the picture's height, placed off-centre
      const pad = `pad=iw/${variant.fill}:ih/${variant.fill}:(ow-iw)*${(0.2 + 0.3 * v).toFixed(1)}:(oh-ih)*0.3:color=0x6a7078`;
      const picture = path.join(dir, `${id}-v${v}.${variant.jpeg ? 'jpg' : 'png'}`);
      await writeFiltered(
        pictureSource,
        `scale=${otherImage.width}:${otherImage.height},${cut.filter},${variant.after},${pad}`,
        picture
      );
      const clip = path.join(dir, `${id}-v${v}.mp4`);
      await renderWith(picture, clip, 5000 + i * 10 + v);
      clips.push({
        path: clip,
        variant: second ? `second photograph (${second}), ${variant.name}` : variant.name,
        otherPhoto: Boolean(second),
        subjectPx: Math.round(PICTURE_HEIGHT * variant.fill),
      });
    }
    subjects.push({ id, kind: 'product', group: id, referencePath, clips });
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
