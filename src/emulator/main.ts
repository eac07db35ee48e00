import { z } from 'zod';
import { openDatabase } from '../database.js';
import { startEmulator } from './server.js';

const Env = z.object({
  EMULATOR_PORT: z.coerce.number<string | undefined>().int().min(0).max(65535).default(4010),
  EMULATOR_HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().optional(),
  PGLITE_DIR: z.string().default('./.data/emulator'),
  KORE_STREAM_ID: z.string().default('st-emulator'),
  KORE_ACCOUNT_ID: z.string().default('emulator-account'),
  KORE_CLIENT_ID: z.string().default('cs-emulator'),
  KORE_CLIENT_SECRET: z.string().default('emulator-secret'),
  KORE_ENFORCE_JTI: z.enum(['true', 'false']).default('false'),
});

const parsed = Env.safeParse(process.env);
if (!parsed.success) {
  for (const issue of parsed.error.issues) console.error(`${issue.path.join('.')}: ${issue.message}`);
  process.exit(2);
}
const env = parsed.data;
const database = await openDatabase({ databaseUrl: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR });
const emulator = await startEmulator({
  db: database.db,
  port: env.EMULATOR_PORT,
  host: env.EMULATOR_HOST,
  identity: {
    streamId: env.KORE_STREAM_ID,
    accountId: env.KORE_ACCOUNT_ID,
    clientId: env.KORE_CLIENT_ID,
    clientSecret: env.KORE_CLIENT_SECRET,
    enforceJti: env.KORE_ENFORCE_JTI === 'true',
  },
});
console.log(
  JSON.stringify({
    msg: 'Kore.ai contacts emulator listening',
    url: emulator.url,
    contacts: `${emulator.url}/agentassist/api/v1/public/${env.KORE_STREAM_ID}/contacts`,
    accountId: env.KORE_ACCOUNT_ID,
    clientId: env.KORE_CLIENT_ID,
    database: database.kind,
  }),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => database.close()).then(() => process.exit(0));
  });
}
