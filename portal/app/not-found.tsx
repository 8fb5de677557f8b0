import Link from 'next/link';

export default function NotFound() {
  return (
    <main id="main">
      <h1>Not found</h1>
      <p>There is nothing here, or nothing you may see.</p>
      <p>
        <Link href="/">Back to the portal</Link>
      </p>
    </main>
  );
}
