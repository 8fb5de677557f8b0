/**
 * A `multipart/form-data` body (RFC 7578) built as a stream: the text fields and the file
 * part's head first, then the caller's bytes as they are read, then the closing delimiter.
 * The file is never held in memory; only one chunk at a time passes through.
 *
 * When the file's size is known the body's length is known too, and is given so the request
 * can carry a Content-Length; the stream then fails if the file turns out longer or shorter
 * than it said (a truncated upload must not be stored as if it were complete).
 */
import { randomBytes } from 'node:crypto';

export interface MultipartFile {
  /** The field name of the file part (`file` for Content Server). */
  field: string;
  fileName: string;
  contentType: string;
  /** Bytes, if known: the body's length is then known too. */
  size?: number;
  body: ReadableStream<Uint8Array>;
}

export interface MultipartBody {
  body: ReadableStream<Uint8Array>;
  /** `multipart/form-data; boundary=...`. */
  contentType: string;
  /** The whole body's length in bytes, when the file's size was given. */
  length?: number;
  /** Bytes of the file read so far (after the stream ends: its size). */
  readonly fileBytes: number;
  /** Set when the file was not the size it said it was. */
  readonly sizeMismatch: boolean;
}

const encoder = new TextEncoder();

/**
 * A quoted-string parameter value as browsers write it (WHATWG "multipart/form-data encoding
 * algorithm"): `"`, CR and LF percent-encoded, everything else as UTF-8. No value can end the
 * parameter or the header early.
 */
export function quoteParam(value: string): string {
  return `"${value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
}

/** The multipart body for text fields (in order) and one file. */
export function multipartBody(fields: readonly [string, string][], file: MultipartFile): MultipartBody {
  const boundary = `----AtriumFormBoundary${randomBytes(16).toString('hex')}`;
  const head =
    fields
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name=${quoteParam(name)}\r\n\r\n${value}\r\n`)
      .join('') +
    `--${boundary}\r\nContent-Disposition: form-data; name=${quoteParam(file.field)}; filename=${quoteParam(file.fileName)}\r\n` +
    `Content-Type: ${file.contentType.replace(/[\r\n]/g, '')}\r\n\r\n`;
  const preamble = encoder.encode(head);
  const epilogue = encoder.encode(`\r\n--${boundary}--\r\n`);
  const reader = file.body.getReader();
  let read = 0;
  let mismatch = false;
  let stage: 'head' | 'file' | 'done' = 'head';
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stage === 'head') {
        stage = 'file';
        controller.enqueue(preamble);
        return;
      }
      if (stage === 'done') return;
      const { done, value } = await reader.read();
      if (!done) {
        read += value.byteLength;
        if (file.size !== undefined && read > file.size) {
          mismatch = true;
          controller.error(new Error('the file is longer than its declared size'));
          await reader.cancel().catch(() => undefined);
          return;
        }
        controller.enqueue(value);
        return;
      }
      if (file.size !== undefined && read !== file.size) {
        mismatch = true;
        controller.error(new Error('the file is shorter than its declared size'));
        return;
      }
      stage = 'done';
      controller.enqueue(epilogue);
      controller.close();
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => undefined);
    },
  });
  return {
    body,
    contentType: `multipart/form-data; boundary=${boundary}`,
    ...(file.size !== undefined ? { length: preamble.byteLength + file.size + epilogue.byteLength } : {}),
    get fileBytes() {
      return read;
    },
    get sizeMismatch() {
      return mismatch;
    },
  };
}
