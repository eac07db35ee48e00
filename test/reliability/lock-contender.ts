// One contender for an embedded database folder, as a real process: prints "ready", tries to take the folder when a
// line arrives on stdin, prints "held" or "refused: <why>", and (holding) keeps the folder until stdin closes.
import { createInterface } from 'node:readline';
import { lockFolder } from '../../src/folder-lock.js';

const input = createInterface({ input: process.stdin });
input.once('line', () => {
  try {
    const release = lockFolder(process.argv[2]!);
    process.stdout.write('held\n');
    input.once('close', release);
  } catch (error) {
    process.stdout.write(`refused: ${(error as Error).message}\n`);
    input.close();
  }
});
process.stdout.write('ready\n');
