import type { ServerResponse } from 'node:http';
import { parse } from 'node:querystring';
import type { HTTPReceiver } from '@slack/bolt';
import { readBody } from '../read-body.js';

/** Slack's payloads are small; anything bigger is refused before it is parsed. */
export const BODY_LIMIT = 256 * 1024;

/**
 * Reads each POST body once, before Bolt does, and answers 413 or 400 for bodies Bolt would crash on
 * (`payload=null` makes its receiver throw outside any handler). Bolt reuses the buffered `rawBody`.
 */
export function guardReceiver(receiver: HTTPReceiver): void {
  const handle = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    if (req.method !== 'POST') return handle(req, res);
    void readBody(req, BODY_LIMIT).then(
      (body) => {
        if (body === undefined) return refuse(res, 413);
        if (!describesAnObject(body.toString('utf8'), req.headers['content-type'])) return refuse(res, 400);
        Object.assign(req, { rawBody: body });
        handle(req, res);
      },
      () => refuse(res, 400),
    );
  };
}

/** Bolt parses the body itself; here it is enough that a JSON body or payload opens an object. */
function describesAnObject(text: string, contentType: string | undefined): boolean {
  const json = contentType?.startsWith('application/json') ? text : parse(text).payload;
  if (json === undefined) return true;
  return typeof json === 'string' && json.trimStart().startsWith('{');
}


function refuse(res: ServerResponse, status: number): void {
  if (!res.headersSent) res.writeHead(status, { connection: 'close' }).end();
}
