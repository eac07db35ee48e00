import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Db } from '../../src/database.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';

/** The identity the bench's emulator accepts and the product is configured with. */
export const BENCH_IDENTITY = {
  streamId: 'st-bench',
  accountId: 'bench-account',
  clientId: 'cs-bench',
  clientSecret: 'bench-client-secret-0123456789abcdef',
  enforceJti: false,
};

/** The emulator in this process, optionally behind a proxy that holds every call `delayMs` before passing it on. */
export interface BenchEndpoint {
  url: string;
  /** KORE_* settings that point the product here. */
  env: Record<string, string>;
  /** E.164 → how long the endpoint took to answer the call that carried it (delay + emulator), in ms. */
  durations: Map<string, number>;
  /** Contacts the emulator answered as created. */
  created(): number;
  close(): Promise<void>;
}

export async function startBenchEndpoint(db: Db, delayMs?: number): Promise<BenchEndpoint> {
  // The app keeps no shared call budget yet (issue 10), so the bench's endpoint does not enforce the vendor's 60 calls a
  // minute: these scenarios measure the app's own cost, not the vendor's limit.
  const emulator: Emulator = await startEmulator({ db, identity: BENCH_IDENTITY, callsPerMinute: Number.MAX_SAFE_INTEGER });
  const durations = new Map<string, number>();
  let created = 0;
  const env = (url: string) => ({
    KORE_HOST: url,
    KORE_STREAM_ID: BENCH_IDENTITY.streamId,
    KORE_ACCOUNT_ID: BENCH_IDENTITY.accountId,
    KORE_CLIENT_ID: BENCH_IDENTITY.clientId,
    KORE_CLIENT_SECRET: BENCH_IDENTITY.clientSecret,
  });
  if (delayMs === undefined) {
    return { url: emulator.url, env: env(emulator.url), durations, created: () => Number.NaN, close: () => emulator.close() };
  }

  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(emulator.url);
  const proxy = createServer((req, res) => {
    const t0 = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      setTimeout(() => {
        const headers: Record<string, string> = {};
        for (const name of ['auth', 'accountid', 'content-type'] as const) {
          const value = req.headers[name];
          if (typeof value === 'string') headers[name] = value;
        }
        headers['content-length'] = String(body.length);
        const upstream = request(
          { host: target.hostname, port: target.port, path: req.url, method: req.method, headers, agent },
          (answer) => {
            const parts: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => parts.push(chunk));
            answer.on('end', () => {
              const text = Buffer.concat(parts);
              res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' }).end(text);
              const took = performance.now() - t0;
              try {
                for (const c of JSON.parse(body.toString('utf8')) as { cellPhone: { countryCode: string; phoneNumber: string } }[]) {
                  durations.set(c.cellPhone.countryCode + c.cellPhone.phoneNumber, took);
                }
                if (answer.statusCode === 200) created += (JSON.parse(text.toString('utf8')) as unknown[]).length;
              } catch {
                // not the JSON we expected: nothing to record
              }
            });
          },
        );
        upstream.on('error', () => res.writeHead(502).end('{"errors":[{"msg":"proxy could not reach the emulator"}]}'));
        upstream.end(body);
      }, delayMs);
    });
  });
  proxy.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return {
    url,
    env: env(url),
    durations,
    created: () => created,
    close: async () => {
      await new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        proxy.closeAllConnections();
      });
      agent.destroy();
      await emulator.close();
    },
  };
}
