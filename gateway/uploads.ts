/**
 * GraphQL multipart requests (github.com/jaydenseric/graphql-multipart-request-spec): the
 * `operations` field (the GraphQL request, files as null), the `map` field (which variable each
 * file is), then the file. Parsed with busboy as it arrives: the operation runs as soon as the
 * file begins, and the resolver streams the file on to Content Server while the rest is still
 * coming in, so an upload is never held whole. Chosen over a REST upload route because clients
 * already speak it (Apollo Client, urql, graphql-request) and the mutation keeps its one result;
 * the REST alternative needs the bytes staged between two requests.
 *
 * One file per request; at most `maxBytes` (over it the file's stream errors, so the upload to
 * the source is cut and nothing is created); the header `x-atrium-upload` must be present (a
 * browser form cannot set it, so no other site can post files in a signed-in reader's name).
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { BadUserInputError } from '../access/errors.ts';
import { fileUpload } from '../resolvers/upload.ts';

export interface MultipartLimits {
  maxBytes: number;
}

/** A request's body with its one file in place: what Apollo executes. */
export interface ParsedMultipart {
  body: Record<string, unknown>;
  /** Resolves when the request has been read to its end (or rejects with why it could not be). */
  finished: Promise<void>;
}

/**
 * A file part as a web stream, with backpressure (the part is paused while the reader is behind).
 * Cancelled (the reader let go of it, or never read it), the rest of the part is read and dropped
 * so the parser gets to the end of the request; nothing is enqueued into a closed stream (which
 * node's own `Readable.toWeb` does when a cancelled part still ends: an uncaught error).
 */
function webStream(part: Readable): ReadableStream<Uint8Array> {
  let closed = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        part.on('data', (c: Buffer) => {
          if (closed) return;
          controller.enqueue(c);
          if ((controller.desiredSize ?? 1) <= 0) part.pause();
        });
        part.once('end', () => {
          if (closed) return;
          closed = true;
          controller.close();
        });
        part.on('error', (e: Error) => {
          if (closed) return;
          closed = true;
          controller.error(e);
        });
        part.pause();
      },
      pull() {
        part.resume();
      },
      cancel() {
        closed = true;
        part.resume();
      },
    },
    { highWaterMark: 4 },
  );
}

/** Whether a request is a GraphQL multipart request. */
export const isMultipart = (req: IncomingMessage) => /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');

/**
 * Set `value` at a dotted path (`variables.file`) of the operation: only through the operation's
 * own properties (never `__proto__`, `constructor` or anything inherited), and only where the
 * operation holds `null` (the spec's placeholder). Anything else is refused (false).
 */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): boolean {
  const parts = path.split('.');
  if (parts.length < 2 || parts.length > 16 || parts[0] !== 'variables') return false;
  let at: unknown = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, p)) return false;
    at = (at as Record<string, unknown>)[p];
  }
  const last = parts.at(-1) as string;
  if (typeof at !== 'object' || at === null || !Object.hasOwn(at, last) || (at as Record<string, unknown>)[last] !== null) return false;
  (at as Record<string, unknown>)[last] = value;
  return true;
}

/**
 * Read a multipart request up to its file and hand it over: resolves once the operation and its
 * file's start are in (the file then streams on), rejects with BAD_USER_INPUT when the request is
 * not a well-formed single-file GraphQL multipart request.
 */
export function parseMultipart(req: IncomingMessage, limits: MultipartLimits): Promise<ParsedMultipart> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      req.resume();
      reject(new BadUserInputError(message));
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        preservePath: true,
        headers: req.headers,
        limits: { files: 1, fields: 2, fieldSize: 1024 * 1024, fileSize: limits.maxBytes, parts: 3 },
      });
    } catch {
      reject(new BadUserInputError('The request is not a multipart request'));
      return;
    }
    let operations: Record<string, unknown> | null = null;
    let map: Record<string, string[]> | null = null;
    let finishedResolve: () => void = () => undefined;
    let finishedReject: (e: Error) => void = () => undefined;
    const finished = new Promise<void>((res, rej) => {
      finishedResolve = res;
      finishedReject = rej;
    });
    finished.catch(() => undefined);
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(`The ${name} field is too large`);
      try {
        if (name === 'operations') operations = JSON.parse(value) as Record<string, unknown>;
        else if (name === 'map') map = JSON.parse(value) as Record<string, string[]>;
        else fail(`Unexpected field "${name}": a GraphQL multipart request has operations, map and files`);
      } catch {
        fail(`The ${name} field is not JSON`);
      }
    });
    parser.on('file', (name, stream, info) => {
      try {
        onFile(name, stream, info);
      } catch {
        // Nothing a sender puts in a request may throw out of the parser's events (that would end the process).
        stream.resume();
        fail('The multipart request is malformed');
      }
    });
    const onFile = (name: string, stream: Readable, info: busboy.FileInfo) => {
      if (settled || !operations || typeof operations !== 'object' || Array.isArray(operations) || !map) {
        stream.resume();
        return fail('The operations and map fields must come before the file');
      }
      const paths = map[name];
      if (!Array.isArray(paths) || paths.length !== 1 || Object.keys(map).length !== 1) {
        stream.resume();
        return fail('A request carries exactly one file, mapped to one variable');
      }
      const declared = Number(req.headers['x-file-size']);
      stream.on('limit', () => stream.destroy(new BadUserInputError(`The file is larger than ${limits.maxBytes} bytes`)));
      const upload = fileUpload({
        fileName: info.filename ?? '',
        mimeType: info.mimeType || 'application/octet-stream',
        ...(Number.isSafeInteger(declared) && declared >= 0 ? { size: declared } : {}),
        body: webStream(stream),
      });
      if (!setPath(operations, paths[0] as string, upload)) {
        stream.resume();
        return fail(`The map names ${paths[0]}, which is not a null variable of the operation`);
      }
      settled = true;
      resolve({ body: operations, finished });
    };
    parser.on('error', (e: Error) => {
      finishedReject(e);
      fail('The multipart request is malformed');
    });
    parser.on('close', () => {
      finishedResolve();
      if (!settled) fail(operations ? 'The request has no file' : 'The request has no operations field');
    });
    req.pipe(parser);
  });
}
