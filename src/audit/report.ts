import type { Db } from '../database.js';
import { formatE164 } from '../contact/phone.js';
import { earlierCreation, type RequestRow } from './requests.js';
import { fullName } from '../contact/contact.js';

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

/** Describes a request's state (settled, or waiting for a retry when `queued`) for the person who made it. */
export async function reportRequest(db: Db, row: RequestRow, style: ReportStyle, queued = false): Promise<Report> {
  const number = style.strong(formatNumber(row));
  const name = style.text(fullName(row));
  const messages = (row.error?.messages ?? []).map(style.text);
  if (queued) {
    return {
      title: 'Your contact is queued',
      lines: [
        `The contacts endpoint is not answering right now, so ${name} (${number}) will be sent again automatically.`,
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
      const earlier = await earlierCreation(db, row.phoneE164);
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
