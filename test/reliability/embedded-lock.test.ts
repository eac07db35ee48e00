import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/database.js';
import { pgliteFolder } from '../support/databases.js';
import { runScript, type Run } from '../support/run.js';
import { requestsFor } from './harness.js';
import { killAllSpawned, spawnApp, type AppProcess } from './processes.js';

// Real processes on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const RAVI = { text: 'Ravi Shankar +91 98765 43230', e164: '+919876543230' };

const inUse = (dir: string, pid: number) => `contact-bot: the embedded database in ${dir} is in use by process ${pid}; stop it or set DATABASE_URL\n`;

/** SPEC §3: the embedded database folder belongs to one process at a time. */
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
