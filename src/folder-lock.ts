import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
  type BigIntStats,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

const LOCK_FILE = 'contact-bot.lock';
/** The holder touches its lock file this often, so a process elsewhere can tell it still runs. */
const HEARTBEAT_MS = 5_000;
/**
 * A lock file not touched for this long (six missed heartbeats) was left by a process that no longer runs, on
 * whatever host: a container gets a new hostname at each restart, so "another machine" is often our own past self.
 */
export const STALE_AFTER_MS = 30_000;
/** A takeover is a few file system calls; a takeover marker this old was left by a process killed in one. */
const ABANDONED_TAKEOVER_MS = 10_000;
/** How long a process that finds another one taking over the same stale lock waits for it to finish. */
const TAKEOVER_WAIT_MS = 2_000;

/** The embedded database folder is held by another live process. */
export class FolderInUseError extends Error {
  constructor(
    readonly folder: string,
    readonly holder: { pid: number; host: string },
    readonly lockFile: string,
  ) {
    const by = holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.host}`;
    super(`the embedded database in ${folder} is in use by ${by} (lock file ${lockFile}); stop it or set DATABASE_URL`);
    this.name = 'FolderInUseError';
  }
}

/** Who holds a lock: enough to tell a live holder from a dead one whose PID was given to another process. */
interface Holder {
  pid: number;
  host: string;
  /** The holder's start time as the kernel counts it (Linux), so a reused PID is not taken for the holder. */
  started: string | null;
  /** This lock and no other: a release or heartbeat never touches a lock that has since been taken over. */
  token: string | null;
}

/** One lock file as found: who wrote it, and when it was last touched. */
interface Found {
  holder: Holder | undefined;
  /** inode and nanosecond mtime: a new lock file in its place (even on a reused inode) is a different one. */
  identity: string;
  ageMs: number;
}

/**
 * Takes the folder for this process: a lock file created exclusively, holding who we are, touched every 5 s while
 * we hold it. A lock whose holder no longer runs (killed with -9, or an OOM-killed container) is taken over, by one
 * process at a time. Returns the release, which stops the heartbeat and removes the file.
 */
export function lockFolder(folder: string, opts: { heartbeatMs?: number } = {}): () => void {
  const path = join(folder, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), started: startTime(process.pid), token: randomBytes(12).toString('hex') };
  // Written aside and linked into place, so the lock never exists without its holder (link fails if it exists).
  const draft = `${path}.${process.pid}`;
  writeFileSync(draft, JSON.stringify(me));
  try {
    const waitUntil = Date.now() + TAKEOVER_WAIT_MS;
    for (;;) {
      if (tryLink(draft, path)) return holdWithHeartbeat(path, me.token!, opts.heartbeatMs ?? HEARTBEAT_MS);
      const found = inspect(path);
      if (!found) continue; // released between our link and our look: try again
      if (found.holder && !isStale(found.holder, found.ageMs)) throw new FolderInUseError(folder, found.holder, path);
      if (takeOver(path, found) === 'look again') continue;
      if (Date.now() > waitUntil) throw new Error(`the embedded database in ${folder} is locked by ${path}, which could not be taken over`);
      sleepSync(20); // another process is taking over this same stale lock: see who won
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

function tryLink(draft: string, path: string): boolean {
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
}

/**
 * Removes the stale lock `found` if this process wins its takeover ('busy' if another process is taking it over). The marker is named after that one lock file and
 * created exclusively, so one process only takes it over; under the marker the lock is checked to be that same file
 * before it goes. Without this, two processes judging one stale lock at once could each remove it, the second
 * removing the fresh lock the first had just linked, and both would hold the folder.
 */
function takeOver(path: string, found: Found): 'look again' | 'busy' {
  for (let attempt = 0; ; attempt++) {
    const marker = `${path}.takeover.${found.identity}.${attempt}`;
    let fd: number;
    try {
      fd = openSync(marker, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Its taker was killed mid-takeover: use the next marker. The old one stays, so no two markers are ever live.
      if (ageMs(marker) > ABANDONED_TAKEOVER_MS) continue;
      return 'busy';
    }
    try {
      writeSync(fd, String(process.pid));
      if (inspect(path)?.identity === found.identity) rmSync(path, { force: true });
      return 'look again';
    } finally {
      closeSync(fd);
      rmSync(marker, { force: true });
    }
  }
}

/** The heartbeat keeps the lock fresh for processes on other hosts; the release removes it if it is still ours. */
function holdWithHeartbeat(path: string, token: string, heartbeatMs: number): () => void {
  const ours = () => inspect(path)?.holder?.token === token;
  const heartbeat = setInterval(() => {
    try {
      if (ours()) utimesSync(path, new Date(), new Date());
      else clearInterval(heartbeat);
    } catch {
      // A folder briefly unreadable: the next beat tries again, and six must fail before the lock looks stale.
    }
  }, heartbeatMs);
  heartbeat.unref();
  return () => {
    clearInterval(heartbeat);
    if (ours()) rmSync(path, { force: true });
  };
}

function inspect(path: string): Found | undefined {
  let raw: string;
  let stat: BigIntStats;
  try {
    stat = statSync(path, { bigint: true });
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return { holder: parseHolder(raw), identity: `${stat.ino}-${stat.mtimeNs}`, ageMs: Date.now() - Number(stat.mtimeMs) };
}

function parseHolder(raw: string): Holder | undefined {
  try {
    const value = JSON.parse(raw) as Partial<Holder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    return { pid: value.pid, host: value.host, started: text(value.started), token: text(value.token) };
  } catch {
    return undefined;
  }
}

/**
 * A holder on this host is checked directly: its PID gone or given to a process started at another time means it is
 * dead at once (a restart right after a kill -9 is not kept waiting), and a PID and start time that match mean it
 * runs (even stopped or busy: taking its folder would corrupt the database). Otherwise — another host, or no
 * `/proc` to read the start time from — its heartbeat decides.
 */
function isStale(holder: Holder, untouchedMs: number): boolean {
  if (holder.host === hostname()) {
    if (!pidRuns(holder.pid)) return true;
    const started = startTime(holder.pid);
    if (holder.started !== null && started !== null) return started !== holder.started;
  }
  return untouchedMs > STALE_AFTER_MS;
}

function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0; // gone already: its taker finished
  }
}

/** lockFolder runs once at start, before anything else is up: a short synchronous pause keeps it a plain function. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
