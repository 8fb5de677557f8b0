import { systemName, type Outage } from '../lib/graphql.ts';

/** Names each source that did not answer; the rest of the page renders below it. */
export function OutageBanner({ outages }: { outages: Outage[] }) {
  if (outages.length === 0) return null;
  return (
    <div className="banner warn" role="status" data-testid="outage-banner">
      {outages.map((o) => (
        <p key={o.source}>
          <strong>
            {systemName(o.source)} ({o.source}) is not answering.
          </strong>{' '}
          What it holds is missing from this page; everything else is current.
        </p>
      ))}
    </div>
  );
}
