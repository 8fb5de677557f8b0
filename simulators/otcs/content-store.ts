/**
 * Where the simulator keeps the bytes of uploaded versions: one file per version in a spool
 * directory, written as the upload streams in. Nothing of an upload is held in memory (beyond
 * the stream's own small buffers), so an upload of any size costs the simulator no heap and
 * the overlay stays small; the bytes are stored exactly once. The directory is made on the
 * first upload, emptied by `reset()` (`POST /__sim/reset`) and removed by `close()`, and, as
 * a last resort, when the process exits.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The stored bytes of one version. */
export interface StoredContent {
  path: string;
  size: number;
}

/** A file being written. */
export interface ContentSink {
  /** Write bytes; false when the writer should wait for `drained()` before writing more. */
  write(chunk: Buffer): boolean;
  drained(): Promise<void>;
  /** No more bytes: resolves once every byte written is on disk; rejects when writing failed. */
  end(): Promise<StoredContent>;
  /** Stop writing and delete what was written. */
  discard(): void;
}

export interface ContentStore {
  sink(): ContentSink;
  read(content: StoredContent): Promise<Buffer>;
  remove(content: StoredContent): void;
  /** Delete every stored file (the overlay was cleared). */
  reset(): void;
  /** Delete the spool directory. */
  close(): void;
}

/** Spool directories still to delete when the process exits (a simulator not closed by its owner). */
const live = new Set<string>();
let exitHook = false;

/** A content store in `dir`, or in a fresh directory under the OS temp dir. */
export function createContentStore(dir?: string): ContentStore {
  let root: string | undefined = dir;
  const owned = dir === undefined;
  const files = new Set<string>();
  const ensureRoot = (): string => {
    if (root) return root;
    root = mkdtempSync(join(tmpdir(), 'atrium-otcs-sim-'));
    live.add(root);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const d of live) rmSync(d, { recursive: true, force: true });
      });
    }
    return root;
  };
  const drop = (path: string) => {
    files.delete(path);
    rm(path, { force: true }).catch(() => undefined);
  };
  return {
    sink() {
      const path = join(ensureRoot(), randomBytes(12).toString('hex'));
      files.add(path);
      const stream: WriteStream = createWriteStream(path);
      // The size is counted as the bytes go by: it is the stored file's, never a client's claim.
      let size = 0;
      let failure: Error | undefined;
      stream.on('error', (e) => {
        failure = e;
        drop(path);
      });
      return {
        write(chunk) {
          size += chunk.length;
          return stream.write(chunk);
        },
        drained: () =>
          new Promise<void>((resolve, reject) => {
            if (failure) return reject(failure);
            const done = () => {
              stream.off('error', fail);
              resolve();
            };
            const fail = (e: Error) => {
              stream.off('drain', done);
              reject(e);
            };
            stream.once('drain', done);
            stream.once('error', fail);
          }),
        end: () =>
          new Promise<StoredContent>((resolve, reject) => {
            if (failure) return reject(failure);
            stream.once('error', reject);
            stream.once('finish', () => resolve({ path, size }));
            stream.end();
          }),
        discard() {
          stream.destroy();
          drop(path);
        },
      };
    },
    read: (content) => readFile(content.path),
    remove: (content) => drop(content.path),
    reset() {
      for (const path of [...files]) drop(path);
    },
    close() {
      if (root && owned) {
        rmSync(root, { recursive: true, force: true });
        live.delete(root);
        root = undefined;
      } else for (const path of files) rmSync(path, { force: true });
      files.clear();
    },
  };
}
