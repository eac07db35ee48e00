import { readFileSync } from 'node:fs';
import { BUNDLES, ROOT } from './processes.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
/** Frames at the bottom of nearly every stack: left out of the inclusive table. */
const PLUMBING = new Set([
  '(root)',
  'runMicrotasks',
  'processTicksAndRejections',
  'processImmediate',
  'listOnTimeout',
  'processTimers',
  'runNextTicks',
  'emitAfterScript',
]);

/** Where a frame's code lives: `src/…`, an npm package, `node:…`, or V8 itself. */
export function moduleOf(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '');
  if (!url) return SPECIAL.has(frame.functionName) ? frame.functionName : '(native)';
  const bundled = BUNDLES.get(url);
  if (bundled) return bundled;
  if (url.startsWith('node:')) return url.split('/')[0]!.replace(/^node:internal/, 'node:internal');
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith(ROOT)) return url.slice(ROOT.length);
  return url;
}

function label(frame: CallFrame): string {
  const where = moduleOf(frame);
  const name = frame.functionName || '(anonymous)';
  return SPECIAL.has(name) ? name : `${name} — ${where}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
}

function top(map: Map<string, number>, n: number): [string, number][] {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
}

/**
 * Markdown summary of a V8 CPU profile between `fromMs` and `toMs` after it started: self time by function
 * and by module, and the time attributed to the innermost frame in this repository's `src/` (what our own
 * code causes, wherever it is spent). `(idle)` is left out of the percentages.
 */
export function summariseProfile(file: string, opts: { fromMs?: number; toMs?: number; rows?: number } = {}): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const modules = new Map<string, number>();
  const bySrcFrame = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let gc = 0;
  let t = 0;
  const from = (opts.fromMs ?? 0) * 1000;
  const to = (opts.toMs ?? Number.POSITIVE_INFINITY) * 1000;
  const srcPrefix = `${ROOT}src/`;
  const ours = (url: string) => url.startsWith(srcPrefix) || BUNDLES.get(url) === 'src/ (bundle)';
  for (let i = 0; i < profile.samples.length; i += 1) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t > to) continue;
    const weight = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(profile.samples[i]!)!;
    const name = node.callFrame.functionName;
    if (name === '(idle)') {
      idle += weight;
      continue;
    }
    busy += weight;
    if (name === '(garbage collector)') gc += weight;
    const key = label(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + weight);
    const mod = moduleOf(node.callFrame);
    modules.set(mod, (modules.get(mod) ?? 0) + weight);
    const onStack = new Set<string>();
    for (let at: number | undefined = node.id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (PLUMBING.has(frame.functionName)) continue;
      onStack.add(label(frame));
    }
    for (const key of onStack) inclusive.set(key, (inclusive.get(key) ?? 0) + weight);
    let cursor: number | undefined = node.id;
    let owner = '(no frame of src/ on the stack)';
    while (cursor !== undefined) {
      const frame = byId.get(cursor)!.callFrame;
      if (ours(frame.url.replace(/^file:\/\//, ''))) {
        owner = label(frame);
        break;
      }
      cursor = parent.get(cursor);
    }
    bySrcFrame.set(owner, (bySrcFrame.get(owner) ?? 0) + weight);
  }
  const rows = opts.rows ?? 12;
  const pct = (v: number) => (busy > 0 ? `${((100 * v) / busy).toFixed(1)}%` : 'n/a');
  const table = (title: string, entries: [string, number][]) =>
    [
      `| ${title} | ms | share of busy |`,
      '| --- | ---: | ---: |',
      ...entries.map(([k, v]) => `| ${k.replace(/\|/g, '\\|')} | ${v.toFixed(0)} | ${pct(v)} |`),
    ].join('\n');
  return [
    `Profile ${file}: busy ${busy.toFixed(0)} ms, idle ${idle.toFixed(0)} ms, GC ${pct(gc)} of busy.`,
    '',
    table('self time: function — module', top(self, rows)),
    '',
    table('self time by module', top(modules, rows)),
    '',
    table('attributed to the innermost src/ frame', top(bySrcFrame, rows)),
    '',
    table('inclusive (synchronous stack; async continuations start a new stack)', top(inclusive, rows * 2)),
  ].join('\n');
}
