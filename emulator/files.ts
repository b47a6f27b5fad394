import crypto from 'node:crypto';

/** An upload in the emulator's Files API, kept in memory. */
export interface StoredFile {
  id: string;
  name: string;
  contentType: string;
  bytes: Buffer;
  metadata: unknown;
  createdAt: Date;
  expiresAt: Date;
}

/** The Files API's store: uploads by id, with the hosted API's response shape. */
export class FileStore {
  private readonly files = new Map<string, StoredFile>();

  constructor(private readonly ttlMs = 24 * 3_600_000) {}

  add(name: string, contentType: string, bytes: Buffer, metadata: unknown): StoredFile {
    const id = crypto.randomBytes(16).toString('hex');
    const now = new Date();
    const file = {
      id,
      name,
      contentType,
      bytes,
      metadata,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttlMs),
    };
    this.files.set(id, file);
    return file;
  }

  /** The upload, until its `expires_at`: then it is gone, as hosted Replicate's are (a 404, inferred). */
  get(id: string): StoredFile | undefined {
    const file = this.files.get(id);
    if (file && file.expiresAt.getTime() <= Date.now()) {
      this.files.delete(id);
      return undefined;
    }
    return file;
  }

  delete(id: string): boolean {
    return this.files.delete(id);
  }

  list(): StoredFile[] {
    return [...this.files.keys()]
      .map((id) => this.get(id))
      .filter((f): f is StoredFile => f !== undefined)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  clear(): void {
    this.files.clear();
  }

  toJson(file: StoredFile, baseUrl: string): Record<string, unknown> {
    return {
      id: file.id,
      name: file.name,
      content_type: file.contentType,
      size: file.bytes.length,
      etag: crypto.createHash('md5').update(file.bytes).digest('hex'),
      checksums: {
        sha256: crypto.createHash('sha256').update(file.bytes).digest('hex'),
        md5: crypto.createHash('md5').update(file.bytes).digest('hex'),
      },
      metadata: file.metadata ?? {},
      created_at: file.createdAt.toISOString(),
      expires_at: file.expiresAt.toISOString(),
      urls: { get: `${baseUrl}/files/${file.id}` },
    };
  }
}
