import { formatDate, formatSize } from '../lib/format.ts';
import type { DocumentRow } from '../lib/types.ts';
import { StatusBadge } from './status-badge.tsx';

/** Documents with status, classification and a download link through the portal. */
export function DocumentTable({ documents, caption }: { documents: DocumentRow[]; caption: string }) {
  if (documents.length === 0) return <p className="sub">No {caption.toLowerCase()} you may see.</p>;
  return (
    <div className="table-wrap">
      <table data-testid="document-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Classification</th>
            <th scope="col">Modified</th>
            <th scope="col">Size</th>
            <th scope="col">
              <span className="visually-hidden">Download</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {documents.map((d) => (
            <tr key={d.id}>
              <td>
                {d.name} <span className="sub">v{d.version}</span>
              </td>
              <td>
                <StatusBadge value={d.status} />
              </td>
              <td>
                <StatusBadge value={d.classification} />
              </td>
              <td>{formatDate(d.modifiedAt)}</td>
              <td>{formatSize(d.size)}</td>
              <td>
                {d.downloadable && (
                  <a href={`/files/documents/${encodeURIComponent(d.id)}`} download aria-label={`Download ${d.name}`}>
                    Download
                  </a>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
