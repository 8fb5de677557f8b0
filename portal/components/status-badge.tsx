import { label } from '../lib/format.ts';

const TONE: Record<string, string> = {
  ACTIVE: 'ok',
  RELEASED: 'ok',
  APPROVED: 'ok',
  PUBLIC: 'ok',
  CLOSED: '',
  PLANNED: 'warn',
  PENDING: 'warn',
  IN_REVIEW: 'warn',
  DRAFT: 'warn',
  REJECTED: 'bad',
  ARCHIVED: '',
  CONFIDENTIAL: 'bad',
  INTERNAL: 'warn',
  PARTNER: '',
};

/** A status value as a coloured pill (colour is never the only cue: the text says it). */
export function StatusBadge({ value }: { value: string }) {
  return <span className={`badge ${TONE[value] ?? ''}`}>{label(value)}</span>;
}
