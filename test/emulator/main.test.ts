import { describe, expect, it } from 'vitest';
import { runScript } from '../support/run.js';

describe('npm run emulator', () => {
  it('refuses settings it cannot use, naming each, with exit 2', async () => {
    const run = await runScript('src/emulator/main.ts', [], { EMULATOR_PORT: 'eighty', KORE_ENFORCE_JTI: 'yes' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('EMULATOR_PORT: must be a port number (0 to 65535)');
    expect(run.stderr).toContain('KORE_ENFORCE_JTI: must be true or false');
    expect(run.stdout).toBe('');
  });
});
