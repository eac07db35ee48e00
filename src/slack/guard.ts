import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse } from 'node:querystring';
import { ErrorCode, type HTTPReceiver, type Logger } from '@slack/bolt';
import { BodyStalledError, readBody } from '../read-body.js';

/** Slack's payloads are small; anything bigger is refused before it is parsed. */
export const BODY_LIMIT = 256 * 1024;
/** Slack signs each request with the time it was sent; Bolt refuses one older than this, and so does the guard. */
const TIMESTAMP_TOLERANCE_S = 5 * 60;
/** The most of a request's path a log line carries (the path is the sender's to choose, of any length). */
const LOGGED_PATH = 200;

/**
 * Answers every request Bolt's receiver would leave hanging or crash on, and holds no socket for a sender that does
 * not say who it is. A POST to `endpoint` without Slack's signature headers, or signed more than five minutes from
 * now, is refused 401 before any of its body is read (Bolt would buffer 256 KiB first). Otherwise the guard reads
 * the body once, before Bolt does, giving up on one that stops arriving for `bodyIdleMs` (408), and answers 413 or
 * 400 for bodies Bolt would crash on (`payload=null` makes its receiver throw outside any handler); Bolt reuses the
 * buffered `rawBody` and checks the signature itself. Every other request goes to Bolt at once, inside a try/catch
 * of the guard's own: Bolt throws for a path it has no route for and for a URL it cannot parse (`POST //[`).
 */
export function guardReceiver(receiver: HTTPReceiver, log: Logger, endpoint: string, bodyIdleMs: number): void {
  const handle = receiver.requestListener;
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    try {
      handle(req, res);
    } catch (error) {
      answerUnhandled(error, req, res, log);
    }
  };
  receiver.requestListener = (req, res) => {
    if (req.method !== 'POST' || pathOf(req.url) !== endpoint) return dispatch(req, res);
    if (!signedRecently(req, Date.now())) {
      log.debug({ path: loggedPath(req.url) }, 'unsigned or stale request refused before its body');
      return refuse(res, 401);
    }
    readBody(req, BODY_LIMIT, bodyIdleMs)
      .then(
        (body) => {
          if (body === undefined) return refuse(res, 413);
          if (!describesAnObject(body.toString('utf8'), req.headers['content-type'])) return refuse(res, 400);
          Object.assign(req, { rawBody: body });
          dispatch(req, res);
        },
        (error: unknown) => refuse(res, error instanceof BodyStalledError ? 408 : 400),
      )
      .catch((error: unknown) => answerUnhandled(error, req, res, log));
  };
}

/** The path of a request URL; undefined for one that does not parse (Bolt answers those through `dispatch`). */
function pathOf(url: string | undefined): string | undefined {
  if (!URL.canParse(url ?? '', 'http://localhost')) return undefined;
  return new URL(url ?? '', 'http://localhost').pathname;
}

/** Both of Slack's signature headers are there, and the timestamp is within five minutes of `now` (ms). */
function signedRecently(req: IncomingMessage, now: number): boolean {
  const signature = req.headers['x-slack-signature'];
  const timestamp = Number(req.headers['x-slack-request-timestamp']);
  return (
    typeof signature === 'string' &&
    signature !== '' &&
    Number.isInteger(timestamp) &&
    Math.abs(now / 1000 - timestamp) <= TIMESTAMP_TOLERANCE_S
  );
}

function loggedPath(url: string | undefined): string | undefined {
  return url && url.length > LOGGED_PATH ? `${url.slice(0, LOGGED_PATH)}…` : url;
}

/** Bolt parses the body itself; here it is enough that a JSON body or payload opens an object. */
function describesAnObject(text: string, contentType: string | undefined): boolean {
  const json = contentType?.startsWith('application/json') ? text : parse(text).payload;
  if (json === undefined) return true;
  return typeof json === 'string' && json.trimStart().startsWith('{');
}

/** 404 for a path with no route; 400 for anything else Bolt threw on before answering (a URL it cannot parse). */
function answerUnhandled(error: unknown, req: IncomingMessage, res: ServerResponse, log: Logger): void {
  const noRoute = (error as { code?: unknown } | null)?.code === ErrorCode.HTTPReceiverDeferredRequestError;
  if (noRoute) log.debug({ method: req.method, path: loggedPath(req.url) }, 'no such route');
  else log.warn({ method: req.method, path: loggedPath(req.url), err: error }, 'malformed HTTP request');
  refuse(res, noRoute ? 404 : 400);
}

/** Answers and closes the connection; a response already under way is cut off, so the socket never lingers. */
function refuse(res: ServerResponse, status: number): void {
  if (!res.headersSent) res.writeHead(status, { connection: 'close' }).end();
  else if (!res.writableEnded) res.destroy();
}
