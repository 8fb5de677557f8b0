import { LoadingState } from '../../components/states.tsx';

export default function Loading() {
  return (
    <main id="main">
      <LoadingState what="sign-in" />
    </main>
  );
}
