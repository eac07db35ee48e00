import { linkSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The embedded database folder is held by another live process. */
export class FolderInUseError extends Error {
  constructor(
    readonly folder: string,
    readonly holder: { pid: number; host: string },
  ) {
    const by = holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.host}`;
    super(`the embedded database in ${folder} is in use by ${by}; stop it or set DATABASE_URL`);
    this.name = 'FolderInUseError';
  }
}

/** Who holds a lock: enough to tell a live holder from a dead one whose PID was given to another process. */
interface Holder {
  pid: number;
  host: string;
  /** The holder's start time as the kernel counts it (Linux), so a reused PID is not taken for the holder. */
  started: string | null;
}

const LOCK_FILE = 'contact-bot.lock';

/**
 * Takes the folder for this process: a lock file created exclusively, holding who we are. A lock left by a
 * process that no longer runs (killed with -9) is taken over. Returns the release, which removes the file.
 */
export function lockFolder(folder: string): () => void {
  const path = join(folder, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), started: startTime(process.pid) };
  // Written aside and linked into place, so the lock never exists without its holder (link fails if it exists).
  const draft = `${path}.${process.pid}`;
  writeFileSync(draft, JSON.stringify(me));
  try {
    for (let tries = 0; ; tries++) {
      try {
        linkSync(draft, path);
        return () => unlinkSync(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readHolder(path);
      if (holder && isAlive(holder)) throw new FolderInUseError(folder, holder);
      if (tries > 0) throw new Error(`the embedded database in ${folder} is locked by ${path}, which could not be taken over`);
      // Left by a process that no longer runs. Two processes taking over one stale lock at the same instant
      // is not guarded against; it needs a crash and two starts within the same millisecond.
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    return { pid: value.pid, host: value.host, started: typeof value.started === 'string' ? value.started : null };
  } catch {
    return undefined;
  }
}

function isAlive(holder: Holder): boolean {
  // Another machine's process cannot be checked from here: the lock stands.
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const started = startTime(holder.pid);
  return holder.started === null || started === null || started === holder.started;
}

/** Field 22 of `/proc/<pid>/stat` (start time in clock ticks since boot); null where there is no `/proc`. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
