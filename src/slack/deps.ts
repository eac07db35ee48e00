import type { CountryCode } from 'libphonenumber-js/max';
import type { Delivery } from '../audit/delivery.js';
import type { Db } from '../database.js';

/** What the Slack listeners need from the rest of the app. */
export interface SlackDeps {
  db: Db;
  delivery: Pick<Delivery, 'accept' | 'deliverNow'>;
  defaultCountry: CountryCode;
  /** Unset: everyone in the workspace may create contacts. */
  allowedUserIds?: ReadonlySet<string>;
  /** Origins (scheme, host, port) the bot token may be sent to when downloading a shared file. */
  fileOrigins: ReadonlySet<string>;
}

/** True when this user may create contacts. */
export function mayCreateContacts(deps: SlackDeps, userId: string): boolean {
  return !deps.allowedUserIds || deps.allowedUserIds.has(userId);
}

/** What a user outside `ALLOWED_USER_IDS` is told. */
export const NOT_ALLOWED =
  "Sorry, you're not on the list of people who can create contacts with this app. Ask your Slack admin if you need access.";
