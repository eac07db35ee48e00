import type { Db } from '../database.js';
import { formatE164 } from '../contact/phone.js';
import type { Operation } from '../kore/outcome.js';
import { numberHolder } from './contacts.js';
import type { RequestRow } from './requests.js';
import { fullName } from '../contact/contact.js';
import { readWait, type BudgetPace, type Wait } from './wait.js';

/** How a surface renders the parts of a report it styles its own way. */
export interface ReportStyle {
  /** Text that came from a user or the endpoint, shown as it is (never read as markup). */
  text(text: string): string;
  strong(text: string): string;
  user(userId: string): string;
  time(at: Date): string;
}

/** What the user is told about a request: a title and lines, in the product's words, and what they may do next. */
export interface Report {
  title: string;
  lines: string[];
  /** Edit or delete the contact, or try again, each on the request it acts on (a surface offers them as it can). */
  next?: NextStep[];
}

/** Something the person told may do next about a request: each way in re-reads the request and re-checks who may. */
export interface NextStep {
  change: 'edit' | 'delete' | 'retry';
  requestId: number;
  label: string;
}

/** What a report reads besides the request: the audit trail, the call budget for how long a queued request waits. */
export interface ReportDeps extends BudgetPace {
  db: Db;
  /** Whether this user may edit a contact `creatorId` created (a duplicate offers to edit the contact holding the number). */
  mayChange?(userId: string, creatorId: string): boolean;
}

const DONE: Record<Operation, string> = { create: 'created', update: 'updated', delete: 'deleted' };

/** Describes a request's state (settled, or waiting for a retry when `queued`) for the person who made it. */
export async function reportRequest(deps: ReportDeps, row: RequestRow, style: ReportStyle, queued = false): Promise<Report> {
  const number = style.strong(formatNumber(row));
  const name = style.text(fullName(row));
  const messages = (row.error?.messages ?? []).map(style.text);
  const done = DONE[row.operation];
  if (queued) {
    return {
      title: row.operation === 'create' ? 'Your contact is queued' : 'Your change is queued',
      lines: [
        whyQueued(await readWait(deps.db, row.id, deps), `${name} (${number})`),
        row.reply.kind === 'cli'
          ? 'It waits in the audit trail; a running contact bot sends it (see `npm run cli -- history`).'
          : "You'll get a message here with the outcome.",
      ],
    };
  }
  const contactLines = [`${style.strong(name)} · ${number}`, `Contact ID: ${style.strong(style.text(row.contactId ?? ''))}`];
  const changeable: NextStep[] = [
    { change: 'edit', requestId: row.id, label: 'Edit' },
    { change: 'delete', requestId: row.id, label: 'Delete' },
  ];
  switch (row.status) {
    case 'created':
      return { title: 'Contact created', lines: contactLines, next: changeable };
    case 'updated':
      return { title: 'Contact updated', lines: contactLines, next: changeable };
    case 'deleted':
      return { title: 'Contact deleted', lines: contactLines };
    case 'duplicate':
      return duplicateReport(
        deps,
        row,
        style,
        `${number} already belongs to ${row.operation === 'create' ? 'a' : 'another'} contact, so ${name} was not ${done}.`,
      );
    case 'rejected':
      return {
        title: `The contacts endpoint refused this ${row.operation === 'create' ? 'contact' : 'change'}`,
        lines: [`${name} · ${number}`, ...messages.map((m) => `• ${m}`)],
      };
    case 'unauthorized':
      return {
        title: 'The bot is misconfigured',
        lines: [
          `The contacts endpoint did not accept the bot's credentials, so ${name} was not ${done}.`,
          "Please tell your Slack admin; the details are in the bot's logs.",
        ],
      };
    case 'failed':
      return {
        title: `The contact could not be ${done}`,
        lines: [
          `The contacts endpoint did not answer after ${row.attempts} attempts, so ${name} (${number}) was not ${done}.`,
          ...messages.map((m) => `• ${m}`),
        ],
        next: [{ change: 'retry', requestId: row.id, label: 'Try again' }],
      };
    default:
      return {
        title: { create: 'Creating the contact…', update: 'Updating the contact…', delete: 'Deleting the contact…' }[row.operation],
        lines: [`${name} · ${number}`],
      };
  }
}

/**
 * A duplicate, with what this app knows of the contact holding the number: its ID and who created it here, and the
 * offer to edit it when the user may.
 */
