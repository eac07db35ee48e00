import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/database.js';

/** Builds one migrated PGlite folder per run; each test copies it instead of running initdb again. */
export default async function setup(project: TestProject) {
  const root = mkdtempSync(join(tmpdir(), 'contact-bot-template-'));
  const dir = join(root, 'pglite');
  const database = await openDatabase({ pgliteDir: dir });
  await database.close();
  project.provide('pgliteTemplate', dir);
  // The only tests skipped in a green run are these; the default reporter shows no reason, so say it once here.
  if (!process.env.TEST_DATABASE_URL) {
    console.info(
      'PostgreSQL-only tests (several instances, kill -9) are skipped: TEST_DATABASE_URL is not set. ' +
        'TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test runs them, and every other test on PostgreSQL too.',
    );
  }
  return () => rmSync(root, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}
