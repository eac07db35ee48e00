import { describe, expect, it } from 'vitest';
import type { KoreEndpoint } from '../../src/kore/endpoint.js';
import { ANSWER_LIMIT, endpointRequest } from '../../src/kore/request.js';
import { loopback, loopbackServers, reply } from './loopback.js';

const endpoint = (host: string): KoreEndpoint => ({
  host,
  streamId: 'st-request',
  accountId: 'acc-request',
  clientId: 'cs-request',
  clientSecret: 'request-test-secret-0123456789abcdef',
  enforceJti: false,
});

describe('endpointRequest', () => {
  const serve = loopbackServers();

  it('reads an answer up to the limit', async () => {
    const server = await serve(reply(200, 'x'.repeat(1000)));
    const answer = await endpointRequest(endpoint(server.url), { answerLimit: 1000 })({ method: 'POST', body: [] });
    expect(answer).toMatchObject({ answered: true, status: 200, body: 'x'.repeat(1000) });
  });

  // The endpoint is not trusted for size: an answer that never ends must neither fill memory nor wait for the timeout.
  it('stops reading an answer that never ends once it passes the limit, and takes it as no answer', async () => {
    const server = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const more = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', more);
      };
      more();
    });
    const answer = await endpointRequest(endpoint(server.url), { timeoutMs: 60_000 })({ method: 'POST', body: [] });
    expect(answer).toEqual({ answered: false, status: 200, message: `The endpoint answered more than ${ANSWER_LIMIT} bytes.` });
  });

  it('names a refused connection as such', async () => {
    const server = await loopback(reply(200, []));
    await server.close();
    const answer = await endpointRequest(endpoint(server.url))({ method: 'DELETE', path: '/c-1' });
    expect(answer).toEqual({ answered: false, cause: 'refused', message: 'Could not reach the contacts endpoint (ECONNREFUSED).' });
  });
});
