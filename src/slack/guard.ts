import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse } from 'node:querystring';
import { ErrorCode, type HTTPReceiver, type Logger } from '@slack/bolt';
import { readBody } from '../read-body.js';

/** Slack's payloads are small; anything bigger is refused before it is parsed. */
export const BODY_LIMIT = 256 * 1024;

/**
 * Answers every request Bolt's receiver would leave hanging or crash on. It reads each POST body once, before Bolt
 * does, and answers 413 or 400 for bodies Bolt would crash on (`payload=null` makes its receiver throw outside any
 * handler); Bolt reuses the buffered `rawBody`. And it calls Bolt's listener inside a try/catch of its own: Bolt
 * throws for a path it has no route for and for a URL it cannot parse (`POST //[`), and here that runs after the
 * body is read, outside the try/catch Bolt's own server puts around it.
 */
export function guardReceiver(receiver: HTTPReceiver, log: Logger): void {
  const handle = receiver.requestListener;
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    try {
      handle(req, res);
    } catch (error) {
      answerUnhandled(error, req, res, log);
    }
  };
  receiver.requestListener = (req, res) => {
    if (req.method !== 'POST') return dispatch(req, res);
    readBody(req, BODY_LIMIT)
      .then(
        (body) => {
          if (body === undefined) return refuse(res, 413);
          if (!describesAnObject(body.toString('utf8'), req.headers['content-type'])) return refuse(res, 400);
          Object.assign(req, { rawBody: body });
          dispatch(req, res);
        },
        () => refuse(res, 400),
      )
      .catch((error: unknown) => answerUnhandled(error, req, res, log));
  };
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
  if (noRoute) log.debug({ method: req.method, path: req.url }, 'no such route');
  else log.warn({ method: req.method, path: req.url, err: error }, 'malformed HTTP request');
  refuse(res, noRoute ? 404 : 400);
}

/** Answers and closes the connection; a response already under way is cut off, so the socket never lingers. */
function refuse(res: ServerResponse, status: number): void {
  if (!res.headersSent) res.writeHead(status, { connection: 'close' }).end();
  else if (!res.writableEnded) res.destroy();
}
