import { webApi, type CustomRoute, type Logger } from '@slack/bolt';
import { createDelivery } from './audit/delivery.js';
import { ConfigError, type Config } from './config.js';
import { databaseAnswers, openDatabase, type Database } from './database.js';
import { connectEndpoint, type ContactsEndpoint } from './endpoint.js';
import { libraryLogger } from './log.js';
import { createSlackApp, type SlackSettings } from './slack/app.js';
import { slackNotifier } from './slack/notify.js';

/** A running contact bot. */
export interface ContactBot {
  database: Database;
  endpoint: ContactsEndpoint;
  /** Stops taking requests, lets deliveries in flight finish within `graceMs`, closes the database. */
  stop(graceMs: number): Promise<void>;
}

/** The Slack settings the app cannot run without, or one line per missing one. */
export function slackSettings(config: Config): SlackSettings {
  const { botToken, signingSecret, appToken, apiUrl } = config.slack;
  const problems = [
    ...(botToken ? [] : ['SLACK_BOT_TOKEN: is required to run the Slack app']),
    ...(appToken || signingSecret ? [] : ['SLACK_SIGNING_SECRET: is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)']),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  return { botToken: botToken!, signingSecret, appToken, apiUrl, port: config.port };
}

function healthRoute(database: Database): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req, res) => {
      void databaseAnswers(database.db).then((ok) => {
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok, database: database.kind }));
      });
    },
  };
}

/** Opens the database, connects the contacts endpoint, and starts Slack and the delivery worker. */
export async function startContactBot(config: Config, log: Logger): Promise<ContactBot> {
  const settings = slackSettings(config);
  const database = await openDatabase(config);
  const endpoint = await connectEndpoint(config, database.db, log);
  const slackLog = libraryLogger(log);
  const client = new webApi.WebClient(settings.botToken, {
    logger: slackLog,
    timeout: 10_000,
    retryConfig: { retries: 4, factor: 2 },
    ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
  });
  const notifier = slackNotifier(client, database.db, log);
  const delivery = createDelivery(database.db, {
    createContacts: endpoint.createContacts,
    hooks: notifier,
    log,
    deadlineMs: config.delivery.deadlineMs,
    leaseMs: config.delivery.leaseMs,
  });
  const app = createSlackApp(
    settings,
    {
      db: database.db,
      delivery,
      defaultCountry: config.defaultCountry,
      allowedUserIds: config.allowedUserIds,
      fileHosts: new Set(['files.slack.com', ...(settings.apiUrl ? [new URL(settings.apiUrl).host] : [])]),
    },
    slackLog,
    healthRoute(database),
  );
  await app.start(config.port);
  delivery.start();
  notifier.start();
  log.info({ port: config.port, mode: settings.appToken ? 'socket' : 'http', database: database.kind }, 'contact bot started');
  return {
    database,
    endpoint,
    async stop(graceMs) {
      await app.stop().catch((error: unknown) => log.warn({ err: error }, 'receiver did not stop cleanly'));
      const until = Date.now() + graceMs;
      await delivery.stop(graceMs);
      await notifier.stop(Math.max(0, until - Date.now()));
      await endpoint.emulator?.close();
      await database.close();
    },
  };
}
