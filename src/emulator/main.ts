import { ConfigError, loadEmulatorConfig } from '../config.js';
import { openDatabase } from '../database.js';
import { startEmulator } from './server.js';

let config: ReturnType<typeof loadEmulatorConfig>;
try {
  config = loadEmulatorConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const problem of error.problems) console.error(problem);
  process.exit(2);
}
const { identity } = config;
const database = await openDatabase(config);
const { port, host, callsPerMinute } = config;
const emulator = await startEmulator({ db: database.db, port, host, identity, callsPerMinute });
console.log(
  JSON.stringify({
    msg: 'Kore.ai contacts emulator listening',
    url: emulator.url,
    contacts: `${emulator.url}/agentassist/api/v1/public/${identity.streamId}/contacts`,
    accountId: identity.accountId,
    clientId: identity.clientId,
    callsPerMinute,
    database: database.kind,
  }),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void emulator
      .close()
      .then(() => database.close())
      .then(() => process.exit(0));
  });
}
