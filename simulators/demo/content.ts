/**
 * Bytes of the demo world: real PNG images (a browser shows them), real PDFs, text and CSV.
 * Deterministic for the same inputs. Video and audio originals are deterministic filler bytes
 * under their declared type (the demo cannot ship codecs); their keyframes are PNG.
 */
import { deflateSync } from 'node:zlib';
import type { DemoAsset, DemoDocument, DemoRendition } from './world.ts';
import { hash32 } from './rng.ts';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = (CRC_TABLE[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** An RGB PNG: a gradient in the given hue with a disc and a band, so each asset looks distinct. */
export function png(width: number, height: number, hue: number, variant = 0): Buffer {
  const w = Math.max(1, Math.min(4096, Math.floor(width)));
  const h = Math.max(1, Math.min(4096, Math.floor(height)));
  const raw = Buffer.alloc((w * 3 + 1) * h);
  const [r1, g1, b1] = hsl(hue, 0.65, 0.35);
  const [r2, g2, b2] = hsl((hue + 40) % 360, 0.7, 0.7);
  const [rd, gd, bd] = hsl((hue + 180) % 360, 0.6, 0.55);
  const cx = w * (0.3 + 0.4 * ((variant % 5) / 5));
  const cy = h * 0.5;
  const rad = Math.min(w, h) * 0.22;
  for (let y = 0; y < h; y++) {
    const row = y * (w * 3 + 1);
    raw[row] = 0;
    const t = y / h;
    for (let x = 0; x < w; x++) {
      const i = row + 1 + x * 3;
      const dx = x - cx;
      const dy = y - cy;
      const band = ((x + y * 0.5) / Math.max(w, h)) % 0.25 < 0.03;
      if (dx * dx + dy * dy < rad * rad) {
        raw[i] = rd;
        raw[i + 1] = gd;
        raw[i + 2] = bd;
      } else if (band) {
        raw[i] = 245;
        raw[i + 1] = 245;
        raw[i + 2] = 245;
      } else {
        raw[i] = Math.round(r1 + (r2 - r1) * t);
        raw[i + 1] = Math.round(g1 + (g2 - g1) * t);
        raw[i + 2] = Math.round(b1 + (b2 - b1) * t);
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

const pdfEscape = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').replace(/([\\()])/g, '\\$1');

/** A one-page PDF with a title and lines of text (valid xref, opens in any viewer). */
export function pdf(title: string, lines: string[]): Buffer {
  const text = [
    `BT /F1 18 Tf 56 780 Td (${pdfEscape(title)}) Tj ET`,
    ...lines.slice(0, 40).map((l, i) => `BT /F1 11 Tf 56 ${748 - i * 16} Td (${pdfEscape(l)}) Tj ET`),
  ].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Deterministic filler bytes (for media the demo cannot encode). */
export function filler(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = seed || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** The bytes of a document version. */
export function documentContent(doc: DemoDocument, version: number): Buffer {
  const v = doc.versions.find((x) => x.number === version) ?? doc.versions[doc.versions.length - 1];
  const lines = [
    `Version ${v?.number ?? 1} - ${v?.description ?? ''}`,
    `Classification: ${doc.classification}   Status: ${doc.status}`,
    ...Object.entries(doc.metadata).map(([k, val]) => `${k}: ${Array.isArray(val) ? val.join(', ') : String(val)}`),
    '',
    doc.description,
  ];
  switch (doc.mimeType) {
    case 'application/pdf':
      return pdf(doc.name.replace(/\.pdf$/, ''), lines);
    case 'text/csv':
      return Buffer.from(
        `item,quarter,amount_eur\nMedia,Q1,${120_000 + (doc.nodeId % 997)}\nCreative,Q1,45000\nEvents,Q2,${30_000 + version * 1000}\n`,
      );
    default:
      return Buffer.from(`# ${doc.name}\n\n${lines.join('\n')}\n`);
  }
}

/** The bytes of an asset's rendition. */
export function renditionContent(asset: DemoAsset, r: DemoRendition): Buffer {
  if (r.mimeType === 'image/png') return png(r.width ?? 320, r.height ?? 180, asset.hue, asset.index);
  if (r.mimeType === 'application/pdf') return pdf(asset.title, [asset.description, `Locale: ${asset.locale ?? 'n/a'}`]);
  const size = r.mimeType.startsWith('video/') ? 96 * 1024 : 48 * 1024;
  return filler(size, hash32(asset.nativeId, r.kind));
}
