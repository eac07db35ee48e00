import type { Contact, Phone } from '../contact/contact.js';
import { classifyAnswer, type Outcome, type TransportCause } from './outcome.js';
import { tokenSource, type KoreIdentity } from './token.js';

/** Where the contacts endpoint lives and who we are to it. */
export interface KoreEndpoint extends KoreIdentity {
  host: string;
  streamId: string;
  accountId: string;
}

/** One contact as the endpoint's request body carries it. */
export interface KoreContactBody {
  firstName: string;
  lastName: string;
  salutation: string;
  cellPhone: { phoneNumber: string; countryCode: string; extension: string };
}

/** The parts of a contact the endpoint is sent. */
export type ContactToSend = Pick<Contact, 'salutation' | 'firstName' | 'lastName'> & {
  phone: Pick<Phone, 'nationalNumber' | 'countryCode' | 'extension'>;
};

/** Creates contacts at the endpoint; always resolves to an `Outcome`. */
export type CreateContacts = (contacts: readonly ContactToSend[]) => Promise<Outcome>;

/** Builds the request body for one contact, per SPEC §2. */
export function contactBody(contact: ContactToSend, defaultExtension: string): KoreContactBody {
  return {
    firstName: contact.firstName,
    lastName: contact.lastName,
    salutation: contact.salutation ?? '',
    cellPhone: {
      phoneNumber: contact.phone.nationalNumber,
      countryCode: contact.phone.countryCode,
      extension: contact.phone.extension ?? defaultExtension,
    },
  };
}

/** A client for `POST …/contacts` with a per-call timeout. */
export function koreClient(
  endpoint: KoreEndpoint,
  opts: { defaultExtension: string; timeoutMs?: number },
): CreateContacts {
  const token = tokenSource(endpoint);
  const url = `${endpoint.host}/agentassist/api/v1/public/${encodeURIComponent(endpoint.streamId)}/contacts`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return async (contacts) => {
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { auth: await token(), accountId: endpoint.accountId, 'Content-Type': 'application/json' },
        body: JSON.stringify(contacts.map((c) => contactBody(c, opts.defaultExtension))),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      return transportFailure(error, timeoutMs);
    }
    return classifyAnswer(response.status, parseBody(text), response.headers.get('retry-after'));
  };
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A call that got no HTTP answer, with why in the endpoint's words and as a `TransportCause`. */
function transportFailure(error: unknown, timeoutMs: number): Outcome {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return { kind: 'unavailable', messages: [`No answer within ${timeoutMs} ms.`], cause: 'timeout' };
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown })?.code;
  const message = `Could not reach the contacts endpoint${typeof code === 'string' ? ` (${code})` : ''}.`;
  return { kind: 'unavailable', messages: [message], cause: typeof code === 'string' ? (CAUSES[code] ?? 'other') : 'other' };
}

/** Node's and undici's error codes, by what they say about the call. */
const CAUSES: Record<string, TransportCause> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'unresolved',
  EAI_AGAIN: 'unresolved',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'unreachable',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  ETIMEDOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
};
