import { ERR, type Refusal } from './error-codes.js';
import { MEDIA_BASE } from './generations.js';
import type { FormPart } from './multipart.js';

const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
const FORMATS: Record<string, string> = {
  'image/png': 'png',
  'image/webp': 'webp',
  'image/jpeg': 'jpg',
  'image/jpg': 'jpg',
};
const EXTENSIONS: Record<string, string> = { png: 'png', webp: 'webp', jpg: 'jpg', jpeg: 'jpg' };
/** An image whose URL or file name carries this marker is refused by moderation (HTTP 500, 500052). */
const MODERATION_MARKERS = ['sim-moderate', 'sim:moderate'];

export interface UploadSource {
  imageUrl?: string;
  file?: FormPart;
}

export type UploadOutcome =
  | { ok: true; imgId: number; imgUrl: string }
  | { ok: false; refusal: Refusal }
  | { ok: false; moderated: true };

const refuse = (code: number, detail: string): UploadOutcome => ({ ok: false, refusal: { code, detail } });

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function extensionOf(name: string): string | undefined {
  const m = /\.([a-z0-9]+)(?:$|[?#])/i.exec(name);
  return m ? EXTENSIONS[m[1]!.toLowerCase()] : undefined;
}

/** Uploaded images by id. Any account may use any id (the provider's scoping is not documented). */
export class ImageStore {
  private readonly ids = new Set<number>();
  private nextId = 20_000_001;

  has(id: number): boolean {
    return this.ids.has(id);
  }

  upload(src: UploadSource): UploadOutcome {
    const label = src.file ? (src.file.filename ?? '') : (src.imageUrl ?? '');
    let ext: string | undefined;
    if (src.file) {
      const f = src.file;
      ext = (f.contentType ? FORMATS[f.contentType] : undefined) ?? extensionOf(f.filename ?? '');
      if (f.data.length === 0) return refuse(ERR.EMPTY_PARAM, 'image');
      if (!ext) return refuse(ERR.INVALID_PARAM, 'image must be png, webp or jpeg');
      if (f.data.length >= MAX_IMAGE_BYTES) return refuse(ERR.INVALID_PARAM, 'image must be smaller than 20 MB');
    } else if (src.imageUrl) {
      if (!/^https?:\/\/[^\s/]+/i.test(src.imageUrl))
        return refuse(ERR.INVALID_PARAM, 'image_url must be an http(s) URL');
      ext = extensionOf(src.imageUrl) ?? 'png';
    } else {
      return refuse(ERR.EMPTY_PARAM, 'image or image_url');
    }
    if (MODERATION_MARKERS.some((m) => safeDecode(label).includes(m))) return { ok: false, moderated: true };
    const imgId = this.nextId++;
    this.ids.add(imgId);
    return { ok: true, imgId, imgUrl: `${MEDIA_BASE}/img/${imgId}.${ext}` };
  }

  clear(): void {
    this.ids.clear();
  }

  /** Uploaded ids and the next one: what a state file keeps. */
  saved(): { ids: number[]; nextId: number } {
    return { ids: [...this.ids], nextId: this.nextId };
  }

  restore(saved: { ids: readonly number[]; nextId: number }): void {
    for (const id of saved.ids) this.ids.add(id);
    this.nextId = Math.max(this.nextId, saved.nextId);
  }
}
