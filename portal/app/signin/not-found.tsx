import { NotFoundState } from '../../components/states.tsx';

export default function NotFound() {
  return (
    <main id="main">
      <NotFoundState what="Page" />
    </main>
  );
}
