import { webApi, type CustomRoute, type Logger } from '@slack/bolt';
import type { Registry } from 'prom-client';
import { callBudgetOf } from './audit/budget.js';
import { numberHolder } from './audit/contacts.js';
import { createDelivery } from './audit/delivery.js';
import { contactToChange, requestToRetry } from './audit/changeable.js';
import { findDraft, saveDraft, submitImport } from './audit/import-drafts.js';
import { cancelImport, findImport } from './audit/import-progress.js';
import { outcomeMessages } from './audit/notices.js';
import { createOutbox } from './audit/outbox.js';
import { replyToken } from './audit/reply-tokens.js';
import { reportRequest, type ReportDeps } from './audit/report.js';
import { submitter } from './audit/submit.js';
import type { AppConfig } from './config.js';
import { databaseAnswers, type Database } from './database.js';
import { openConfiguredDatabase } from './database-error.js';
import { connectEndpoint, type ContactsEndpoint } from './endpoint.js';
import { libraryLogger } from './log.js';
import { createMetrics } from './metrics.js';
import { permissions } from './permissions.js';
import { createSlackApp, type SlackSettings } from './slack/app.js';
import { slackFileOrigins } from './slack/download.js';
import { currentHome, homeRefresher } from './slack/home.js';
import { createImportReporter } from './slack/import-progress.js';
import { slackOutcomes } from './slack/outcomes.js';
import { stepCompletion, stepStyle } from './slack/step-outcomes.js';
import { slackStyle } from './slack/views/report.js';
import { webApiOptions } from './slack/web-api.js';

/**
 * How long an import's submit may take to record its requests: Slack waits 3 s for the ack, and the preview is counted
 * again before it.
 */
const IMPORT_SUBMIT_WITHIN_MS = 2_000;

/** A running contact bot. */
export interface ContactBot {
  database: Database;
  endpoint: ContactsEndpoint;
  /** Stops taking requests, lets deliveries in flight finish within `graceMs`, closes the database. */
  stop(graceMs: number): Promise<void>;
}

/** How the app reaches Slack; `loadConfig(env, 'app')` has checked they are there. */
function slackSettings(config: AppConfig): SlackSettings {
  return { ...config.slack, port: config.port };
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

/** `GET /metrics`: this instance's metrics in the Prometheus text format. */
function metricsRoute(registry: Registry, log: Logger): CustomRoute {
  return {
    path: '/metrics',
    method: ['GET'],
    handler: (_req, res) => {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        (error: unknown) => {
          log.error({ err: error }, 'metrics could not be gathered');
          res.writeHead(500).end();
        },
      );
    },
  };
}

/** Opens the database, connects the contacts endpoint, and starts Slack and the delivery worker. */
export async function startContactBot(config: AppConfig, log: Logger): Promise<ContactBot> {
  const settings = slackSettings(config);
  const database = await openConfiguredDatabase(config);
  const endpoint = await connectEndpoint(config, database.db, log);
  const slackLog = libraryLogger(log);
  const metrics = createMetrics(database.db, { log });
  // The DMs' client tries little and never waits out a rate limit: the outbox retries from the database, at
  // Retry-After. A send is then at most ~33 s (3 attempts of 10 s, 1 s and 2 s apart), well inside the outbox's
  // 120 s lease, so no other poll sends the same DM meanwhile.
  const client = new webApi.WebClient(settings.botToken, {
    ...webApiOptions(slackLog, settings.apiUrl),
    logger: slackLog,
    timeout: 10_000,
    retryConfig: { retries: 2, factor: 2, minTimeout: 1_000, maxTimeout: 2_000 },
    rejectRateLimitedCalls: true,
  });
  const budget = callBudgetOf(database.db, { accountId: endpoint.accountId, callsPerMinute: config.delivery.callsPerMinute });
  const rights = permissions(config);
  const reports: ReportDeps = { db: database.db, budget, batchSize: config.delivery.batchSize, mayChange: rights.mayChange };
  const completeStep = stepCompletion({
    client,
    report: (row) => reportRequest(reports, row, stepStyle),
    executionToken: (requestId) => replyToken(database.db, requestId),
    holderOf: async (e164) => (await numberHolder(database.db, e164))?.contactId,
  });
  const home = (userId: string) =>
    currentHome({ db: database.db, permissions: rights, callsPerMinute: config.delivery.callsPerMinute }, userId);
  const refreshHome = homeRefresher({ client, home, log });
  const outbox = createOutbox(database.db, {
    send: metrics.countDms(
      slackOutcomes({
        client,
        report: (row, queued) => reportRequest(reports, row, slackStyle, queued),
        completeStep,
        outcomeMessages: (contactId) => outcomeMessages(database.db, contactId),
        log,
      }),
    ),
    log,
  });
  // Imports' rows are told together, by one progress message per import, which refreshes its user's App Home.
  const importProgress = createImportReporter(database.db, {
    client,
    pace: { budget, batchSize: config.delivery.batchSize },
    refreshHome: refreshHome.user,
    log,
  });
  const delivery = createDelivery(database.db, {
    contacts: metrics.measureCalls(endpoint.contacts),
    budget,
    batchSize: config.delivery.batchSize,
    // Whoever made the request is told from the outbox: the notice was recorded with the change it tells. Their App
    // Home shows the outcome after that; a failure there is only logged, and never touches the notice.
    hooks: metrics.countSettled({
      onQueued: (row) => outbox.tellNow(row.id),
      onSettled: async (row) => {
        await outbox.tellNow(row.id);
        await refreshHome(row);
      },
    }),
    log,
    deadlineMs: config.delivery.deadlineMs,
    leaseMs: config.delivery.leaseMs,
  });
  const app = createSlackApp(
    settings,
    {
      submit: submitter({ delivery: metrics.countAccepted(delivery), defaultCountry: config.defaultCountry }),
      report: (row) => reportRequest(reports, row, slackStyle),
      contactToChange: (requestId) => contactToChange(database.db, requestId),
      requestToRetry: (requestId) => requestToRetry(database.db, requestId),
      imports: {
        saveDraft: (draft) => saveDraft(database.db, draft),
        findDraft: (key, userId) => findDraft(database.db, key, userId),
        submit: metrics.countImported((submission) => submitImport(database.db, submission, IMPORT_SUBMIT_WITHIN_MS)),
        toCancel: (importId) => findImport(database.db, importId),
        cancel: async (importId, by) => {
          const cancelled = await cancelImport(database.db, importId, by);
          importProgress.nudge();
          return cancelled !== undefined;
        },
      },
      home,
      defaultCountry: config.defaultCountry,
      permissions: rights,
      fileOrigins: slackFileOrigins(settings.apiUrl),
    },
    slackLog,
    [healthRoute(database), metricsRoute(metrics.registry, log)],
  );
  await app.start(config.port);
  delivery.start();
  outbox.start();
  importProgress.start();
  log.info({ port: config.port, mode: settings.appToken ? 'socket' : 'http', database: database.kind }, 'contact bot started');
  return {
    database,
    endpoint,
    async stop(graceMs) {
      await app.stop().catch((error: unknown) => log.warn({ err: error }, 'receiver did not stop cleanly'));
      const until = Date.now() + graceMs;
      await delivery.stop(graceMs);
      const rest = Math.max(0, until - Date.now());
      await Promise.all([outbox.stop(rest), importProgress.stop(rest)]);
      await endpoint.emulator?.close();
      await database.close();
    },
  };
}
