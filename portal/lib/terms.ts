/**
 * Usage terms of licensed assets and the record of their acceptance.
 *
 * An asset is licensed when its effective rights come from a licence or run out
 * (`rights.licence` or `rights.validUntil`): partners cannot see the ECM licence document
 * itself, so the expiry stands in for it. The terms are stated from the rights; their id is a
 * digest of those rights, so changed rights ask for a new acceptance.
 *
 * Acceptances are appended, one JSON object per line, to
 * `ATRIUM_DATA_DIR/portal/terms-acceptances.jsonl` and never rewritten: a single portal
 * instance's record until the gateway's audit store takes such events.
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { portalEnv } from './env.ts';
import type { Rights, Terms } from './types.ts';
import { formatDate } from './format.ts';

export interface Acceptance {
  at: string;
  email: string;
  assetId: string;
  assetTitle: string;
  termsId: string;
  licenceId: string | null;
}

/** The terms of an asset with these rights, or null when it carries none. */
export function termsFor(rights: Rights | null): Terms | null {
  if (!rights || (!rights.licence && !rights.validUntil)) return null;
  const basis = JSON.stringify([
    rights.licence?.id ?? null,
    rights.validFrom,
    rights.validUntil,
    [...rights.territories].sort(),
    [...rights.channels].sort(),
  ]);
  const lines = [
    `Use only in ${rights.territories.length ? rights.territories.join(', ') : 'no territory'}${rights.territories.includes('WORLD') ? ' (worldwide)' : ''}.`,
    `Use only on these channels: ${rights.channels.length ? rights.channels.join(', ') : 'none'}.`,
    rights.validUntil
      ? `Stop using it after ${formatDate(rights.validUntil)}; the portal withdraws it then.`
      : 'The rights have no end date.',
    ...(rights.licence ? [`These rights come from the licence "${rights.licence.name}".`] : []),
    'Do not alter the asset beyond resizing and cropping, and do not pass it on to third parties.',
  ];
  return { id: createHash('sha256').update(basis).digest('hex').slice(0, 16), lines };
}

const file = () => join(portalEnv().dataDir, 'portal', 'terms-acceptances.jsonl');
const key = (email: string, assetId: string, termsId: string) => `${email}\n${assetId}\n${termsId}`;

/**
 * The file's acceptances, re-read whenever its size changed: pages, server actions and route
 * handlers are separate bundles with separate module state, so no in-memory copy may be trusted
 * to have seen another one's append.
 */
let cache: { size: number; keys: Set<string> } = { size: -1, keys: new Set() };

async function acceptedKeys(): Promise<Set<string>> {
  let size = 0;
  try {
    size = (await stat(file())).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (size === cache.size) return cache.keys;
  const keys = new Set<string>();
  const text = size > 0 ? await readFile(file(), 'utf8') : '';
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const a = JSON.parse(line) as Acceptance;
      keys.add(key(a.email, a.assetId, a.termsId));
    } catch {
      // A torn last line (a crash mid-append) is skipped; its reader accepts again.
    }
  }
  cache = { size: Buffer.byteLength(text), keys };
  return keys;
}

/** Whether this reader accepted these terms for this asset. */
export async function hasAccepted(email: string, assetId: string, termsId: string): Promise<boolean> {
  return (await acceptedKeys()).has(key(email, assetId, termsId));
}

/** Append an acceptance (O_APPEND: concurrent small writes do not interleave). */
export async function recordAcceptance(a: Acceptance): Promise<void> {
  await mkdir(join(portalEnv().dataDir, 'portal'), { recursive: true });
  await appendFile(file(), `${JSON.stringify(a)}\n`, { encoding: 'utf8', mode: 0o600 });
}
