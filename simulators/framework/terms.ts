/**
 * The words of a free-text search as the Lucene-style query parsers behind iconik
 * (Elasticsearch) and OTMM (Solr) read them, in the subset the simulators serve: whitespace
 * separates terms; a `"quoted phrase"` (with `\"` and `\\` escapes) is one literal term; a bare
 * `*` matches anything. Connectors quote any word that holds query syntax
 * (sources/iconik/query.ts, sources/otmm/query.ts), so a quoted term is matched as its text.
 */
export interface Term {
  /** The term's text, lower-cased, escapes undone. */
  text: string;
  /** Whether it was quoted (a literal; never a wildcard). */
  quoted: boolean;
}

/** The terms of `query`; `*` alone and empty queries give none (everything matches). */
export function queryTerms(query: string | undefined): Term[] {
  const q = (query ?? '').trim();
  const out: Term[] = [];
  let i = 0;
  while (i < q.length) {
    if (/\s/.test(q[i] as string)) {
      i++;
      continue;
    }
    if (q[i] === '"') {
      let text = '';
      i++;
      while (i < q.length && q[i] !== '"') {
        if (q[i] === '\\' && i + 1 < q.length) i++;
        text += q[i];
        i++;
      }
      i++;
      if (text) out.push({ text: text.toLowerCase(), quoted: true });
      continue;
    }
    let word = '';
    while (i < q.length && !/\s/.test(q[i] as string)) word += q[i++];
    if (word !== '*') out.push({ text: word.toLowerCase(), quoted: false });
  }
  return out;
}
