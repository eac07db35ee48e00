import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderInUseError, lockFolder } from '../src/folder-lock.js';

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
      expect(() => lockFolder(dir)).toThrow(`the embedded database in ${dir} is in use by process ${process.pid}; stop it or set DATABASE_URL`);
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

  it("does not take over another machine's lock, which it cannot check", () => {
    const dir = folder();
    writeFileSync(join(dir, LOCK), JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', started: null }));
    expect(() => lockFolder(dir)).toThrow(/in use by process \d+ on elsewhere\.example/);
  });
});
