import { randomBytes } from 'node:crypto';
import type { Config } from './config.js';
import type { Db } from './database.js';
import { startEmulator, type Emulator } from './emulator/server.js';
import { koreClient, type ContactsClient } from './kore/client.js';
import { EMULATOR_IDENTITY } from './kore/endpoint.js';
import type { Log } from './log.js';

/** The contacts endpoint this process talks to. */
export interface ContactsEndpoint {
  contacts: ContactsClient;
  /** The vendor account the calls count against. */
  accountId: string;
  /** Set when the built-in emulator stands in for Kore.ai. */
  emulator?: Emulator;
}

/** Connects to Kore.ai when `KORE_HOST` is set; otherwise starts the built-in emulator on loopback. */
export async function connectEndpoint(config: Config, db: Db, log: Log): Promise<ContactsEndpoint> {
  const options = { defaultExtension: config.defaultExtension, timeoutMs: config.delivery.timeoutMs };
  if (config.kore) return { contacts: koreClient(config.kore, options), accountId: config.kore.accountId };

  // Nothing outside this process calls this emulator: a secret of its own keeps it so.
  const identity = { ...EMULATOR_IDENTITY, clientSecret: randomBytes(32).toString('hex') };
  const emulator = await startEmulator({ db, identity });
  log.warn(
    `KORE_HOST is not set: contacts go to the BUILT-IN EMULATOR at ${emulator.url}, not to Kore.ai. ` +
      'Set KORE_HOST and the KORE_* settings to create real contacts.',
  );
  return { contacts: koreClient({ host: emulator.url, ...identity }, options), accountId: identity.accountId, emulator };
}
