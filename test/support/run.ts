import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The settings this app reads: a test gives its own, never the ones of the shell that runs the tests. */
const OURS =
  /^(DATABASE_URL|EMULATOR_|PGLITE_DIR|KORE_|SLACK_|DEFAULT_COUNTRY|ALLOWED_USER_IDS|ADMIN_USER_IDS|LOG_LEVEL|NODE_ENV|DELIVERY_|PORT$)/;

/** What a finished process said, and how it ended. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node --import tsx <script> …args` to its end, as a user would, with only `env` as its settings. */
export function runScript(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !OURS.test(name)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...inherited, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
