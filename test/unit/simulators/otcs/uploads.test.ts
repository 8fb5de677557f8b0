/**
 * The upload rewriter in front of a request listener (simulators/otcs/uploads.ts): file parts
 * go to the content store byte for byte, whatever the chunking; the listener reads the same
 * form with a token in their place; what no route takes is deleted.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createContentStore, type ContentStore } from '../../../../simulators/otcs/content-store.ts';
import { streamUploads, type UploadedFile, type Uploads } from '../../../../simulators/otcs/uploads.ts';

const BOUNDARY = 'XyZ--boundary';

/** A multipart body by hand, so its bytes are exactly known. */
function body(parts: { name: string; fileName?: string; type?: string; data: Buffer }[]): Buffer {
  const chunks: Buffer[] = [Buffer.from('preamble to ignore\r\n')];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.fileName !== undefined ? `; filename="${p.fileName}"` : ''}`;
    chunks.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`),
      p.data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

describe('streamed uploads', () => {
  let dir: string;
  let store: ContentStore;
  let server: Server;
  let uploads: Uploads;
  let url = '';
  /** What the listener saw: the rewritten body, and the uploads it took. */
  let seen: { raw: string; files: (UploadedFile | null)[] } | undefined;
  let take = true;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otcs-uploads-test-'));
    store = createContentStore(dir);
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        const tokens = raw.match(/otcs-sim-upload:[0-9a-f]+/g) ?? [];
        seen = { raw, files: take ? await Promise.all(tokens.map((t) => uploads.take(t))) : [] };
        res.end('ok');
      });
    });
    uploads = streamUploads(server, store);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Send a body in chunks of the given sizes (cycled), as a slow client would. */
  function send(payload: Buffer, sizes: number[], contentType = `multipart/form-data; boundary=${BOUNDARY}`): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'content-type': contentType } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      let at = 0;
      let i = 0;
      const next = () => {
        if (at >= payload.length) return req.end();
        const n = sizes[i++ % sizes.length] as number;
        req.write(payload.subarray(at, at + n));
        at += n;
        setImmediate(next);
      };
      next();
    });
  }

  it('stores each file part exactly, even with delimiter look-alikes split across chunks of any size', async () => {
    const data = Buffer.concat([
      randomBytes(5000),
      Buffer.from(`\r\n--${BOUNDARY.slice(0, 6)}`),
      randomBytes(3000),
      Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}`),
    ]);
    const other = randomBytes(777);
    const payload = body([
      { name: 'body', data: Buffer.from('{"name":"a.bin"}') },
      { name: 'file', fileName: 'a.bin', type: 'application/x-test', data },
      { name: 'file', fileName: 'b.bin', data: other },
    ]);
    for (const sizes of [[1], [7, 13], [BOUNDARY.length + 3], [65536]]) {
      await send(payload, sizes);
      const [a, b] = seen?.files ?? [];
      assert.ok(a && b, `both files taken (chunks ${sizes.join(',')})`);
      assert.deepEqual([a.fileName, a.mimeType, a.content.size], ['a.bin', 'application/x-test', data.length]);
      assert.ok(readFileSync(a.content.path).equals(data), `file a intact (chunks ${sizes.join(',')})`);
      assert.deepEqual([b.fileName, b.mimeType], ['b.bin', 'application/octet-stream']);
      assert.ok(readFileSync(b.content.path).equals(other));
      assert.match(seen?.raw ?? '', /name="body"\r\n\r\n\{"name":"a.bin"\}\r\n/, 'text parts pass through');
      store.remove(a.content);
      store.remove(b.content);
    }
  });

  it('reads file names from filename* (RFC 5987) and undoes the WHATWG escapes of filename', async () => {
    const parts = [{ name: 'file', fileName: 'Q%22uote%0A.txt', data: Buffer.from('1') }];
    await send(body(parts), [100]);
    assert.equal(seen?.files[0]?.fileName, 'Q"uote\n.txt');
    for (const f of seen?.files ?? []) if (f) store.remove(f.content);
    const star = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x"; filename*=UTF-8''%C3%A9t%C3%A9.txt\r\n\r\n2\r\n--${BOUNDARY}--\r\n`,
    );
    await send(star, [100]);
    assert.equal(seen?.files[0]?.fileName, 'été.txt');
    for (const f of seen?.files ?? []) if (f) store.remove(f.content);
    await new Promise((r) => setTimeout(r, 20));
  });

  it('deletes uploads no route took, once the answer is out', async () => {
    take = false;
    try {
      await send(body([{ name: 'file', fileName: 'left.bin', data: randomBytes(2048) }]), [512]);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(uploads.pending(), 0);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      take = true;
    }
  });

  it('passes other bodies through untouched', async () => {
    await send(Buffer.from('a=1&file=x'), [3], 'application/x-www-form-urlencoded');
    assert.equal(seen?.raw, 'a=1&file=x');
  });
});
