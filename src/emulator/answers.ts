import type { ServerResponse } from 'node:http';

/** What the emulator answers one call: a status, a JSON body, and any headers. */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The vendor's error body: `{ errors: [{ msg, code }] }`. */
export function errors(status: number, msg: string, code: string): Answer {
  return { status, body: { errors: [{ msg, code }] } };
}

export function duplicate(phone: string): Answer {
  return errors(409, `A contact with phone number ${phone} already exists`, 'DUPLICATE_PHONE_NUMBER');
}

export function notFound(): Answer {
  return errors(404, 'Contact not found', 'NOT_FOUND');
}

/** The vendor's text when an account's calls pass its per-minute limit. */
export const RATE_LIMIT_TEXT = "You've exceeded the per-minute rate limit. Please wait for sometime before retrying.";

export function rateLimited(waitMs: number): Answer {
  const seconds = String(Math.max(1, Math.ceil(waitMs / 1000)));
  return { ...errors(429, RATE_LIMIT_TEXT, 'RATE_LIMIT_EXCEEDED'), headers: { 'retry-after': seconds } };
}

export function send(res: ServerResponse, answer: Answer): void {
  if (res.headersSent) return;
  res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body));
}
