import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { httpRequest } from './http.js';
import { freePort } from '../../test/support/bot.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SIGNING_SECRET = 'bench-signing-secret';
export const PRODUCT_TOKEN = 'xoxb-bench-product';
export const BARE_TOKEN = 'xoxb-bench-bare';

/**
 * How a Node process of this project is started: the node flags and the script. `bundle` is what `npm start`
 * does (the `build` script's esbuild bundle, run with the `start` script's flags), built into the bench's temp
 * folder so the repository is not touched; `tsx` is `node --import tsx <file>.ts`.
 */
export interface StartPath {
  mode: 'bundle' | 'tsx';
  /** e.g. `node --enable-source-maps dist/main.js (bundled by npm run build)`. */
  describe: string;
  nodeFlags: string[];
  product: string;
  bare: string;
  /** Preload for `--profile` runs. */
  probe: string;
}

const TSX: StartPath = {
  mode: 'tsx',
  describe: '`node --import tsx src/main.ts`',
  nodeFlags: ['--import', 'tsx'],
  product: 'src/main.ts',
  bare: 'bench/bare-bolt.ts',
  probe: './bench/lib/memory-probe.ts',
};

/** Bundle output file → how profiles name its frames. */
export const BUNDLES = new Map<string, string>();

/**
 * Resolves the start path: `tsx`, or `bundle` built from package.json's `build` and `start` scripts (the same
 * esbuild flags, only the entry and --outfile changed). `auto`: bundle when those scripts exist, else tsx.
 */
export function prepareStartPath(mode: 'auto' | 'bundle' | 'tsx', tmp: string): StartPath {
  if (mode === 'tsx') return TSX;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const build = pkg.scripts?.build;
  const start = pkg.scripts?.start;
  const outfile = build ? /--outfile=(\S+)/.exec(build)?.[1] : undefined;
  if (!build || !outfile || !start || !build.includes('src/main.ts') || !start.startsWith('node ') || !start.trim().endsWith(outfile)) {
    if (mode === 'bundle') throw new Error('package.json has no `build` script with --outfile that `start` runs with node');
    return TSX;
  }
  const app = join(tmp, 'app');
  mkdirSync(app, { recursive: true });
  // The bundle keeps packages external and finds ../db/migrations next to itself, as in the repository.
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
  symlinkSync(join(ROOT, 'db'), join(app, 'db'));
  writeFileSync(join(app, 'package.json'), '{ "type": "module" }\n');
  const env = { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
  const bundle = (entry: string, out: string, label: string) => {
    const file = join(app, out);
    const command = build.replace('src/main.ts', entry).replace(/--outfile=\S+/, `--outfile=${file}`);
    execSync(command, { cwd: ROOT, env, stdio: 'pipe' });
    BUNDLES.set(file, label);
    return file;
  };
  const product = bundle('src/main.ts', outfile, 'src/ (bundle)');
  const bare = bundle('bench/bare-bolt.ts', 'dist/bare-bolt.js', 'bench/bare-bolt.ts (bundle)');
  const probe = bundle('bench/lib/memory-probe.ts', 'dist/memory-probe.js', 'bench/lib/memory-probe.ts (bundle)');
  const flags = start.trim().split(/\s+/).slice(1, -1);
  return {
    mode: 'bundle',
    describe: `\`${start.trim()}\` after \`npm run build\` (bundled into a temporary folder by the build script's own esbuild command)`,
    nodeFlags: flags,
    product,
    bare,
    probe,
  };
}

/** A server the bench started as a child process. */
export interface ChildServer {
  name: string;
  pid: number;
  url: string;
  events: string;
  /** Spawn → first `/healthz` 200 (product) or "ready" line (bare Bolt), in ms. */
  readyMs: number;
  /** performance.now() when it became ready. */
  readyAt: number;
  rssMb(): number;
  /** CPU time (user + system, all threads) used so far, in ms. */
  cpuMs(): number;
  /** Last lines the child wrote, for error messages. */
  output(): string;
  /** `--profile` runs: the child's own memory breakdown (MB), from the preloaded memory probe. */
  memory(): Promise<Record<string, number> | undefined>;
  /** SIGTERM, wait for the exit (SIGKILL after 15 s); returns the CPU profiles it wrote, if profiling. */
  stop(): Promise<string[]>;
}

/** VmRSS of a process, in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : Number.NaN;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (user + system, all threads) a process has used, in ms, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** Busy and total CPU ticks of the whole machine, from /proc/stat. */
export function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, total: busy + idle! + iowait! };
}

