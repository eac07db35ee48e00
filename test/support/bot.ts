import { createServer } from 'node:net';
import type { Logger } from '@slack/bolt';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startContactBot, type ContactBot } from '../../src/server.js';
import type { HttpLimits } from '../../src/slack/app.js';
import type { FakeSlack } from './fake-slack.js';
import type { TestTarget } from './databases.js';

export const SIGNING_SECRET = 'test-signing-secret';
export const BOT_TOKEN = 'xoxb-test-bot-token';

/** The app, in this process, on Bolt's HTTP receiver at a free loopback port. */
export interface TestBot extends ContactBot {
  /** `http://127.0.0.1:<port>` */
  url: string;
  events: string;
  /**
   * Every line the app logged at `warn` or above, its own and Slack's libraries', parsed: a test that provokes an
   * error asserts on it here instead of it reaching the console (`TEST_LOG_LEVEL=debug` prints everything as well).
   */
  logs: LogRecord[];
  close(): Promise<void>;
}

/** One JSON log line. */
export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  name: string;
  msg: string;
  [field: string]: unknown;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A logger whose lines are kept in `logs` rather than printed, unless `TEST_LOG_LEVEL=debug`. */
export function capturedLogger(logs: LogRecord[]): Logger {
  const debug = process.env.TEST_LOG_LEVEL === 'debug';
  return createLogger(debug ? 'debug' : 'warn', 'contact-bot', (line) => {
    logs.push(JSON.parse(line) as LogRecord);
    if (debug) process.stdout.write(line);
  });
}

/**
 * Starts the contact bot against the fake Slack, the built-in emulator and a scratch database of `target`; `http`
 * shortens the limits on HTTP connections (a test of a timeout need not wait the product's 10 s).
 */
export async function startTestBot(
  target: TestTarget,
  slack: FakeSlack,
  env: Record<string, string> = {},
  http?: Partial<HttpLimits>,
): Promise<TestBot> {
  const place = await target.scratch();
  const port = await freePort();
  const config = loadConfig(
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      PORT: String(port),
      DEFAULT_COUNTRY: 'IN',
      ...place.env,
      ...env,
    },
    'app',
  );
  const logs: LogRecord[] = [];
  const bot = await startContactBot({ ...config, slack: { ...config.slack, http } }, capturedLogger(logs));
  const url = `http://127.0.0.1:${port}`;
  return {
    ...bot,
    url,
    events: `${url}/slack/events`,
    logs,
    close: async () => {
      await bot.stop(2_000);
      await place.remove();
    },
  };
}
