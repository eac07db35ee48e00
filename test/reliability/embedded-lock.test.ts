import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/database.js';
import { pgliteFolder } from '../support/databases.js';
import { runScript, type Run } from '../support/run.js';
import { requestsFor } from './harness.js';
import { killAllSpawned, spawnApp, type AppProcess } from './processes.js';

// Real processes on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const RAVI = { text: 'Ravi Shankar +91 98765 43230', e164: '+919876543230' };

const inUse = (dir: string, pid: number) =>
  `contact-bot: the embedded database in ${dir} is in use by process ${pid} (lock file ${dir}/contact-bot.lock); stop it or set DATABASE_URL\n`;

/** The README's PGLITE_DIR: the embedded database folder belongs to one process at a time. */
describe('one process at a time on the embedded database', () => {
  const folder = pgliteFolder();
  const env = { PGLITE_DIR: folder.dir };
  let app: AppProcess;
  let add: Run;
  let secondApp: string;
  let restarted: AppProcess;
  let killedPid: number;

  beforeAll(async () => {
    app = await spawnApp(env);
    add = await runScript('src/cli.ts', ['add', RAVI.text], { DEFAULT_COUNTRY: 'IN', ...env });
    secondApp = await spawnApp(env, { healthTimeoutMs: 60_000 }).then(
      async (second) => {
        await second.kill();
        return 'a second app started';
      },
      (error: Error) => error.message,
    );
    killedPid = app.pid;
    await app.kill(); // SIGKILL: the lock file stays behind
    restarted = await spawnApp(env);
  });

  afterAll(async () => {
    await killAllSpawned();
    folder.remove();
  });

  it('refuses the CLI while the app runs, with one line naming the folder and the holder', () => {
    expect(add.code).not.toBe(0);
    expect(add.stderr).toBe(inUse(folder.dir, killedPid));
    expect(add.stdout).toBe('');
  });

  it('refuses a second app the same way', () => {
    expect(secondApp).toContain(inUse(folder.dir, killedPid));
  });

  it('is not blocked by the lock a killed process left: the restart is healthy', () => {
    expect(restarted.running()).toBe(true);
  });

  it('the refused CLI wrote nothing', async () => {
    restarted.signal('SIGTERM');
    expect((await restarted.exited).code).toBe(0);
    const database = await openDatabase({ pgliteDir: folder.dir });
    try {
      expect(await requestsFor(database.db, RAVI.e164)).toEqual([]);
    } finally {
      await database.close();
    }
  });
});

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A contender process (lock-contender.ts), started and waiting for the word to take `dir`. */
async function contender(dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/reliability/lock-contender.ts', dir], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => String((await lines.next()).value ?? `exited (${child.exitCode})`);
  expect(await next()).toBe('ready');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    go: () => child.stdin.write('go\n'),
    answer: next,
    done: async () => {
      child.stdin.end();
      return await exited;
    },
  };
}

/** A lock left by a process that no longer runs: killed on this host, or an OOM-killed container (another hostname). */
function leaveStaleLock(dir: string, left: 'killed here' | 'old container') {
  const path = join(dir, 'contact-bot.lock');
  if (left === 'killed here') {
    const pid = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(path, JSON.stringify({ pid, host: hostname(), started: null }));
  } else {
    writeFileSync(path, JSON.stringify({ pid: 1, host: 'contact-bot-7f9c-old', started: '42' }));
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(path, minuteAgo, minuteAgo);
  }
}

describe.each([
  { left: 'killed here', rounds: 20 },
  { left: 'old container', rounds: 10 },
] as const)('two processes starting at once on a folder with a stale lock ($left)', ({ left, rounds: ROUNDS }) => {
  it(`only one of them gets the folder (${ROUNDS} races)`, async () => {
    const outcomes: string[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'contact-bot-race-'));
      try {
        leaveStaleLock(dir, left);
        const pair = await Promise.all([contender(dir), contender(dir)]);
        for (const c of pair) c.go();
        // Both answer before either lets go, so a second "held" can only be a second holder at the same time.
        const answers = await Promise.all(pair.map((c) => c.answer()));
        await Promise.all(pair.map((c) => c.done()));
        outcomes.push(answers.map((a) => a.replace(/process \d+/, 'process N').replaceAll(dir, '<dir>')));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const holders = outcomes.map((answers) => answers.filter((a) => a === 'held').length);
    expect(holders, JSON.stringify(outcomes)).toEqual(Array.from({ length: ROUNDS }, () => 1));
    for (const answers of outcomes) {
      expect(answers.filter((a) => a !== 'held')).toEqual([
        'refused: the embedded database in <dir> is in use by process N (lock file <dir>/contact-bot.lock); stop it or set DATABASE_URL',
      ]);
    }
  });
});
