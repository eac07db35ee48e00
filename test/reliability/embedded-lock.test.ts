import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/database.js';
import { pgliteFolder } from '../support/databases.js';
import { requestsFor } from './harness.js';
import { killAllSpawned, spawnApp, type AppProcess } from './processes.js';

// Real processes on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RAVI = { text: 'Ravi Shankar +91 98765 43230', e164: '+919876543230' };

/** `npm run cli -- …` as a separate process, with only these settings. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: process.env.TMPDIR ?? '/tmp', DEFAULT_COUNTRY: 'IN', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const inUse = (dir: string, pid: number) => `contact-bot: the embedded database in ${dir} is in use by process ${pid}; stop it or set DATABASE_URL\n`;

/** The README's PGLITE_DIR: the embedded database folder belongs to one process at a time. */
describe('one process at a time on the embedded database', () => {
  const folder = pgliteFolder();
  const env = { PGLITE_DIR: folder.dir };
  let app: AppProcess;
  let add: Awaited<ReturnType<typeof cli>>;
  let secondApp: string;
  let restarted: AppProcess;
  let killedPid: number;

  beforeAll(async () => {
    app = await spawnApp(env);
    add = await cli(['add', RAVI.text], env);
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
