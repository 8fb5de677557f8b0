import Link from 'next/link';

/** Cursor paging kept in the URL: the current query with `after` set or dropped. */
export function Pager({
  path,
  params,
  nextCursor,
  total,
  shown,
}: {
  path: string;
  params: URLSearchParams;
  nextCursor: string | null;
  total: number;
  shown: number;
}) {
  const onFirst = !params.get('after');
  const with_ = (after: string | null) => {
    const p = new URLSearchParams(params);
    if (after) p.set('after', after);
    else p.delete('after');
    const qs = p.toString();
    return qs ? `${path}?${qs}` : path;
  };
  return (
    <nav className="pager" aria-label="Pages">
      <span className="sub">
        {shown} shown of {total}
      </span>
      {!onFirst && <Link href={with_(null)}>First page</Link>}
      {nextCursor && (
        <Link href={with_(nextCursor)} rel="next">
          Next page
        </Link>
      )}
    </nav>
  );
}
