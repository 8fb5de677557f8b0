'use client';

import { ErrorState } from '../../../../components/error-state.tsx';

export default function SegmentError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorState what="The asset" error={error} retry={retry} />;
}
