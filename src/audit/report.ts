import type { Db } from '../database.js';
import { formatE164 } from '../contact/phone.js';
import { earlierCreation, type RequestRow } from './requests.js';
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

/** What the user is told about a request: a title and lines, in the product's words. */
export interface Report {
  title: string;
  lines: string[];
}

/** What a report reads besides the request: the audit trail, and the call budget for how long a queued request waits. */
export interface ReportDeps extends BudgetPace {
  db: Db;
}

/** Describes a request's state (settled, or waiting for a retry when `queued`) for the person who made it. */
export async function reportRequest(deps: ReportDeps, row: RequestRow, style: ReportStyle, queued = false): Promise<Report> {
  const number = style.strong(formatNumber(row));
  const name = style.text(fullName(row));
  const messages = (row.error?.messages ?? []).map(style.text);
  if (queued) {
    return {
      title: 'Your contact is queued',
      lines: [
        whyQueued(await readWait(deps.db, row.id, deps), `${name} (${number})`),
        row.reply.kind === 'cli'
          ? 'It waits in the audit trail; a running contact bot sends it (see `npm run cli -- history`).'
          : "You'll get a message here with the outcome.",
      ],
    };
  }
  switch (row.status) {
    case 'created':
      return {
        title: 'Contact created',
        lines: [`${style.strong(name)} · ${number}`, `Contact ID: ${style.strong(style.text(row.contactId ?? ''))}`],
      };
    case 'updated':
      return {
        title: 'Contact updated',
        lines: [`${style.strong(name)} · ${number}`, `Contact ID: ${style.strong(style.text(row.contactId ?? ''))}`],
      };
    case 'deleted':
      return {
        title: 'Contact deleted',
        lines: [`${style.strong(name)} · ${number}`, `Contact ID: ${style.strong(style.text(row.contactId ?? ''))}`],
      };
    case 'duplicate': {
      const lines = [`${number} already belongs to a contact, so ${name} was not created.`];
      const earlier = await earlierCreation(deps.db, row.phoneE164);
      if (earlier)
        lines.push(
          `It was created through this app by ${style.user(earlier.userId)} on ${style.time(earlier.settledAt ?? earlier.createdAt)}.`,
        );
      else if (row.error?.afterUncertainAttempt) {
        lines.push(
          'An earlier attempt of this same request most likely created it just before the endpoint stopped answering: check the contacts store before adding it again.',
        );
      }
      return { title: 'That number is already a contact', lines };
    }
    case 'rejected':
      return { title: 'The contacts endpoint refused this contact', lines: [`${name} · ${number}`, ...messages.map((m) => `• ${m}`)] };
    case 'unauthorized':
      return {
        title: 'The bot is misconfigured',
        lines: [
          `The contacts endpoint did not accept the bot's credentials, so ${name} was not created.`,
          "Please tell your Slack admin; the details are in the bot's logs.",
        ],
      };
    case 'failed':
      return {
        title: 'The contact could not be created',
        lines: [
          `The contacts endpoint did not answer after ${row.attempts} attempts, so ${name} (${number}) was not created.`,
          ...messages.map((m) => `• ${m}`),
        ],
      };
    default:
      return { title: 'Creating the contact…', lines: [`${name} · ${number}`] };
  }
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
  }
}

const DONE: Record<RequestRow['operation'], string> = { create: 'created', update: 'updated', delete: 'deleted' };

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** One request on one line, for `npm run cli -- history`: id, when, where from, who, status, name, number, contact. */
export function historyLine(row: RequestRow, style: ReportStyle): string {
  const fields = [`#${row.id}`, style.time(row.createdAt), row.source, row.userId, row.status.padEnd(12), fullName(row), formatNumber(row)];
  return [...fields, row.contactId ?? ''].join('  ').trimEnd();
}

/** `+91 98765 43210 ext. 12` */
export function formatNumber(row: Pick<RequestRow, 'phoneE164' | 'extension'>): string {
  const international = formatE164(row.phoneE164);
  return row.extension ? `${international} ext. ${row.extension}` : international;
}
