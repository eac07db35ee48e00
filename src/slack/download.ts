import type { SlackFile } from './message-card.js';
import { decodeText } from '../contact/text-encoding.js';
import { readResponseBody } from '../read-body.js';

/** A card file is read as a stream and refused once it passes this. */
const CARD_FILE_LIMIT = 256 * 1024;
const TIMEOUT_MS = 5_000;

/** How much of a kind of file is read, and how a bigger one is named when it is refused. */
export interface FileLimit {
  bytes: number;
  tooLarge: string;
}

export const CARD_FILE: FileLimit = { bytes: CARD_FILE_LIMIT, tooLarge: 'the card file is larger than 256 KiB' };

/** Where the bot token may go: Slack's file host over https, and in tests or behind a proxy `SLACK_API_URL`'s origin. */
export function slackFileOrigins(apiUrl?: string): ReadonlySet<string> {
  return new Set(['https://files.slack.com', ...(apiUrl ? [new URL(apiUrl).origin] : [])]);
}

/** A vCard file's text, downloaded with the bot token (`files:read`); throws with a reason a user can read. */
export async function downloadVCard(file: SlackFile, botToken: string, fileOrigins: ReadonlySet<string>): Promise<string> {
  return decodeText(await downloadFile(file, botToken, fileOrigins, CARD_FILE));
}

/** A shared file's bytes, up to `limit`, downloaded with the bot token (`files:read`); throws with a reason a user can read. */
export async function downloadFile(
  file: SlackFile,
  botToken: string,
  fileOrigins: ReadonlySet<string>,
  limit: FileLimit,
): Promise<Uint8Array> {
  const url = file.url_private_download ?? file.url_private;
  if (!url) throw new Error('the file has no download link');
  // The link comes from the payload: the token goes only to Slack's own origin (scheme, host and port), never on via
  // a redirect, and never in the clear to a host that merely has Slack's name.
  if (!URL.canParse(url) || !fileOrigins.has(new URL(url).origin)) throw new Error('the file is not on Slack');
  if (typeof file.size === 'number' && file.size > limit.bytes) throw new Error(limit.tooLarge);
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${botToken}` },
    redirect: 'error',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) {
    await res.body?.cancel();
    throw new Error(res.ok ? 'Slack did not let the bot read the file' : `Slack answered ${res.status}`);
  }
  // The size in the payload may lie: the download is cancelled once it passes the limit.
  const bytes = await readResponseBody(res, limit.bytes);
  if (bytes === undefined) throw new Error(limit.tooLarge);
  return bytes;
}
