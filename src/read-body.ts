import type { IncomingMessage } from 'node:http';

/** How long a request body may go without a byte arriving before it is given up. */
export const BODY_IDLE_MS = 5_000;

/** Thrown when a body stops arriving: the sender stalled, and its socket should not be held any longer. */
export class BodyStalledError extends Error {
  readonly code = 'BODY_STALLED';
  constructor(idleMs: number) {
    super(`no part of the request body arrived for ${idleMs} ms`);
    this.name = 'BodyStalledError';
  }
}

/**
 * A request's body, or undefined once it passes `limit` bytes (the rest is drained, not kept). Rejects with
 * `BodyStalledError` when no byte arrives for `idleMs`.
 */
export function readBody(req: IncomingMessage, limit: number, idleMs = BODY_IDLE_MS): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const idle = setTimeout(() => {
      req.removeAllListeners('data');
      reject(new BodyStalledError(idleMs));
    }, idleMs);
    req.on('data', (chunk: Buffer) => {
      idle.refresh();
      size += chunk.length;
      if (size > limit) {
        clearTimeout(idle);
        req.removeAllListeners('data').resume();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(idle);
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      clearTimeout(idle);
      reject(error);
    });
  });
}

/** A fetched answer's body, read as it streams in; undefined (and the rest cancelled) once it passes `limit` bytes. */
export async function readResponseBody(response: Response, limit: number): Promise<Buffer | undefined> {
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) return Buffer.concat(chunks, size);
    size += next.value.byteLength;
    if (size > limit) {
      await reader?.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(next.value);
  }
}
