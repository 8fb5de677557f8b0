'use client';

/** A failed segment: what failed, a reference for the logs, and a retry that re-fetches. */
export function ErrorState({ what, error, retry }: { what: string; error: unknown; retry: () => void }) {
  const digest = error instanceof Error && 'digest' in error ? String((error as Error & { digest?: string }).digest ?? '') : '';
  return (
    <div className="banner bad" role="alert">
      <p>
        <strong>{what} could not be loaded.</strong> The gateway may be unreachable; try again in a moment.
      </p>
      {digest && <p className="sub">Reference: {digest}</p>}
      <p>
        <button type="button" onClick={() => retry()}>
          Try again
        </button>
      </p>
    </div>
  );
}
