import type { SlackFile } from './message-card.js';

const MAX_BYTES = 512 * 1024;
const TIMEOUT_MS = 5_000;

/** A vCard file's text, downloaded with the bot token (`files:read`); throws with a reason a user can read. */
export async function downloadVCard(file: SlackFile, botToken: string, fileHosts: ReadonlySet<string>): Promise<string> {
  const url = file.url_private_download ?? file.url_private;
  if (!url) throw new Error('the file has no download link');
  // The link comes from the payload: the token goes only to Slack's own file host, and never on via a redirect.
  if (!URL.canParse(url) || !fileHosts.has(new URL(url).host)) throw new Error('the file is not on Slack');
  if ((file.size ?? 0) > MAX_BYTES) throw new Error('the file is too large for a contact card');
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${botToken}` },
    redirect: 'error',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`Slack answered ${res.status}`);
  if ((res.headers.get('content-type') ?? '').includes('text/html')) throw new Error('Slack did not let the bot read the file');
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.byteLength > MAX_BYTES) throw new Error('the file is too large for a contact card');
  return decode(bytes);
}

/** UTF-8 when it is; otherwise the Windows Latin-1 that older phones export. */
function decode(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
