import Link from 'next/link';

/** Placeholder while a page's data streams in (announced politely to screen readers). */
export function LoadingState({ what }: { what: string }) {
  return (
    <div role="status" aria-live="polite">
      <p className="sub">Loading {what}…</p>
      <div className="skeleton" />
    </div>
  );
}

/** What a hidden or unknown id shows: the same as one that never existed. */
export function NotFoundState({ what }: { what: string }) {
  return (
    <div data-testid="not-found">
      <h1>{what} not found</h1>
      <p>There is no such {what.toLowerCase()}, or it is not shared with you.</p>
      <p>
        <Link href="/">Back to home</Link> · <Link href="/search">Search</Link>
      </p>
    </div>
  );
}
