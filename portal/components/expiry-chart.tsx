import { formatMonth } from '../lib/format.ts';

/** A bar chart in inline SVG (no chart library), with the numbers also in a table for screen readers. */
export function ExpiryChart({ months }: { months: { month: string; count: number }[] }) {
  const max = Math.max(1, ...months.map((m) => m.count));
  const barW = 56;
  const gap = 24;
  const h = 160;
  const width = months.length * (barW + gap) + gap;
  return (
    <figure style={{ margin: 0 }}>
      <svg
        className="chart"
        role="img"
        aria-labelledby="expiry-chart-title"
        viewBox={`0 0 ${width} ${h + 40}`}
        width="100%"
        style={{ maxWidth: width }}
        data-testid="expiry-chart"
      >
        <title id="expiry-chart-title">Rights expiring per month over the next 90 days</title>
        <line x1={gap / 2} x2={width - gap / 2} y1={h} y2={h} stroke="#8c959f" />
        {months.map((m, i) => {
          const bh = Math.round((m.count / max) * (h - 24));
          const x = gap + i * (barW + gap);
          return (
            <g key={m.month}>
              <rect className="bar" x={x} y={h - bh} width={barW} height={bh} rx={3} />
              <text x={x + barW / 2} y={h - bh - 6} textAnchor="middle">
                {m.count}
              </text>
              <text x={x + barW / 2} y={h + 20} textAnchor="middle">
                {formatMonth(m.month)}
              </text>
            </g>
          );
        })}
      </svg>
      <table className="visually-hidden">
        <caption>Rights expiring per month</caption>
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col">Assets</th>
          </tr>
        </thead>
        <tbody>
          {months.map((m) => (
            <tr key={m.month}>
              <td>{formatMonth(m.month)}</td>
              <td>{m.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
