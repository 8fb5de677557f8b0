'use client';

import { ErrorState } from '../../components/error-state.tsx';

export default function SegmentError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <main id="main">
      <ErrorState what="Sign-in" error={error} retry={retry} />
    </main>
  );
}
