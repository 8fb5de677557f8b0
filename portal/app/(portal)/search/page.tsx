import type { Metadata } from 'next';
import Form from 'next/form';
import { FacetCheckbox } from '../../../components/facet-checkbox.tsx';
import { HitList } from '../../../components/hit-list.tsx';
import { OutageBanner } from '../../../components/outage-banner.tsx';
import { Pager } from '../../../components/pager.tsx';
import { searchContent } from '../../../lib/dal.ts';
import { FACETS, SORTS, filterFromParams, type Sort } from '../../../lib/facets.ts';
import { label } from '../../../lib/format.ts';
import { systemName } from '../../../lib/graphql.ts';
import { all, one, type SearchParamsRecord } from '../../../lib/params.ts';
import type { Facet } from '../../../lib/types.ts';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Search' };

const SORT_TEXT: Record<Sort, string> = { RELEVANCE: 'Relevance', DATE: 'Newest first', NAME: 'Name (A–Z)' };

function FacetGroups({ facets, selected }: { facets: Facet[]; selected: (field: string) => string[] }) {
  const shown = facets.filter((f) => FACETS[f.field] && f.values.length > 0);
  return (
    <>
      {shown.map((f) => {
        const picked = selected(f.field);
        const values = [...f.values, ...picked.filter((p) => !f.values.some((v) => v.value === p)).map((value) => ({ value, count: 0 }))];
        return (
          <fieldset key={f.field}>
            <legend>{FACETS[f.field]?.title}</legend>
            {values.map((v) => (
              <FacetCheckbox
                key={v.value}
                name={f.field}
                value={v.value}
                count={v.count}
                checked={picked.includes(v.value)}
                text={f.field === 'system' ? systemName(v.value) : FACETS[f.field]?.values ? label(v.value) : v.value}
              />
            ))}
          </fieldset>
        );
      })}
    </>
  );
}

export default async function SearchPage({ searchParams }: { searchParams: Promise<SearchParamsRecord> }) {
  const sp = await searchParams;
  const q = (one(sp.q) ?? '').slice(0, 200);
  const sortParam = one(sp.sort);
  const sort: Sort = SORTS.includes(sortParam as Sort) ? (sortParam as Sort) : 'RELEVANCE';
  const after = one(sp.after);
  const selected = (field: string) => all(sp[field]);
  const { data, outages } = await searchContent({ q, filter: filterFromParams(selected), sort, after });

  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (sort !== 'RELEVANCE') params.set('sort', sort);
  for (const field of Object.keys(FACETS)) for (const v of selected(field)) params.append(field, v);
  if (after) params.set('after', after);

  return (
    <>
      <div className="page-head">
        <h1>Search</h1>
        <p className="sub">Documents and media from every source, as far as you may see them.</p>
      </div>
      <OutageBanner outages={outages} />
      <Form action="/search" role="search" aria-label="Documents and assets">
        <div className="search-bar">
          <label>
            Words
            <input type="search" name="q" defaultValue={q} placeholder="e.g. brochure, Aurora" />
          </label>
          <label>
            Sort
            <select name="sort" defaultValue={sort}>
              {SORTS.map((s) => (
                <option key={s} value={s}>
                  {SORT_TEXT[s]}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Search</button>
        </div>
        <div className="search-layout">
          <aside aria-label="Filters">
            <FacetGroups facets={data.facets} selected={selected} />
            {data.facets.some((f) => FACETS[f.field] && f.values.length > 0) && (
              <button type="submit" className="secondary">
                Apply filters
              </button>
            )}
          </aside>
          <section aria-labelledby="results-h">
            <h2 id="results-h" className="visually-hidden">
              Results
            </h2>
            <p className="sub" role="status" data-testid="result-count">
              {data.hits.total} result{data.hits.total === 1 ? '' : 's'}
            </p>
            {data.missingSources.length > 0 && (
              <p className="banner warn" role="status">
                Not searched: {data.missingSources.map(systemName).join(', ')} did not answer.
              </p>
            )}
            <HitList hits={data.hits.items} />
            <Pager
              path="/search"
              params={params}
              nextCursor={data.hits.nextCursor}
              total={data.hits.total}
              shown={data.hits.items.length}
            />
          </section>
        </div>
      </Form>
    </>
  );
}
