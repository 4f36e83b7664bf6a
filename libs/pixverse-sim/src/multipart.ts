/** One part of a multipart/form-data body: a text field, or a file when `filename` is set. */
export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

function parseHeaders(block: string): Pick<FormPart, 'name' | 'filename' | 'contentType'> | undefined {
  let name: string | undefined;
  let filename: string | undefined;
  let contentType: string | undefined;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const header = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (header === 'content-type') contentType = value.toLowerCase();
    if (header !== 'content-disposition') continue;
    name = /\bname="([^"]*)"/i.exec(value)?.[1];
    filename = /\bfilename="([^"]*)"/i.exec(value)?.[1];
  }
  if (name === undefined) return undefined;
  const part: Pick<FormPart, 'name' | 'filename' | 'contentType'> = { name };
  if (filename !== undefined) part.filename = filename;
  if (contentType !== undefined) part.contentType = contentType;
  return part;
}

/**
 * Just enough multipart/form-data for the upload call (an `image` file or an `image_url`
 * field), so the simulator needs no multipart plugin. Malformed parts are skipped.
 */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const chunk = body.subarray(start + 2, next - 2); // skip the CRLF after the delimiter and before the next
    const split = chunk.indexOf('\r\n\r\n');
    if (split >= 0) {
      const headers = parseHeaders(chunk.subarray(0, split).toString('utf8'));
      if (headers) parts.push({ ...headers, data: chunk.subarray(split + 4) });
    }
    pos = next;
  }
  return parts;
}
