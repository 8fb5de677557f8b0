'use server';
/**
 * Server actions: the only writes the portal makes. Each goes through the data-access layer,
 * which checks the session and asks the gateway whether the reader may see the object.
 */
import { acceptTerms } from './dal.ts';

/** Record that the signed-in reader accepted these terms for this asset. */
export async function acceptTermsAction(assetId: string, termsId: string): Promise<{ ok: boolean }> {
  if (typeof assetId !== 'string' || typeof termsId !== 'string' || assetId.length > 512 || !/^[0-9a-f]{16}$/.test(termsId))
    return { ok: false };
  return { ok: await acceptTerms(assetId, termsId) };
}
