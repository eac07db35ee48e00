import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import type { CountryCode } from 'libphonenumber-js/max';
import type { Contact } from '../../src/contact/contact.js';
import { validateContact, type ContactInput } from '../../src/contact/validate.js';

/** One request a loopback server received, body read in full. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A tiny HTTP server on 127.0.0.1 that records what it is sent and answers as the test says. */
export interface Loopback {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** Starts a server that reads each request's body, records it, then hands it to `answer`. */
export async function loopback(answer: (res: ServerResponse, req: IncomingMessage, received: Received) => void): Promise<Loopback> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      answer(res, req, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Answers with a status, a JSON (or raw string) body and headers. */
export function reply(status: number, body: unknown, headers: Record<string, string> = {}) {
  return (res: ServerResponse) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json', ...headers }).end(text);
  };
}

/** A contact as the app would send it, through the real validation. */
export function contact(input: ContactInput, defaultCountry: CountryCode = 'US'): Contact {
  const checked = validateContact(input, defaultCountry);
  if (!checked.ok) throw new Error(`test contact is invalid: ${JSON.stringify(checked.errors)}`);
  return checked.contact;
}

let serial = 0;
/** A valid Indian mobile number not used before in this test file, written as a person would type it. */
export function freshIndianNumber(): string {
  serial += 1;
  const digits = String(9_812_345_600 + serial);
  return `+91 ${digits.slice(0, 5)} ${digits.slice(5)}`;
}

/** Starts loopback endpoints for one describe block, and closes them all after it. */
export function loopbackServers(): (answer: Parameters<typeof loopback>[0]) => Promise<Loopback> {
  const servers: Loopback[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));
  return async (answer) => {
    const server = await loopback(answer);
    servers.push(server);
    return server;
  };
}
