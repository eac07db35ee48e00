import type { Answer, TransportCause } from './request.js';

/** A contact as the endpoint reports it (created, updated or deleted). */
export interface CreatedContact {
  id: string;
  fullName: string;
  /** E.164, as the endpoint answers it. */
  phoneNumber: string;
  createdAt?: string;
}

/** What a request asks of the endpoint. */
export type Operation = 'create' | 'update' | 'delete';

/** What one call to the contacts endpoint came to. The client returns one of these and never throws. */
export type Outcome =
  | { kind: 'created'; status: number; contacts: CreatedContact[] }
  /** `update` and `delete` answer the one contact they changed (a delete: the contact, now inactive). */
  | { kind: 'updated' | 'deleted'; status: number; contact: CreatedContact }
  | { kind: 'duplicate'; status: number; messages: string[] }
  | { kind: 'unauthorized'; status: number; messages: string[] }
  | { kind: 'rejected'; status: number; messages: string[] }
  /**
   * No outcome yet: `cause` when there was no HTTP answer at all, `status` when there was one; `rateLimited` when the
   * endpoint said the account's rate limit is spent (so the call was not tried).
   */
  | { kind: 'unavailable'; status?: number; messages: string[]; retryAfterMs?: number; cause?: TransportCause; rateLimited?: true };

export type Unavailable = Extract<Outcome, { kind: 'unavailable' }>;

/**
 * Whether a call that came to `unavailable` may still have reached the endpoint and changed the contact: a timeout, a
 * reset, a 5xx other than 503, or a success without our contact. A refused connection, 503 and every 4xx that is
 * `unavailable` (408, 429, a rate-limit answer) say nothing was done.
 */
export function mayHaveArrived(outcome: Unavailable): boolean {
  if (outcome.status === undefined) return !NEVER_CONNECTED.has(outcome.cause ?? 'other');
  return outcome.status < 400 || (outcome.status >= 500 && outcome.status !== 503);
}

const NEVER_CONNECTED: ReadonlySet<TransportCause> = new Set(['refused', 'unresolved', 'unreachable']);

/** The outcome of a call that got no usable answer. */
export function noAnswer(answer: Extract<Answer, { answered: false }>): Unavailable {
  return {
    kind: 'unavailable',
    messages: [answer.message],
    ...(answer.status === undefined ? {} : { status: answer.status }),
    ...(answer.cause === undefined ? {} : { cause: answer.cause }),
  };
}

const DUPLICATE_TEXT = /already exists?|duplicate/i;
/** Both vendor texts: "You've exceeded the per-minute rate limit…" and "Rate limit for this API has been reached". */
const RATE_LIMIT_TEXT = /rate[ _-]?limit/i;

/**
 * How long a rate-limited call waits when the answer has no `Retry-After`: the whole rolling minute, since we cannot
 * know when the oldest call in the vendor's window was made — after it, the window has surely freed.
 */
export const RATE_LIMIT_WAIT_MS = 60_000;

/**
 * Sorts an HTTP answer to `operation` into an outcome, following the table in docs/contacts-endpoint.md: a create answers an array of
 * contacts, an update or a delete the one contact.
 */
export function classifyAnswer(operation: Operation, status: number, body: unknown, retryAfter: string | null, now = Date.now()): Outcome {
  if (status >= 200 && status < 300) {
    const contacts = operation === 'create' ? createdContacts(body) : oneContact(body);
    if (contacts.length === 0) return { kind: 'unavailable', status, messages: ['The endpoint answered success without a contact id.'] };
    if (operation === 'create') return { kind: 'created', status, contacts };
    return { kind: operation === 'update' ? 'updated' : 'deleted', status, contact: contacts[0]! };
  }
  const messages = errorMessages(body, status);
  // The vendor's status for a spent rate limit is undocumented (a 400 has been seen): its text decides, before any
  // other reading of a 4xx, so the contact is tried again instead of being refused.
  if (status === 429 || (status >= 400 && status < 500 && messages.some((m) => RATE_LIMIT_TEXT.test(m)))) {
    const retryAfterMs = parseRetryAfter(retryAfter, now) ?? RATE_LIMIT_WAIT_MS;
    return { kind: 'unavailable', status, messages, retryAfterMs, rateLimited: true };
  }
  if (status === 409 || ((status === 400 || status === 422) && messages.some((m) => DUPLICATE_TEXT.test(m)))) {
    return { kind: 'duplicate', status, messages };
  }
  if (status === 401 || status === 403) return { kind: 'unauthorized', status, messages };
  if (status === 408 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return retryAfterMs === undefined ? { kind: 'unavailable', status, messages } : { kind: 'unavailable', status, messages, retryAfterMs };
  }
  return { kind: 'rejected', status, messages };
}

function createdContacts(body: unknown): CreatedContact[] {
  const items = Array.isArray(body) ? body : isRecord(body) && Array.isArray(body.data) ? body.data : [];
  return items.flatMap(readContact);
}

/** The one contact an update or a delete answers (bare, or under `data`). */
function oneContact(body: unknown): CreatedContact[] {
  return readContact(isRecord(body) && isRecord(body.data) ? body.data : body);
}

function readContact(item: unknown): CreatedContact[] {
  if (!isRecord(item)) return [];
  const id = item.id ?? item._id;
  if (typeof id !== 'string' || id === '') return [];
  const phone = isRecord(item.cellPhone) ? item.cellPhone.phoneNumber : undefined;
  const name = [item.firstName, item.lastName].filter((s) => typeof s === 'string').join(' ');
  return [
    {
      id,
      fullName: typeof item.fullName === 'string' ? item.fullName : name,
      phoneNumber: typeof phone === 'string' ? phone : '',
      ...(typeof item.createdAt === 'string' ? { createdAt: item.createdAt } : {}),
    },
  ];
}

/** The endpoint's own error texts, from `{ errors: [{ msg }] }` or whatever else it sent. */
export function errorMessages(body: unknown, status: number): string[] {
  if (isRecord(body)) {
    if (Array.isArray(body.errors)) {
      const msgs = body.errors
        .map((e) => (isRecord(e) ? (e.msg ?? e.message) : e))
        .filter((m): m is string => typeof m === 'string' && m.trim() !== '');
      if (msgs.length > 0) return msgs.map(clip);
    }
    for (const key of ['message', 'error', 'msg'] as const) {
      const value = body[key];
      if (typeof value === 'string' && value.trim() !== '') return [clip(value)];
    }
  }
  if (typeof body === 'string' && body.trim() !== '') return [clip(body.trim())];
  return [`HTTP ${status}`];
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from now, at most an hour. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Math.min(Number(value.trim()) * 1000, LONGEST_RETRY_AFTER_MS);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), LONGEST_RETRY_AFTER_MS);
}

/**
 * The longest wait an answer may ask for: a rate limit is per minute, and a longer wait (a typo, a date years ahead,
 * twenty digits) would stop every call to the account — or pass what the database can add to a time — for nothing.
 */
const LONGEST_RETRY_AFTER_MS = 60 * 60_000;

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
