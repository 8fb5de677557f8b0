/**
 * Prometheus metrics, kept in-process and rendered in the text exposition format at
 * `/metrics`: HTTP requests, GraphQL operations and their latency, upstream calls by source,
 * cache hits and misses.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { System } from '../../sources/model.ts';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics {
  private readonly counters = new Map<string, number>();
  private readonly histo = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };

  inc(name: string, labels: Record<string, string> = {}, by = 1): void {
    const key = `${name}${labelText(labels)}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + by);
  }

  observeOperation(seconds: number): void {
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) this.histo.buckets[i] = (this.histo.buckets[i] ?? 0) + 1;
    });
    this.histo.sum += seconds;
    this.histo.count++;
  }

  upstreamCall(system: System, ok: boolean): void {
    this.inc('atrium_upstream_calls_total', { system, outcome: ok ? 'ok' : 'error' });
  }

  /** The text exposition; `extra` adds gauges computed at scrape time, `labelled` gauges with labels. */
  render(extra: Record<string, number> = {}, labelled: Record<string, [Record<string, string>, number][]> = {}): string {
    const lines: string[] = [];
    const families = new Map<string, string[]>();
    for (const [key, v] of this.counters) {
      const name = key.replace(/\{.*$/, '');
      families.set(name, [...(families.get(name) ?? []), `${key} ${v}`]);
    }
    for (const [name, samples] of families) lines.push(`# TYPE ${name} counter`, ...samples);
    lines.push('# TYPE atrium_graphql_duration_seconds histogram');
    BUCKETS.forEach((b, i) => lines.push(`atrium_graphql_duration_seconds_bucket{le="${b}"} ${this.histo.buckets[i]}`));
    lines.push(`atrium_graphql_duration_seconds_bucket{le="+Inf"} ${this.histo.count}`);
    lines.push(`atrium_graphql_duration_seconds_sum ${this.histo.sum}`, `atrium_graphql_duration_seconds_count ${this.histo.count}`);
    for (const [name, v] of Object.entries(extra)) lines.push(`# TYPE ${name} gauge`, `${name} ${v}`);
    for (const [name, samples] of Object.entries(labelled)) {
      if (samples.length === 0) continue;
      lines.push(`# TYPE ${name} gauge`, ...samples.map(([labels, v]) => `${name}${labelText(labels)} ${v}`));
    }
    return `${lines.join('\n')}\n`;
  }
}

const labelText = (labels: Record<string, string>) => {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}` : '';
};

/** Counts operations by type and outcome and observes their duration. */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ response, operation }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors?.length ?? 0) : 0;
          metrics.inc('atrium_graphql_operations_total', { type: operation?.operation ?? 'unknown', outcome: errors ? 'errors' : 'ok' });
          metrics.observeOperation(Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
