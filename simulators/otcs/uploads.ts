/**
 * Streamed multipart uploads. The simulator framework reads a whole request body into memory
 * (with an 8 MB cap) before a route sees it; a document upload can be any size. So the Content
 * Server simulator puts itself in front of the framework's request listener: every multipart
 * request's body passes through a rewriter that writes each file part's bytes to the content
 * store as they arrive and hands the framework the same multipart body with that part's
 * content replaced by a short token. Text parts (the `body` JSON, plain fields) pass through
 * unchanged, so routes parse forms exactly as before and find the upload by its token
 * (`take`). Everything else the framework does (route matching, faults, the request log,
 * stats) is unchanged: the rewriter only starts when the framework reads the body, so a
 * request answered by an injected fault stores nothing.
 *
 * A file part is one whose Content-Disposition has a `filename` (RFC 7578 §4.2; browsers,
 * Python requests and pyxecm all send one for files). Uploads a route did not take are
 * deleted when the response is done, so a refused upload leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import type { ContentSink, ContentStore, StoredContent } from './content-store.ts';

/** A file part of a request, stored. */
export interface UploadedFile {
  /** The part's file name (Content-Disposition `filename`, or RFC 5987 `filename*`). */
  fileName: string;
  /** The part's Content-Type, `application/octet-stream` when it has none. */
  mimeType: string;
  content: StoredContent;
}

export interface Uploads {
  /** The upload a form value stands for, once: null when the value is not the token of a stored upload. */
  take(value: unknown): Promise<UploadedFile | null>;
  /** How many uploads are stored but not yet taken (tests: nothing is left behind). */
  pending(): number;
}

const TOKEN_PREFIX = 'otcs-sim-upload:';
const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');

/** Parameters of a header value (`form-data; name="file"; filename="a.pdf"`). */
function headerParams(value: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /;\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    out.set((m[1] as string).toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '').trim());
  }
  return out;
}

