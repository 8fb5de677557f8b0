'use client';

import type { ChangeEvent } from 'react';

/**
 * One facet value as a checkbox in the search form. Ticking it submits the form, so the
 * filter lands in the URL; without JavaScript the form's Apply button does the same.
 */
export function FacetCheckbox({
  name,
  value,
  count,
  checked,
  text,
}: {
  name: string;
  value: string;
  count: number;
  checked: boolean;
  text: string;
}) {
  const submit = (e: ChangeEvent<HTMLInputElement>) => e.currentTarget.form?.requestSubmit();
  return (
    <label className="choice">
      <input type="checkbox" name={name} value={value} defaultChecked={checked} onChange={submit} />
      <span>
        {text} <span className="sub">({count})</span>
      </span>
    </label>
  );
}
