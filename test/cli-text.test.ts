import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteFolder } from './support/databases.js';
import { runScript } from './support/run.js';

/** `npm run cli -- …` in a child process on its own PGlite folder. */
const cli = (dir: string, ...args: string[]) => runScript('src/cli.ts', args, { PGLITE_DIR: dir, DEFAULT_COUNTRY: 'IN' });

describe('CLI add: text it cannot place', () => {
  let folder: ReturnType<typeof pgliteFolder>;
  beforeAll(() => void (folder = pgliteFolder()));
  afterAll(() => folder?.remove());

  it.each([
    ['Anil Kumar +91 98765 43220 x12ab', 'x12ab'],
    ['Anil Kumar +91 98765 43220 ext abc', 'ext abc'],
  ])('refuses %j, naming %j, and creates nothing', async (text, part) => {
    const run = await cli(folder.dir, 'add', text);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`Not created: ${JSON.stringify(text)}`);
    expect(run.stderr).toContain(`  ${JSON.stringify(part)}: neither the name nor the number`);
    expect(run.stdout).toBe('');
    expect((await cli(folder.dir, 'history')).stdout).toBe('No requests yet.\n');
  });

  it.each(['Anil Kumar 98765ABCDE', 'Anil Kumar 1-800-FLOWERS'])('says letters are not digits for %j', async (text) => {
    const run = await cli(folder.dir, 'add', text);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain("phone: Letters aren't digits");
    expect(run.stdout).toBe('');
  });

  it('reads "Last, First" as such', async () => {
    const run = await cli(folder.dir, 'add', 'Kumar, Anil +91 98765 43220');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Anil Kumar · +91 98765 43220');
  });
});
