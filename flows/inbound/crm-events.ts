/**
 * The demo CRM's business events, as its webhooks deliver them: a JSON body
 * `{ "type": "<event type>", "data": { ... } }` (Standard Webhooks' suggested payload; a
 * `timestamp` or any other top-level member is ignored). This module turns the verified body
 * into the command Atrium carries out, or a rejection that says why, without touching anything:
 * pure, no I/O, never throws on what a sender controls.
 *
 * Events carry the whole record ("full" payloads), never a diff: `account.updated` states the
 * account as it now is, so the workspace can be brought in line with it whatever order
 * deliveries arrive in, and `account.created` for an account that already has its workspace is
 * the same command (an upsert). Unknown members of `data` are ignored, so a CRM that adds a field
 * does not start failing; known members are checked strictly (types, enumerations, lengths, no
 * control characters) and every problem is named at once, by path, never echoing the value.
 *
 * What each type means for the ECM:
 * - `account.created`, `account.updated` → `upsertWorkspace` of the account's workspace
 *   (business object `SFDC`/`Account`/`data.id`, the demo world's reference).
 * - `campaign.created` → `upsertWorkspace` of the campaign's workspace (`SFDC`/`Campaign`/`data.id`).
 * - `opportunity.won` → `acknowledge`: nothing is written. A won deal's content is its signed
 *   contract, which arrives as a document (the upload mutation files it into the account's
 *   workspace with the deal id); the account's workspace has no deal state of its own to change.
 *   The event is accepted (2xx) so the CRM does not retry it, and recorded with its reason.
 * - `case.opened` → `acknowledge`: the ECM's workspace templates are Campaign, Customer and
 *   Partner only, so a case has no workspace to create; accepted and recorded, nothing written.
 */
import type { AccountKind, BusinessObject, CampaignStatus } from '../../sources/model.ts';
import { REGIONS } from '../../sources/model.ts';
import type { AccountDraft, CampaignDraft, WorkspaceDraft } from '../../sources/ports.ts';

export const CRM_EVENT_TYPES = ['account.created', 'account.updated', 'campaign.created', 'opportunity.won', 'case.opened'] as const;
export type CrmEventType = (typeof CRM_EVENT_TYPES)[number];

/** Largest body accepted, in bytes (CloudEvents' 64 KiB floor; Standard Webhooks: "usually smaller than 20kb"). */
export const CRM_EVENT_MAX_BYTES = 64 * 1024;
/** The business-object system the demo CRM's records carry (the demo world's `SFDC`). */
export const DEFAULT_CRM_SYSTEM = 'SFDC';

/** Longest accepted values, in characters (names: Content Server's 248-character node names). */
export const LIMITS = { id: 64, name: 248, email: 254, productLine: 100, subject: 248, audience: 1000 } as const;

/** Create a business workspace for a business object, or bring the existing one in line (found by the BO reference). */
export interface UpsertWorkspaceCommand {
  kind: 'upsertWorkspace';
  draft: WorkspaceDraft;
}

/** Accept the event and record it, writing nothing: `reason` says why (kept with the event). */
export interface AcknowledgeCommand {
  kind: 'acknowledge';
  /** The business object the event is about (`SFDC`/`Opportunity` or `SFDC`/`Case`). */
  businessObject: BusinessObject;
  /** The account it belongs to, when the event names one (`SFDC`/`Account`). */
  account?: BusinessObject;
  reason: string;
}

export type CrmCommand = UpsertWorkspaceCommand | AcknowledgeCommand;

/** An accepted event: its type and what to do. */
export interface CrmEvent {
  type: CrmEventType;
  command: CrmCommand;
}

/**
 * Why a body was refused, with the HTTP status a hook route answers: `too-large` 413,
 * `not-json` 400 (not UTF-8 JSON, or not an object with a string `type` and an object `data`),
 * `unknown-type` 422, `invalid` 422 (a field missing or malformed). `reason` is safe to send
 * back and to log: it names fields and limits, never a value the sender sent (except an unknown
 * type that is a plain identifier).
 */
export interface CrmRejection {
  problem: 'too-large' | 'not-json' | 'unknown-type' | 'invalid';
  status: 400 | 413 | 422;
  reason: string;
  /** The event type, when it was a known one. */
  type?: CrmEventType;
}

export type CrmParseResult = { ok: true; event: CrmEvent } | { ok: false; rejection: CrmRejection };

export interface CrmEventOptions {
  /** The business-object system to reference (default `SFDC`). */
  system?: string;
  /** Largest body in bytes (default 64 KiB). */
  maxBytes?: number;
}

