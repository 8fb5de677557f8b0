import { daysUntil, formatDate, label } from '../lib/format.ts';
import type { Rights } from '../lib/types.ts';

const TONE: Record<string, string> = { CLEARED: 'ok', RESTRICTED: 'warn', PENDING: 'warn', EXPIRED: 'bad' };

/** Rights status and expiry, shown before any download. */
export function RightsBadge({ rights }: { rights: Rights | null }) {
  if (!rights) return <span className="badge">No rights data</span>;
  const days = rights.validUntil ? daysUntil(rights.validUntil) : null;
  const soon = days !== null && days >= 0 && days <= 30;
  return (
    <span className="badges">
      <span className={`badge ${TONE[rights.status] ?? ''}`}>Rights: {label(rights.status)}</span>
      {rights.validUntil && (
        <span className={`badge ${soon ? 'warn' : ''}`} title={`Rights end ${formatDate(rights.validUntil)}`}>
          {soon ? `Expires in ${days} day${days === 1 ? '' : 's'}` : `Until ${formatDate(rights.validUntil)}`}
        </span>
      )}
    </span>
  );
}
