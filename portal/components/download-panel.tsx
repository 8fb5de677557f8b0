'use client';

import { useRef, useState } from 'react';
import { acceptTermsAction } from '../lib/actions.ts';

interface Choice {
  kind: string;
  text: string;
}

/**
 * Rendition choice and download. For a licensed asset whose terms the reader has not yet
 * accepted, the first download opens the terms dialog; acceptance is recorded on the server
 * (and checked again there by the /files route) before the download starts.
 */
export function DownloadPanel({
  assetId,
  title,
  choices,
  terms,
  accepted,
}: {
  assetId: string;
  title: string;
  choices: Choice[];
  terms: { id: string; lines: string[] } | null;
  accepted: boolean;
}) {
  const [kind, setKind] = useState(choices.find((c) => c.kind === 'ORIGINAL')?.kind ?? choices[0]?.kind ?? '');
  const [ok, setOk] = useState(accepted || !terms);
  const [agreed, setAgreed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const href = `/files/assets/${encodeURIComponent(assetId)}/${kind.toLowerCase()}`;

  const start = () => window.location.assign(href);

  async function accept() {
    if (!terms) return;
    setError(null);
    const res = await acceptTermsAction(assetId, terms.id);
    if (!res.ok) {
      setError('The terms changed or the asset is no longer available to you. Reload the page.');
      return;
    }
    setOk(true);
    dialog.current?.close();
    start();
  }

  if (choices.length === 0) return <p className="sub">No downloadable renditions.</p>;
  return (
    <div>
      <fieldset>
        <legend>Rendition</legend>
        {choices.map((c) => (
          <label key={c.kind} className="choice">
            <input type="radio" name="rendition" value={c.kind} checked={kind === c.kind} onChange={() => setKind(c.kind)} />
            <span>{c.text}</span>
          </label>
        ))}
      </fieldset>
      {ok ? (
        <a className="button" href={href} download data-testid="download">
          Download {kind.toLowerCase()}
        </a>
      ) : (
        <button type="button" onClick={() => dialog.current?.showModal()} data-testid="download">
          Download {kind.toLowerCase()}…
        </button>
      )}
      {terms && !ok && <p className="hint">You accept the usage terms once before the first download.</p>}
      {terms && (
        <dialog ref={dialog} aria-labelledby="terms-title" aria-describedby="terms-body">
          <h2 id="terms-title">Usage terms for {title}</h2>
          <ul id="terms-body">
            {terms.lines.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
          <label className="choice">
            <input type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.currentTarget.checked)} />
            <span>I accept these usage terms</span>
          </label>
          {error && (
            <p className="banner bad" role="alert">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="button" disabled={!agreed} onClick={() => void accept()}>
              Accept and download
            </button>
          </div>
        </dialog>
      )}
    </div>
  );
}