/** Parse and validate one event body (the exact bytes received; a string is taken as UTF-8). */
export function parseCrmEvent(body: Uint8Array | string, opts: CrmEventOptions = {}): CrmParseResult {
  const maxBytes = opts.maxBytes ?? CRM_EVENT_MAX_BYTES;
  const system = opts.system ?? DEFAULT_CRM_SYSTEM;
  const size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
  if (size > maxBytes) return reject('too-large', 413, `the body is larger than ${maxBytes} bytes`);

  let parsed: unknown;
  try {
    // fatal: invalid UTF-8 is refused rather than silently replaced in names.
    const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
    parsed = JSON.parse(text);
  } catch {
    return reject('not-json', 400, 'the body is not UTF-8 JSON');
  }
  if (!isObject(parsed)) return reject('not-json', 400, 'the body must be a JSON object { type, data }');
  const type = own(parsed, 'type');
  const data = own(parsed, 'data');
  if (typeof type !== 'string') return reject('not-json', 400, 'type must be a string');
  if (!isKnownType(type)) {
    const shown = /^[A-Za-z0-9_.]{1,64}$/.test(type) ? ` "${type}"` : '';
    return reject('unknown-type', 422, `unknown event type${shown}; known: ${CRM_EVENT_TYPES.join(', ')}`);
  }
  if (!isObject(data)) return reject('not-json', 400, 'data must be a JSON object', type);

  const f = new Fields(data);
  const command = COMMANDS[type](f, system);
  if (f.problems.length || !command) return reject('invalid', 422, summary(f.problems), type);
  return { ok: true, event: { type, command } };
}

const ACCOUNT_KINDS: readonly AccountKind[] = ['PARTNER', 'CUSTOMER'];
const CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['PLANNED', 'ACTIVE', 'CLOSED'];
/** CRM record ids: Salesforce's 15/18 characters, the demo's `ACC-1001`, and most others. */
const RECORD_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const CAMPAIGN_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CURRENCY = /^[A-Z]{3}$/;

const COMMANDS: Record<CrmEventType, (f: Fields, system: string) => CrmCommand | null> = {
  'account.created': accountUpsert,
  'account.updated': accountUpsert,
  'campaign.created': campaignUpsert,
  'opportunity.won': (f, system) => {
    const id = f.id('id');
    const accountId = f.id('accountId');
    f.text('name', LIMITS.name, false);
    const amount = f.raw('amount');
    if (amount !== undefined && !(typeof amount === 'number' && Number.isFinite(amount) && amount >= 0))
      f.problem('data.amount must be a non-negative number');
    const currency = f.raw('currency');
    if (currency !== undefined && !(typeof currency === 'string' && CURRENCY.test(currency)))
      f.problem('data.currency must be a three-letter ISO 4217 code');
    f.date('closeDate', false);
    if (!id || !accountId) return null;
    return {
      kind: 'acknowledge',
      businessObject: { system, type: 'Opportunity', id },
      account: { system, type: 'Account', id: accountId },
      reason:
        "a won opportunity changes nothing in the ECM by itself: its signed contract is filed as a document into the account's workspace",
    };
  },
  'case.opened': (f, system) => {
    const id = f.id('id');
    const accountId = f.id('accountId', false);
    f.text('subject', LIMITS.subject, false);
    if (!id) return null;
    return {
      kind: 'acknowledge',
      businessObject: { system, type: 'Case', id },
      ...(accountId ? { account: { system, type: 'Account', id: accountId } } : {}),
      reason: 'the ECM has no case workspace type (its templates are Campaign, Customer and Partner): nothing to create',
    };
  },
};

function accountUpsert(f: Fields, system: string): CrmCommand | null {
  const id = f.id('id');
  const name = f.text('name', LIMITS.name);
  const kind = f.oneOf('kind', ACCOUNT_KINDS);
  // Required although the draft allows leaving it out: every Account in the graph has a region.
  const region = f.oneOf('region', REGIONS);
  const owner = f.email('owner');
  if (!id || !name || !kind || !region) return null;
  const account: AccountDraft = { id, name, kind, region, ...(owner ? { owner } : {}) };
  return { kind: 'upsertWorkspace', draft: { kind: 'account', businessObject: { system, type: 'Account', id }, account } };
}

function campaignUpsert(f: Fields, system: string): CrmCommand | null {
  const id = f.id('id');
  const code = f.code('code');
  const name = f.text('name', LIMITS.name);
  // The graph's Campaign always has a status, regions and dates: the CRM must say them.
  const status = f.oneOf('status', CAMPAIGN_STATUSES);
  const regions = f.list('regions', REGIONS, true);
  const startDate = f.date('startDate');
  const endDate = f.date('endDate');
  if (startDate && endDate && endDate < startDate) f.problem('data.endDate must not be before data.startDate');
  const productLine = f.text('productLine', LIMITS.productLine, false);
  const openToAllPartners = f.bool('openToAllPartners');
  const audience = f.ids('audience');
  if (!id || !code || !name || !status || !regions || !startDate || !endDate) return null;
  const campaign: CampaignDraft = {
    code,
    name,
    status,
    regions,
    startDate,
    endDate,
    ...(productLine ? { productLine } : {}),
    ...(openToAllPartners !== undefined ? { openToAllPartners } : {}),
    ...(audience ? { audience } : {}),
  };
  return { kind: 'upsertWorkspace', draft: { kind: 'campaign', businessObject: { system, type: 'Campaign', id }, campaign } };
}

