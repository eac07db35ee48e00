import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Db } from '../../src/database.js';
import { startEmulator, VENDOR_CALLS_PER_MINUTE, type Emulator } from '../../src/emulator/server.js';

/** The identity the bench's emulator accepts and the product is configured with. */
export const BENCH_IDENTITY = {
  streamId: 'st-bench',
  accountId: 'bench-account',
  clientId: 'cs-bench',
  clientSecret: 'bench-client-secret-0123456789abcdef',
  enforceJti: false,
};

/** A call limit no run of the bench reaches: for the endpoint's limit and `KORE_RATE_LIMIT_PER_MIN` alike. */
export const UNLIMITED_CALLS = 1_000_000_000;

/** One call as the proxy saw it: when it arrived and was answered (performance.now()), and how. */
export interface EndpointCall {
  at: number;
  answeredAt: number;
  status: number;
  /** Contacts in the call's body. */
  sent: number;
  /** Contacts in a 2xx answer. */
  created: number;
}

/** The emulator in this process, optionally behind a proxy that sees every call. */
export interface BenchEndpoint {
  url: string;
  /** KORE_* settings that point the product here. */
  env: Record<string, string>;
  /** Proxy only: E.164 → how long the endpoint took to answer the call that carried it (delay + emulator), in ms. */
  durations: Map<string, number>;
  /** Proxy only: every call, in the order they were answered. */
  calls: EndpointCall[];
  /** Proxy only: contacts the endpoint answered as created. */
  created(): number;
  /** Proxy only: while down, the proxy answers every call 503 itself, as an endpoint in an outage; the emulator sees none. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export interface BenchEndpointOptions {
  /** The emulator's limit, calls per rolling minute: the vendor's 60 unless a scenario lifts it. */
  callsPerMinute?: number;
  /** Puts a proxy in front that holds every call this long (0: passes it on at once) and logs it. */
  delayMs?: number;
}

const OUTAGE = '{"errors":[{"msg":"Service Unavailable","code":"SERVICE_UNAVAILABLE"}]}';

export async function startBenchEndpoint(db: Db, opts: BenchEndpointOptions = {}): Promise<BenchEndpoint> {
  const emulator: Emulator = await startEmulator({
    db,
    identity: BENCH_IDENTITY,
    callsPerMinute: opts.callsPerMinute ?? VENDOR_CALLS_PER_MINUTE,
  });
  const durations = new Map<string, number>();
  const calls: EndpointCall[] = [];
  let created = 0;
  let down = false;
  const env = (url: string) => ({
    KORE_HOST: url,
    KORE_STREAM_ID: BENCH_IDENTITY.streamId,
    KORE_ACCOUNT_ID: BENCH_IDENTITY.accountId,
    KORE_CLIENT_ID: BENCH_IDENTITY.clientId,
    KORE_CLIENT_SECRET: BENCH_IDENTITY.clientSecret,
  });
  const { delayMs } = opts;
  if (delayMs === undefined) {
    const noProxy = () => {
      throw new Error('the bench endpoint has no proxy: give it a delayMs');
    };
    return {
      url: emulator.url,
      env: env(emulator.url),
      durations,
      calls,
      created: () => Number.NaN,
      setDown: noProxy,
      close: () => emulator.close(),
    };
  }

  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(emulator.url);
  const log = (at: number, status: number, body: Buffer, answer?: Buffer) => {
    const answeredAt = performance.now();
    let sent = 0;
    let made = 0;
    try {
      const contacts = JSON.parse(body.toString('utf8')) as { cellPhone: { countryCode: string; phoneNumber: string } }[];
      sent = contacts.length;
      if (answer) for (const c of contacts) durations.set(c.cellPhone.countryCode + c.cellPhone.phoneNumber, answeredAt - at);
      if (answer && status >= 200 && status < 300) made = (JSON.parse(answer.toString('utf8')) as unknown[]).length;
    } catch {
      // not the JSON we expected: the call is logged with what could be read
    }
    created += made;
    calls.push({ at, answeredAt, status, sent, created: made });
  };
  const proxy = createServer((req, res) => {
    const t0 = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (down) {
        res.writeHead(503, { 'content-type': 'application/json' }).end(OUTAGE);
        log(t0, 503, body);
        return;
      }
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
              const status = answer.statusCode ?? 502;
              const retryAfter = answer.headers['retry-after'];
              res.writeHead(status, { 'content-type': 'application/json', ...(retryAfter ? { 'retry-after': retryAfter } : {}) }).end(text);
              log(t0, status, body, text);
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
    calls,
    created: () => created,
    setDown(value) {
      down = value;
    },
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
