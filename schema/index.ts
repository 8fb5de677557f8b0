/** Loads the graph's SDL: every `.graphql` file in this folder, in name order. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));

/** The SDL documents of the graph. */
export function loadTypeDefs(): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(`${dir}/${f}`, 'utf8'));
}
