import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestBot, SIGNING_SECRET, type TestBot } from '../support/bot.js';
import { testTargets } from '../support/databases.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { rawGet, rawPost, signedHeaders, sleep } from './harness.js';
import { killAllSpawned, spawnApp } from './processes.js';

// Real databases on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

/** Malformed HTTP to the app's receiver: oversized, unparseable, unrouted or stale requests are answered and closed. */

const form = (fields: [string, string][]) => fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

/** Sends raw bytes on a TCP connection and collects what comes back until the server closes it (or `timeoutMs`). */
function rawExchange(url: string, request: string, timeoutMs = 10_000): Promise<{ answer: string; closed: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), closed: false });
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), closed: true });
    });
    socket.write(request);
  });
}

describe.each(testTargets())('malformed HTTP to the app on $name', (target) => {
  let slack: FakeSlack;
  let bot: TestBot;

  beforeAll(async () => {
    slack = await startFakeSlack();
    bot = await startTestBot(target, slack);
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.close();
  });

  it('refuses an oversized body with 413, and still answers on a new connection', async () => {
    const body = form([['payload', JSON.stringify({ type: 'view_submission', pad: 'x'.repeat(300 * 1024) })]]);
    const answer = await rawPost(bot.events, body, signedHeaders(SIGNING_SECRET, body));
    expect(answer.status).toBe(413);
    expect((await rawGet(`${bot.url}/healthz`)).status).toBe(200);
  });

  // Bolt's receiver throws for a URL it cannot parse and for a path it has no route for; such a request is
  // still answered, and its connection closed, so none can hold a socket (1,100 of them exhausted file descriptors).
  it.each([
    ['POST //[', 'POST //[ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', 400],
    ['GET //[', 'GET //[ HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['POST to an unknown path', 'POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}', 404],
    ['a 15 KB GET /eyJ-eyJ-… path', `GET /${'eyJ-'.repeat(3_800)} HTTP/1.1\r\nHost: x\r\n\r\n`, 404],
  ])('answers %s with a status line and closes the connection', async (_what, request, status) => {
    const { answer, closed } = await rawExchange(bot.url, request);
    expect(answer.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Not Found'}`);
    expect(closed).toBe(true);
  });

  it('answers 300 unparseable requests in a row, and /healthz after them', async () => {
    const answers = [];
    for (let i = 0; i < 6; i += 1) {
      answers.push(
        ...(await Promise.all(
          Array.from({ length: 50 }, () => rawExchange(bot.url, 'POST //[ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n')),
        )),
      );
    }
    expect(answers.filter((a) => !a.closed || !a.answer.startsWith('HTTP/1.1 400'))).toEqual([]);
    expect((await rawGet(`${bot.url}/healthz`)).status).toBe(200);
  });

  it('refuses a stale timestamp with 401', async () => {
    const body = form([
      ['command', '/addcontact'],
      ['text', 'help'],
      ['user_id', 'U1'],
      ['team_id', 'T1'],
    ]);
    const answer = await rawPost(bot.events, body, signedHeaders(SIGNING_SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60));
    expect(answer.status).toBe(401);
  });
});

/** A raw connection: what it was sent back, and whether the server closed it, as it happens. */
function rawConnection(url: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const connected = new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  return {
    socket,
    connected,
    answer: () => Buffer.concat(chunks).toString('latin1'),
    /** True once the server has closed the connection; false if it is still open after `ms`. */
    closedWithin: (ms: number) => Promise.race([closed.then(() => true), sleep(ms).then(() => false)]),
  };
}

const EVENTS_HEAD = (headers: Record<string, string>) =>
  `POST /slack/events HTTP/1.1\r\nHost: x\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

// Short limits so the tests need not wait the product's (10 s a request, 5 s for headers, 5 s of a silent body).
describe('connections that never finish their request (HTTP mode, short limits)', () => {
  const LIMITS = { requestTimeoutMs: 1_500, headersTimeoutMs: 700, bodyIdleMs: 400, checkEveryMs: 100, maxConnections: 6 };
  /** Long enough for any limit above to have acted; Node's defaults (300 s, 60 s) and an unguarded read would not have. */
  const CUT_WITHIN_MS = 6_000;
  let slack: FakeSlack;
  let bot: TestBot;

  beforeAll(async () => {
    slack = await startFakeSlack();
    bot = await startTestBot(testTargets()[0]!, slack, {}, LIMITS);
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.close();
  });

  it.each([
    ['no signature headers', {}],
    ['a signature but no timestamp', { 'x-slack-signature': 'v0=00' }],
    [
      'a timestamp six minutes old',
      { 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000) - 6 * 60) },
    ],
    [
      'a timestamp six minutes ahead',
      { 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000) + 6 * 60) },
    ],
  ])('refuses a POST with %s 401 before reading its body, and closes the connection', async (_what, headers) => {
    const connection = rawConnection(bot.url);
    // A body of 262,001 bytes is announced and none of it sent: only a server that does not wait for it can answer.
    connection.socket.write(EVENTS_HEAD({ 'content-type': 'application/x-www-form-urlencoded', 'content-length': '262001', ...headers }));
    expect(await connection.closedWithin(CUT_WITHIN_MS)).toBe(true);
    expect(connection.answer().split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
  });

  it('cuts a signed body that stops arriving, and still answers /healthz', async () => {
    const connection = rawConnection(bot.url);
    connection.socket.write(
      EVENTS_HEAD({ ...signedHeaders(SIGNING_SECRET, 'x'.repeat(1_000)), 'content-length': '1000' }) + 'x'.repeat(100),
    );
    expect(await connection.closedWithin(CUT_WITHIN_MS)).toBe(true);
    expect(connection.answer().split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect((await rawGet(`${bot.url}/healthz`)).status).toBe(200);
  });

  it('cuts a signed body sent a byte at a time, each in time for the idle limit, at the request timeout', async () => {
    const connection = rawConnection(bot.url);
    connection.socket.write(EVENTS_HEAD({ ...signedHeaders(SIGNING_SECRET, 'x'.repeat(1_000)), 'content-length': '1000' }));
    const drip = setInterval(() => connection.socket.write('x'), LIMITS.bodyIdleMs / 4);
    try {
      expect(await connection.closedWithin(CUT_WITHIN_MS)).toBe(true);
    } finally {
      clearInterval(drip);
    }
  });

  it('cuts a request whose headers never end', async () => {
    const connection = rawConnection(bot.url);
    connection.socket.write('POST /slack/events HTTP/1.1\r\nHost: x\r\n');
    expect(await connection.closedWithin(CUT_WITHIN_MS)).toBe(true);
  });

  it('holds at most maxConnections connections, and answers again once they are cut', async () => {
    const held = Array.from({ length: LIMITS.maxConnections }, () => rawConnection(bot.url));
    await Promise.all(held.map((c) => c.connected));
    for (const c of held) c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await sleep(100);
    const extra = rawConnection(bot.url);
    await extra.connected;
    extra.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await extra.closedWithin(CUT_WITHIN_MS)).toBe(true);
    expect(extra.answer()).toBe('');
    expect(await Promise.all(held.map((c) => c.closedWithin(CUT_WITHIN_MS)))).toEqual(held.map(() => true));
    expect((await rawGet(`${bot.url}/healthz`)).status).toBe(200);
  });
});

// Bolt's HTTPReceiver reads `body.ssl_check` outside its try/catch; a body that parses to JSON `null` (form field
// `payload=null`, or a JSON body `null`) would throw in an un-awaited async function and end the process. Run in a
// real process, so a crash would be observed rather than caught by the runner.
describe('a signed request whose payload is JSON null (child process)', () => {
  afterAll(killAllSpawned);

  it.concurrent.for([
    ['a form field payload=null', 'application/x-www-form-urlencoded', 'payload=null'],
    ['a JSON body null', 'application/json', 'null'],
  ] as const)('%s: answered, and the app is still up', async ([, type, body], { expect, onTestFinished }) => {
    const place = await testTargets()[0]!.scratch();
    const slack = await startFakeSlack();
    onTestFinished(async () => {
      await slack.close();
      await place.remove();
    });
    const app = await spawnApp({ ...place.env, SLACK_API_URL: slack.url });
    const answer = await rawPost(app.events, body, { ...signedHeaders(SIGNING_SECRET, body), 'content-type': type }, 10_000);
    await sleep(300);
    const health = await rawGet(`${app.url}/healthz`);
    const died = !app.running() ? await app.exited : undefined;
    await app.kill();
    expect({
      health: health.status,
      died,
      stderr: app.stderr
        .join('')
        .split('\n')
        .find((l) => l.includes('Error')),
    }).toEqual({ health: 200, died: undefined, stderr: undefined });
    expect(answer.status).toBeGreaterThan(0);
    expect(answer.status).toBeLessThan(500);
  });
});
