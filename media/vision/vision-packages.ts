import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The optional npm packages the `vision` scorer runs on (package.json "optionalDependencies"). */
export const VISION_PACKAGES = [
  '@vladmandic/face-api',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@techstark/opencv-js',
] as const;

/** Thrown when an optional package of the `vision` scorer is not installed (an install with `--omit=optional`). */
export class VisionUnavailableError extends Error {
  override readonly name = 'VisionUnavailableError';
  constructor(
    readonly packageName: string,
    options?: { cause?: unknown }
  ) {
    super(
      `the vision scorer needs the npm package ${packageName}, which is not installed: run \`npm install --include=optional\` on the worker's machine, or set gate.scorer to "clip" or "manual"`,
      options
    );
  }
}

/** Loads one optional package, or throws VisionUnavailableError naming it. */
export function requireVisionPackage<T>(name: (typeof VISION_PACKAGES)[number], subpath = ''): T {
  try {
    return require(subpath ? `${name}/${subpath}` : name) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND')
      throw new VisionUnavailableError(name, { cause: err });
    throw err;
  }
}

/** The folder an installed optional package lives in (for its weights and WASM files). */
export function visionPackageDir(name: (typeof VISION_PACKAGES)[number]): string {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch (err) {
    throw new VisionUnavailableError(name, { cause: err });
  }
}

/** The first optional package of the `vision` scorer that is not installed, if any. */
export function missingVisionPackage(): string | undefined {
  return VISION_PACKAGES.find((name) => {
    try {
      require.resolve(`${name}/package.json`);
      return false;
    } catch {
      return true;
    }
  });
}