/**
 * Characters no field may hold: C0 and C1 controls (NUL, line breaks, escape sequences), the
 * line and paragraph separators, and the bidirectional overrides that make a name display as
 * something else than it is.
 */
const FORBIDDEN = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;
/** A UTF-16 surrogate without its pair (JSON's `\ud800` escapes make them): not text. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Reads `data`'s members, collecting every problem by path. */
class Fields {
  readonly problems: string[] = [];
  constructor(private readonly data: Record<string, unknown>) {}

  problem(p: string): void {
    this.problems.push(p);
  }

  raw(key: string): unknown {
    return own(this.data, key);
  }

  /** A trimmed, non-empty string of at most `max` characters without control characters. */
  text(key: string, max: number, required = true): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) {
      if (required) this.problem(`data.${key} is missing`);
      return undefined;
    }
    if (typeof v !== 'string') return this.fail(`data.${key} must be a string`);
    return this.checkText(`data.${key}`, v, max);
  }

  /** A record id (`ACC-1001`, a Salesforce id): letters, digits and `_ . : -`, at most 64. */
  id(key: string, required = true): string | undefined {
    const v = this.text(key, LIMITS.id, required);
    if (v !== undefined && !RECORD_ID.test(v)) return this.fail(`data.${key} must be a record id (letters, digits, _ . : -)`);
    return v;
  }

  code(key: string): string | undefined {
    const v = this.text(key, LIMITS.id);
    if (v !== undefined && !CAMPAIGN_CODE.test(v)) return this.fail(`data.${key} must be a campaign code (letters, digits, _ . -)`);
    return v;
  }

  email(key: string): string | undefined {
    const v = this.text(key, LIMITS.email, false);
    if (v !== undefined && !EMAIL.test(v)) return this.fail(`data.${key} must be an email address`);
    return v?.toLowerCase();
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return this.fail(`data.${key} is missing`);
    if (typeof v !== 'string' || !allowed.includes(v as T)) return this.fail(`data.${key} must be one of ${allowed.join(', ')}`);
    return v as T;
  }

  /** A non-empty list of distinct values from `allowed`. */
  list<T extends string>(key: string, allowed: readonly T[], required: boolean): T[] | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return required ? this.fail(`data.${key} is missing`) : undefined;
    if (!Array.isArray(v) || v.length === 0 || v.length > allowed.length || !v.every((x) => allowed.includes(x as T)))
      return this.fail(`data.${key} must be a non-empty list of ${allowed.join(', ')}`);
    if (new Set(v).size !== v.length) return this.fail(`data.${key} lists a value twice`);
    return v as T[];
  }

  /** A list of record ids (a campaign's audience: CRM account ids), de-duplicated. */
  ids(key: string): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.length > LIMITS.audience)
      return this.fail(`data.${key} must be a list of at most ${LIMITS.audience} record ids`);
    const bad = v.findIndex((x) => typeof x !== 'string' || x.length > LIMITS.id || !RECORD_ID.test(x));
    if (bad >= 0) return this.fail(`data.${key}[${bad}] must be a record id`);
    return [...new Set(v as string[])];
  }

  /** A calendar date `YYYY-MM-DD`. */
  date(key: string, required = true): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return required ? this.fail(`data.${key} is missing`) : undefined;
    if (typeof v !== 'string' || !isCalendarDate(v)) return this.fail(`data.${key} must be a date YYYY-MM-DD`);
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') return this.fail(`data.${key} must be true or false`);
    return v;
  }

  private checkText(path: string, v: string, max: number): string | undefined {
    if (FORBIDDEN.test(v) || LONE_SURROGATE.test(v)) return this.fail(`${path} must not contain control characters`);
    const t = v.trim();
    if (t === '') return this.fail(`${path} must not be empty`);
    if (t.length > max) return this.fail(`${path} must be at most ${max} characters`);
    return t;
  }

  private fail(p: string): undefined {
    this.problem(p);
    return undefined;
  }
}

function isCalendarDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === v;
}

function isKnownType(t: string): t is CrmEventType {
  return (CRM_EVENT_TYPES as readonly string[]).includes(t);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A member the object really has (JSON may name `__proto__` or `constructor`: never inherited). */
function own(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function summary(problems: string[]): string {
  const shown = problems.slice(0, 10).join('; ');
  return problems.length > 10 ? `${shown}; and ${problems.length - 10} more` : shown || 'invalid event';
}

function reject(problem: CrmRejection['problem'], status: CrmRejection['status'], reason: string, type?: CrmEventType): CrmParseResult {
  return { ok: false, rejection: { problem, status, reason, ...(type ? { type } : {}) } };
}
