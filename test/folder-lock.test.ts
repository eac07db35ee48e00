import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderInUseError, lockFolder, STALE_AFTER_MS } from '../src/folder-lock.js';
import { eventually } from './support/eventually.js';

const LOCK = 'contact-bot.lock';
const folders: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'contact-bot-lock-'));
  folders.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The PID of a process that has exited (and, this soon, not been reused). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('lockFolder', () => {
  it('holds the folder with our PID and removes the lock on release', () => {
    const dir = folder();
    const release = lockFolder(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    release();
    expect(existsSync(join(dir, LOCK))).toBe(false);
  });

  it('refuses while a live process holds it, naming the folder and the PID', () => {
    const dir = folder();
    const release = lockFolder(dir);
    try {
      expect(() => lockFolder(dir)).toThrow(FolderInUseError);
      expect(() => lockFolder(dir)).toThrow(
        `the embedded database in ${dir} is in use by process ${process.pid} (lock file ${join(dir, LOCK)}); stop it or set DATABASE_URL`,
      );
    } finally {
      release();
    }
  });

  it('takes over a lock whose process is gone', () => {
    const dir = folder();
    writeFileSync(join(dir, LOCK), JSON.stringify({ pid: deadPid(), host: hostname(), started: null }));
    lockFolder(dir)();
  });

  it('takes over a lock whose PID now belongs to another process (a different start time)', () => {
    const dir = folder();
    writeFileSync(join(dir, LOCK), JSON.stringify({ pid: process.pid, host: hostname(), started: '1' }));
    lockFolder(dir)();
  });

  it('takes over a lock file left half-written', () => {
    const dir = folder();
    writeFileSync(join(dir, LOCK), '{"pid":');
    lockFolder(dir)();
  });

  it("refuses another host's lock while its holder keeps it fresh, naming the lock file", () => {
    const dir = folder();
    writeFileSync(join(dir, LOCK), JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', started: null }));
    expect(() => lockFolder(dir)).toThrow(new RegExp(`in use by process \\d+ on elsewhere\\.example \\(lock file ${join(dir, LOCK)}\\)`));
  });

  it("takes over another host's lock once its heartbeat stopped (a container killed and restarted under a new hostname)", () => {
    const dir = folder();
    const path = join(dir, LOCK);
    writeFileSync(path, JSON.stringify({ pid: 1, host: 'contact-bot-7f9c-old', started: '42' }));
    const stopped = new Date(Date.now() - STALE_AFTER_MS - 5_000);
    utimesSync(path, stopped, stopped);
    const release = lockFolder(dir);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    release();
  });

  it('keeps its lock fresh while it holds the folder', async () => {
    const dir = folder();
    const path = join(dir, LOCK);
    const release = lockFolder(dir, { heartbeatMs: 20 });
    try {
      const long = new Date(Date.now() - 10 * STALE_AFTER_MS);
      utimesSync(path, long, long);
      await eventually(
        async () => (Date.now() - statSync(path).mtimeMs < STALE_AFTER_MS ? true : undefined),
        10_000,
        'the lock touched again',
      );
    } finally {
      release();
    }
  });

  it('does not remove, on release, a lock that another process has since taken over', () => {
    const dir = folder();
    const path = join(dir, LOCK);
    const release = lockFolder(dir);
    const theirs = JSON.stringify({ pid: process.pid, host: 'new-container', started: null, token: 'theirs' });
    writeFileSync(path, theirs);
    release();
    expect(readFileSync(path, 'utf8')).toBe(theirs);
  });
});
