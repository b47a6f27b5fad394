import { once } from 'node:events';
import fs from 'node:fs/promises';
import zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(data, zlib.crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * An 8-bit RGB PNG written to a file a band of rows at a time, so a tall image (a 200-scene
 * contact sheet is 1000 × 8000 pixels) is never whole in memory.
 */
export class PngWriter {
  private readonly deflate = zlib.createDeflate({ level: 6 });
  private readonly written: Promise<void>;
  private rows = 0;

  private constructor(
    private readonly file: fs.FileHandle,
    readonly width: number,
    readonly height: number
  ) {
    // each piece of the compressed stream becomes an IDAT chunk, in order
    this.written = (async () => {
      for await (const piece of this.deflate) await this.file.write(chunk('IDAT', piece as Buffer));
    })().catch((err: unknown) => {
      // a writer waiting for the stream to drain hears of it too
      this.deflate.destroy(err as Error);
      throw err;
    });
    // heard in close(); until then a failed write must not count as unhandled
    this.written.catch(() => undefined);
  }

  static async open(path: string, width: number, height: number): Promise<PngWriter> {
    const file = await fs.open(path, 'w');
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header.writeUInt8(8, 8); // bit depth
    header.writeUInt8(2, 9); // colour type: RGB
    await file.write(Buffer.concat([SIGNATURE, chunk('IHDR', header)]));
    return new PngWriter(file, width, height);
  }

  /** Appends whole rows of tightly packed RGB (`width * 3` bytes each). */
  async writeRows(rgb: Buffer): Promise<void> {
    const stride = this.width * 3;
    if (rgb.length % stride !== 0) throw new Error(`${rgb.length} bytes are not whole rows of ${stride}`);
    const rows = rgb.length / stride;
    // each row behind its filter type, 0 (none); one write for the lot
    const filtered = Buffer.alloc(rows * (stride + 1));
    for (let row = 0; row < rows; row++) rgb.copy(filtered, row * (stride + 1) + 1, row * stride, (row + 1) * stride);
    this.rows += rows;
    if (!this.deflate.write(filtered)) await once(this.deflate, 'drain');
  }

  /** Ends the image; it must have all its rows. */
  async close(): Promise<void> {
    if (this.rows !== this.height) throw new Error(`the PNG has ${this.rows} of its ${this.height} rows`);
    try {
      this.deflate.end();
      await this.written;
      await this.file.write(chunk('IEND', Buffer.alloc(0)));
    } finally {
      await this.file.close();
    }
  }

  /** Gives up on the image: the file is left incomplete for the caller to remove. */
  async abort(): Promise<void> {
    this.deflate.destroy();
    await this.written.catch(() => undefined);
    await this.file.close().catch(() => undefined);
  }
}
