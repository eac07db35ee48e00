/**
 * Summarises V8 CPU profiles written by `npm run bench -- --profile` (or any `node --cpu-prof` run):
 * `node --import tsx bench/profile-summary.ts <file.cpuprofile>… [--from=ms] [--to=ms] [--rows=n]`
 */
import { summariseProfile } from './lib/profile.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const value = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return value === undefined ? undefined : Number(value);
};
const files = args.filter((a) => !a.startsWith('--'));
if (files.length === 0) {
  process.stderr.write('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile>… [--from=ms] [--to=ms] [--rows=n]\n');
  process.exit(2);
}
const from = option('from');
const to = option('to');
for (const file of files) {
  process.stdout.write(
    `${summariseProfile(file, { ...(from !== undefined ? { fromMs: from } : {}), ...(to !== undefined ? { toMs: to } : {}), rows: option('rows') ?? 20 })}\n\n`,
  );
}