async function duplicateReport(deps: ReportDeps, row: RequestRow, style: ReportStyle, first: string): Promise<Report> {
  const lines = [first];
  const holder = await numberHolder(deps.db, row.phoneE164);
  if (holder) {
    const { creation } = holder;
    const gone = holder.deletion ? ', and deleted since' : '';
    lines.push(
      `It is contact ${style.strong(style.text(holder.contactId))}, created through this app by ${style.user(creation.userId)} on ${style.time(creation.settledAt ?? creation.createdAt)}${gone}.`,
    );
    const mayEdit = !holder.deletion && deps.mayChange?.(row.userId, creation.userId);
    return {
      title: 'That number is already a contact',
      lines,
      ...(mayEdit ? { next: [{ change: 'edit', requestId: creation.id, label: 'Edit that contact' }] } : {}),
    };
  }
  if (row.operation === 'create' && row.error?.afterUncertainAttempt) {
    lines.push(
      'An earlier attempt of this same request most likely created it just before the endpoint stopped answering: check the contacts store before adding it again.',
    );
  }
  return { title: 'That number is already a contact', lines };
}

/** Why `contact` waits and when it will be sent, in one sentence. */
function whyQueued(wait: Wait, contact: string): string {
  switch (wait.why) {
    case 'no-answer':
      return `The contacts endpoint is not answering right now, so ${contact} will be sent again automatically.`;
    case 'rate-limit':
      return `The contacts service's per-minute limit is reached (it is shared with other integrations on the account), so ${contact} will be sent ${inAbout(wait.inMs)}.`;
    case 'budget':
      return `The contacts service's per-minute limit is reached, so ${contact} will be sent ${inAbout(wait.inMs)}: ${aheadOfYours(wait.ahead)}.`;
  }
}

/**
 * A wait as a person would say it: "in less than a minute" below 15 s (a poll and a message take a few seconds anyway),
 * then to the nearest 10 s ("in about 40 s"), from 90 s to the nearest minute, and from 90 min to the nearest hour.
 */
export function inAbout(ms: number): string {
  return `in ${about(ms)}`;
}

/** A length of time as `inAbout` says it, without the "in": "less than a minute", "about 40 s", "about 3 min". */
export function about(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 15) return 'less than a minute';
  if (seconds < 90) return `about ${Math.round(seconds / 10) * 10} s`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min`;
  return `about ${Math.round(seconds / 3600)} h`;
}

/** "yours is next", "1 contact is ahead of yours", "1,200 contacts are ahead of yours" */
export function aheadOfYours(ahead: number): string {
  if (ahead === 0) return 'yours is next';
  return ahead === 1 ? '1 contact is ahead of yours' : `${ahead.toLocaleString('en-US')} contacts are ahead of yours`;
}

/** What a request came to, in a few words: "Created", "Being deleted", "Not updated: the number belongs to another contact". */
export function statusInWords(row: Pick<RequestRow, 'operation' | 'status'> & { contactDeleted?: boolean }): string {
  const done = DONE[row.operation];
  switch (row.status) {
    case 'pending':
      return `Being ${done}`;
    case 'created':
    case 'updated':
      return row.contactDeleted ? `${capitalised(row.status)}, deleted since` : capitalised(row.status);
    case 'deleted':
      return 'Deleted';
    case 'duplicate':
      return `Not ${done}: the number ${row.operation === 'create' ? 'is already a contact' : 'belongs to another contact'}`;
    case 'rejected':
      return `Not ${done}: the contacts service refused it`;
    case 'unauthorized':
      return `Not ${done}: the contacts service refused the bot's credentials`;
    case 'failed':
      return `Not ${done}: the contacts service did not answer`;
    case 'cancelled':
      return `Not ${done}: its import was cancelled`;
  }
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * One request on one line, for `npm run cli -- history`: id, when, where from, who, what it asks (create, update,
 * delete), status, name, number, and the contact it made or changes.
 */
export function historyLine(row: RequestRow, style: ReportStyle): string {
  const fields = [`#${row.id}`, style.time(row.createdAt), row.source, row.userId, row.operation, row.status.padEnd(12), fullName(row)];
  return [...fields, formatNumber(row), row.contactId ?? row.targetContactId ?? ''].join('  ').trimEnd();
}

/** `+91 98765 43210 ext. 12` */
export function formatNumber(row: Pick<RequestRow, 'phoneE164' | 'extension'>): string {
  const international = formatE164(row.phoneE164);
  return row.extension ? `${international} ext. ${row.extension}` : international;
}
