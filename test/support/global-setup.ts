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
  return () => rmSync(root, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}
