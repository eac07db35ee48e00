/**
 * Preloaded into product processes in `--profile` runs only (`--import ./bench/lib/memory-probe.ts`): on SIGUSR2
 * writes one `bench-memory {…}` line to stderr (MB), so the bench can tell the JS heap from the rest of the RSS,
 * and what of the heap survives a full collection (`liveHeap`) from garbage not yet collected.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mb = (n: number) => Math.round(n / 2 ** 20);

process.on('SIGUSR2', () => {
  const usage = process.memoryUsage();
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name.replace(/_space$/, ''), mb(s.space_size)]));
  gc();
  const after = process.memoryUsage();
  process.stderr.write(
    `bench-memory ${JSON.stringify({
      rss: mb(usage.rss),
      heapTotal: mb(usage.heapTotal),
      heapUsed: mb(usage.heapUsed),
      liveHeap: mb(after.heapUsed),
      external: mb(usage.external),
      arrayBuffers: mb(usage.arrayBuffers),
      newSpace: spaces.new ?? 0,
      oldSpace: spaces.old ?? 0,
      codeSpace: spaces.code ?? 0,
      largeObjects: spaces.large_object ?? 0,
    })}\n`,
  );
});
