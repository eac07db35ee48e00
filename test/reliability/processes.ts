import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BOT_TOKEN, freePort, SIGNING_SECRET } from '../support/bot.js';
import { rawGet } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The app as a real process: `node --import tsx src/main.ts`, as `npm start` runs it. */
export interface AppProcess {
  pid: number;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  events: string;
  /** From spawn to the first healthy answer. */
  startedInMs: number;
  /** Every stdout line so far. */
  lines: string[];
  stderr: string[];
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
  /** Resolves with the first stdout line (past or future) that matches. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  signal(signal: NodeJS.Signals): void;
  /** Kills it with SIGKILL if it still runs, and waits for the exit. */
  kill(): Promise<void>;
}

const spawned = new Set<ChildProcess>();
/** Generous: other work may share this machine's CPUs, and a start compiles TypeScript on the fly. */
const HEALTH_TIMEOUT_MS = 40_000;

/** Starts the app with these settings (on top of the Slack ones) and waits for `GET /healthz` 200. */
export async function spawnApp(env: Record<string, string>, opts: { healthTimeoutMs?: number } = {}): Promise<AppProcess> {
  const port = await freePort();
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TMPDIR: process.env.TMPDIR ?? '/tmp',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      DEFAULT_COUNTRY: 'IN',
      LOG_LEVEL: 'info',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.add(child);
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  let alive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      alive = false;
      spawned.delete(child);
      if (partial) lines.push(partial);
      resolve({ code, signal });
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const app: AppProcess = {
    pid: child.pid!,
    port,
    url,
    events: `${url}/slack/events`,
    startedInMs: 0,
    lines,
    stderr,
    exited,
    running: () => alive,
    waitForLine(match, timeoutMs = 10_000) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          match,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    signal: (signal) => void child.kill(signal),
    async kill() {
      if (alive) child.kill('SIGKILL');
      await exited;
    },
  };

  const until = Date.now() + (opts.healthTimeoutMs ?? HEALTH_TIMEOUT_MS);
  for (;;) {
    if (!alive) throw new Error(`the app exited before it was healthy: ${stderr.join('')}${lines.join('\n')}`);
    const health = await rawGet(`${url}/healthz`, 1_000);
    if (health.status === 200) {
      app.startedInMs = Date.now() - spawnedAt;
      return app;
    }
    if (Date.now() > until) {
      await app.kill();
      throw new Error(`the app was not healthy within ${opts.healthTimeoutMs ?? HEALTH_TIMEOUT_MS} ms: ${stderr.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Kills (SIGKILL, by pid) every app process this test file started that still runs. */
export async function killAllSpawned(): Promise<void> {
  await Promise.all(
    [...spawned].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** The stdout lines that parse as JSON log records. */
export function records(lines: string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    try {
      const value = JSON.parse(line) as unknown;
      return typeof value === 'object' && value !== null ? [value as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}
