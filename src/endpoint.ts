import { randomBytes } from 'node:crypto';
import type { Logger } from '@slack/bolt';
import type { Config } from './config.js';
import type { Db } from './database.js';
import { startEmulator, type Emulator } from './emulator/server.js';
import { koreClient, type CreateContacts } from './kore/client.js';

/** The contacts endpoint this process talks to. */
export interface ContactsEndpoint {
  createContacts: CreateContacts;
  /** Set when the built-in emulator stands in for Kore.ai. */
  emulator?: Emulator;
}

/** Connects to Kore.ai when `KORE_HOST` is set; otherwise starts the built-in emulator on loopback. */
export async function connectEndpoint(config: Config, db: Db, log: Logger): Promise<ContactsEndpoint> {
  const options = { defaultExtension: config.defaultExtension, timeoutMs: config.delivery.timeoutMs };
  if (config.kore) return { createContacts: koreClient(config.kore, options) };

  const identity = {
    streamId: 'st-emulator',
    accountId: 'emulator-account',
    clientId: 'cs-emulator',
    clientSecret: randomBytes(32).toString('hex'),
    enforceJti: false,
  };
  const emulator = await startEmulator({ db, identity });
  log.warn(
    `KORE_HOST is not set: contacts go to the BUILT-IN EMULATOR at ${emulator.url}, not to Kore.ai. ` +
      'Set KORE_HOST and the KORE_* settings to create real contacts.',
  );
  return { createContacts: koreClient({ host: emulator.url, ...identity }, options), emulator };
}