/** The environment a child gets: the bench's own, minus anything that would change what the product does. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (
      /^(KORE_|SLACK_|DATABASE_URL$|PGLITE_DIR$|PORT$|NODE_ENV$|NODE_OPTIONS$|LOG_LEVEL$|ALLOWED_USER_IDS$|DEFAULT_COUNTRY$|DELIVERY_|EMULATOR_)/.test(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  return env;
}

async function launch(opts: {
  name: string;
  start: StartPath;
  script: string;
  env: Record<string, string>;
  profileDir?: string;
  ready: 'healthz' | 'stdout';
}): Promise<ChildServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const profileArgs: string[] = [];
  if (opts.profileDir) {
    mkdirSync(opts.profileDir, { recursive: true });
    profileArgs.push('--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`);
  }
  const probe = opts.profileDir && opts.ready === 'healthz' ? ['--import', opts.start.probe] : [];
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...profileArgs, ...opts.start.nodeFlags, ...probe, opts.script], {
    cwd: ROOT,
    env: {
      ...baseEnv(),
      // `BENCH_NODE_OPTIONS` tries node flags on product processes without editing package.json (e.g. heap limits).
      ...(opts.ready === 'healthz' && process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
      ...opts.env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let sawReady = false;
  let memoryWaiter: ((line: string) => void) | undefined;
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (text.includes('bench-bare-bolt-ready')) sawReady = true;
    const memoryLine = /bench-memory (\{.*\})/.exec(text)?.[1];
    if (memoryLine) memoryWaiter?.(memoryLine);
    tail = (tail + text).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const deadline = spawnedAt + 60_000;
  for (;;) {
    if (exited) throw new Error(`${opts.name} exited before it was ready:\n${tail}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${opts.name} was not ready within 60 s:\n${tail}`);
    }
    if (opts.ready === 'stdout') {
      if (sawReady) break;
    } else {
      const ok = await httpRequest(`${url}/healthz`, { timeoutMs: 2_000 }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const readyAt = performance.now();
  const pid = child.pid!;
  let stopped = false;
  return {
    name: opts.name,
    pid,
    url,
    events: `${url}/slack/events`,
    readyMs: readyAt - spawnedAt,
    readyAt,
    rssMb: () => rssMb(pid),
    cpuMs: () => cpuMs(pid),
    output: () => tail,
    async memory() {
      if (probe.length === 0 || exited) return undefined;
      const line = new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 2_000);
        memoryWaiter = (l) => {
          clearTimeout(timer);
          resolve(l);
        };
      });
      child.kill('SIGUSR2');
      const text = await line;
      memoryWaiter = undefined;
      return text ? (JSON.parse(text) as Record<string, number>) : undefined;
    },
    async stop() {
      if (stopped) return [];
      stopped = true;
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exit;
        clearTimeout(timer);
      }
      if (!opts.profileDir) return [];
      return readdirSync(opts.profileDir)
        .filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${pid}.`))
        .map((f) => join(opts.profileDir!, f));
    },
  };
}

/** The product through its start path (see `StartPath`). */
export function startProduct(
  start: StartPath,
  name: string,
  slackUrl: string,
  env: Record<string, string>,
  profileDir?: string,
): Promise<ChildServer> {
  return launch({
    name,
    start,
    script: start.product,
    env: {
      SLACK_BOT_TOKEN: PRODUCT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slackUrl,
      LOG_LEVEL: 'warn',
      DEFAULT_COUNTRY: 'IN',
      ...env,
    },
    ...(profileDir ? { profileDir } : {}),
    ready: 'healthz',
  });
}

/** `bench/bare-bolt.ts`: the smallest Bolt app doing the same ack + views.open on the same receiver. */
export function startBareBolt(start: StartPath, slackUrl: string, profileDir?: string): Promise<ChildServer> {
  return launch({
    name: 'bare Bolt',
    start,
    script: start.bare,
    env: { SLACK_BOT_TOKEN: BARE_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slackUrl },
    ...(profileDir ? { profileDir } : {}),
    ready: 'stdout',
  });
}