/** The file name of a part: `filename*` (RFC 5987) first, else `filename` with the WHATWG escapes undone. */
function fileNameOf(params: Map<string, string>): string | undefined {
  const star = params.get('filename*');
  if (star) {
    const m = /^([^']*)'[^']*'(.*)$/.exec(star);
    try {
      if (m) return decodeURIComponent(m[2] as string);
    } catch {
      // fall back to the plain parameter
    }
  }
  const plain = params.get('filename');
  return plain === undefined ? undefined : plain.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}

/**
 * The rewriter: passes a multipart body through, except each file part's content, which goes
 * to a sink of the content store and is replaced by a token. Bytes are handled as they come;
 * at most a delimiter's length (or one part's headers) is held back between chunks.
 */
class MultipartRewriter extends Transform {
  private state: 'body' | 'after-delimiter' | 'headers' | 'epilogue' = 'body';
  private carry: Buffer;
  /** Bytes at the start of the output that are not the client's (the virtual CRLF before the first delimiter). */
  private skip = 2;
  private readonly delimiter: Buffer;
  private sink: { sink: ContentSink; token: string; fileName: string; mimeType: string } | null = null;
  private readonly open = new Set<ContentSink>();
  private readonly finishing: Promise<void>[] = [];
  /** The open sink whose buffer is full: the next chunk waits until it drains (backpressure to the client). */
  private full: ContentSink | null = null;

  constructor(
    boundary: string,
    private readonly store: ContentStore,
    private readonly onFile: (token: string, file: Promise<UploadedFile>) => void,
  ) {
    super();
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
    // A virtual CRLF lets the first delimiter (which has none before it) match like the others.
    this.carry = Buffer.from(CRLF);
  }

  private pass(out: Buffer[], bytes: Buffer): void {
    let b = bytes;
    if (this.skip > 0) {
      const n = Math.min(this.skip, b.length);
      b = b.subarray(n);
      this.skip -= n;
    }
    if (b.length) out.push(b);
  }

  /** Content bytes of the current part: to the file sink (noting a sink that wants a pause), or through. */
  private content(out: Buffer[], bytes: Buffer): void {
    if (!bytes.length) return;
    if (!this.sink) return this.pass(out, bytes);
    if (!this.sink.sink.write(bytes)) this.full = this.sink.sink;
  }

  private startPart(headers: string): void {
    const disposition = /^content-disposition:\s*(.*)$/im.exec(headers)?.[1] ?? '';
    const params = headerParams(disposition);
    const fileName = fileNameOf(params);
    if (fileName === undefined) return;
    const mimeType = (/^content-type:\s*([^;\r\n]*)/im.exec(headers)?.[1] ?? '').trim() || 'application/octet-stream';
    const sink = this.store.sink();
    this.open.add(sink);
    this.sink = { sink, token: `${TOKEN_PREFIX}${randomBytes(16).toString('hex')}`, fileName, mimeType };
  }

  private endPart(out: Buffer[]): void {
    const current = this.sink;
    if (!current) return;
    this.sink = null;
    const file = current.sink.end().then((content): UploadedFile => {
      this.open.delete(current.sink);
      return { fileName: current.fileName, mimeType: current.mimeType, content };
    });
    this.finishing.push(file.then(() => undefined));
    this.onFile(current.token, file);
    this.pass(out, Buffer.from(current.token));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const out: Buffer[] = [];
    let buf: Buffer;
    if (this.state === 'body' && this.carry.length && chunk.length >= this.delimiter.length) {
      // The held-back tail is content unless a delimiter starts in it: look at the seam only,
      // so a large file's bytes are not copied chunk by chunk.
      const seam = Buffer.concat([this.carry, chunk.subarray(0, this.delimiter.length - 1)]);
      const at = seam.indexOf(this.delimiter);
      if (at < 0 || at >= this.carry.length) {
        this.content(out, this.carry);
        buf = chunk;
      } else buf = Buffer.concat([this.carry, chunk]);
    } else buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = Buffer.alloc(0);
    try {
      for (;;) {
        if (this.state === 'body') {
          const at = buf.indexOf(this.delimiter);
          if (at < 0) {
            // Keep what could be the start of a delimiter split across chunks.
            const safe = Math.max(0, buf.length - (this.delimiter.length - 1));
            this.content(out, buf.subarray(0, safe));
            this.carry = Buffer.from(buf.subarray(safe));
            break;
          }
          this.content(out, buf.subarray(0, at));
          this.endPart(out);
          this.pass(out, this.delimiter);
          buf = buf.subarray(at + this.delimiter.length);
          this.state = 'after-delimiter';
        } else if (this.state === 'after-delimiter') {
          if (buf.length < 2) {
            this.carry = Buffer.from(buf);
            break;
          }
          const two = buf.subarray(0, 2).toString('latin1');
          if (two === '--') this.state = 'epilogue';
          else if (two === '\r\n') this.state = 'headers';
          else throw new Error('malformed multipart body');
          this.pass(out, buf.subarray(0, 2));
          buf = buf.subarray(2);
        } else if (this.state === 'headers') {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) {
            if (buf.length > MAX_HEADER_BYTES) throw new Error('multipart part headers too large');
            this.carry = Buffer.from(buf);
            break;
          }
          this.pass(out, buf.subarray(0, end + 4));
          this.startPart(buf.subarray(0, end).toString('utf8'));
          buf = buf.subarray(end + 4);
          this.state = 'body';
        } else {
          this.pass(out, buf);
          break;
        }
      }
    } catch (e) {
      cb(e as Error);
      return;
    }
    const body = out.length ? Buffer.concat(out) : undefined;
    const full = this.full;
    this.full = null;
    // A sink that was ended meanwhile needs no drain: its end() waits for every byte.
    if (!full || !this.open.has(full) || this.sink?.sink !== full) cb(null, body);
    else
      full.drained().then(
        () => cb(null, body),
        (e: Error) => cb(e),
      );
  }

  override _flush(cb: TransformCallback): void {
    const out: Buffer[] = [];
    // A body that ends inside a part (no closing delimiter) is passed on as it is; the form
    // parser makes of it what it can, and an unfinished file part is not an upload.
    if (this.sink) {
      this.sink.sink.discard();
      this.open.delete(this.sink.sink);
      this.sink = null;
    }
    if (this.carry.length) this.pass(out, this.carry);
    Promise.all(this.finishing).then(
      () => cb(null, out.length ? Buffer.concat(out) : undefined),
      (e: Error) => cb(e),
    );
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    for (const sink of this.open) sink.discard();
    this.open.clear();
    cb(err);
  }
}

/** The boundary of a multipart/form-data content type, or undefined. */
function boundaryOf(contentType: string): string | undefined {
  if (!/^multipart\/form-data/i.test(contentType.trim())) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

/**
 * The request as the framework sees it: the client's request, whose body is read from the
 * rewriter. The rewriter starts pulling the real body only when the framework starts reading.
 */
function rewrittenRequest(req: IncomingMessage, rewriter: MultipartRewriter): IncomingMessage {
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    pipeline(req, rewriter, () => undefined);
  };
  const streamMethods = new Set<PropertyKey>([
    'on',
    'once',
    'addListener',
    'prependListener',
    'off',
    'removeListener',
    'pause',
    'resume',
    'pipe',
    'read',
  ]);
  return new Proxy(req, {
    get(target, prop) {
      if (streamMethods.has(prop)) {
        return (...args: unknown[]) => {
          if (prop !== 'off' && prop !== 'removeListener') start();
          const fn = (rewriter as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>)[prop] as (...a: unknown[]) => unknown;
          const result = fn.apply(rewriter, args);
          return result === rewriter ? target : result;
        };
      }
      if (prop === 'destroy') {
        return (err?: Error) => {
          rewriter.destroy(err);
          target.destroy(err);
          return target;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Put the upload rewriter in front of a server's request listeners: every multipart request
 * has its file parts stored as they stream in. Returns how routes find them.
 */
export function streamUploads(server: Server, store: ContentStore): Uploads {
  const waiting = new Map<string, Promise<UploadedFile>>();
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const boundary = boundaryOf(String(req.headers['content-type'] ?? ''));
    if (!boundary) {
      for (const l of listeners) l.call(server, req, res);
      return;
    }
    const mine: string[] = [];
    const rewriter = new MultipartRewriter(boundary, store, (token, file) => {
      mine.push(token);
      waiting.set(token, file);
      file.catch(() => waiting.delete(token));
    });
    // Whatever the route did not take is deleted once the answer is out (or the client is gone).
    res.once('close', () => {
      for (const token of mine) {
        const file = waiting.get(token);
        if (!file) continue;
        waiting.delete(token);
        file.then((f) => store.remove(f.content)).catch(() => undefined);
      }
    });
    const proxied = rewrittenRequest(req, rewriter);
    for (const l of listeners) l.call(server, proxied, res);
  });
  return {
    async take(value) {
      if (typeof value !== 'string' || !value.startsWith(TOKEN_PREFIX)) return null;
      const file = waiting.get(value);
      if (!file) return null;
      waiting.delete(value);
      return file.catch(() => null);
    },
    pending: () => waiting.size,
  };
}
