import type { KoreEndpoint } from './endpoint.js';
import { tokenSource } from './token.js';
import { readResponseBody } from '../read-body.js';

/**
 * Why a call got no HTTP answer. `refused`, `unresolved` and `unreachable` never connected, so the endpoint cannot have
 * acted on the call; after a `timeout` or a `reset` (or an error we cannot place: `other`) it may have.
 */
export type TransportCause = 'refused' | 'unresolved' | 'unreachable' | 'timeout' | 'reset' | 'other';

/** What one HTTP call to the endpoint came to: its answer, or why there was none. */
export type Answer =
  | { answered: true; status: number; body: unknown; retryAfter: string | null }
  /** No usable answer: no HTTP answer at all (`cause` says why), or one cut off (`status` says what had begun). */
  | { answered: false; message: string; cause?: TransportCause; status?: number };

/** One call: the method, the path under `…/public/{streamId}/contacts`, and the JSON body if any. */
export interface Call {
  method: 'POST' | 'PUT' | 'DELETE';
  path?: string;
  body?: unknown;
}

/** The endpoint is not trusted for size: an answer longer than this is cut off and taken as no answer. */
export const ANSWER_LIMIT = 4 * 1024 * 1024;

/** One call to the contacts endpoint; always resolves. */
export type EndpointRequest = (call: Call) => Promise<Answer>;

/** Makes calls to the contacts endpoint: signed (JWT), with the account header, within `timeoutMs` (answer included). */
export function endpointRequest(endpoint: KoreEndpoint, opts: { timeoutMs?: number; answerLimit?: number } = {}): EndpointRequest {
  const token = tokenSource(endpoint);
  const base = `${endpoint.host}/agentassist/api/v1/public/${encodeURIComponent(endpoint.streamId)}/contacts`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const limit = opts.answerLimit ?? ANSWER_LIMIT;
  return async (call) => {
    try {
      const response = await fetch(base + (call.path ?? ''), {
        method: call.method,
        headers: {
          auth: await token(),
          accountId: endpoint.accountId,
          ...(call.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const { status } = response;
      const bytes = await readResponseBody(response, limit);
      if (bytes === undefined) {
        return { answered: false, status, message: `The endpoint answered more than ${limit} bytes.` };
      }
      return { answered: true, status, body: parseBody(bytes.toString('utf8')), retryAfter: response.headers.get('retry-after') };
    } catch (error) {
      return transportFailure(error, timeoutMs);
    }
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
function transportFailure(error: unknown, timeoutMs: number): { answered: false; cause: TransportCause; message: string } {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return { answered: false, cause: 'timeout', message: `No answer within ${timeoutMs} ms.` };
  }
  const inner = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (inner as { code?: unknown })?.code;
  const message = `Could not reach the contacts endpoint${typeof code === 'string' ? ` (${code})` : ''}.`;
  return { answered: false, cause: typeof code === 'string' ? (CAUSES[code] ?? 'other') : 'other', message };
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
