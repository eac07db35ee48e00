import { App, HTTPReceiver, SocketModeReceiver, type CustomRoute, type Logger, type Receiver } from '@slack/bolt';
import type { SlackDeps } from './deps.js';
import { BODY_LIMIT, guardReceiver } from './guard.js';
import { registerCommands } from './listeners/commands/index.js';
import { registerOptions } from './listeners/options/index.js';
import { registerShortcuts } from './listeners/shortcuts/index.js';
import { registerViews } from './listeners/views/index.js';
import { webApiOptions, WHILE_THE_USER_WAITS } from './web-api.js';

/** How this app reaches Slack. */
export interface SlackSettings {
  botToken: string;
  /** HTTP mode. */
  signingSecret?: string;
  /** Socket Mode, when set. */
  appToken?: string;
  apiUrl?: string;
  port: number;
}

/** Builds the Bolt app with every listener, on Bolt's HTTP receiver or in Socket Mode. */
export function createSlackApp(settings: SlackSettings, deps: SlackDeps, log: Logger, health: CustomRoute): App {
  const clientOptions = webApiOptions(log, settings.apiUrl);
  const receiver: Receiver = settings.appToken
    ? new SocketModeReceiver({
        appToken: settings.appToken,
        logger: log,
        customRoutes: [health],
        installerOptions: { clientOptions, port: settings.port },
      })
    : httpReceiver(settings.signingSecret ?? '', log, health);
  const app = new App({
    receiver,
    logger: log,
    logLevel: log.getLevel(),
    // The listeners' client makes only the calls a user is waiting on (the form opening).
    clientOptions: { ...clientOptions, ...WHILE_THE_USER_WAITS },
    authorize: async () => ({ botToken: settings.botToken }),
  });
  registerCommands(app, deps);
  registerShortcuts(app, deps);
  registerViews(app, deps);
  registerOptions(app);
  app.error(async (error) => log.error({ err: error }, 'listener failed'));
  return app;
}

/** Bolt's HTTP receiver, with malformed requests answered 4xx instead of crashing or 500. */
function httpReceiver(signingSecret: string, log: Logger, health: CustomRoute): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret,
    endpoints: '/slack/events',
    customRoutes: [health],
    logger: log,
    bodyLimit: BODY_LIMIT,
    // An error before any ack means the payload lacked what Bolt needs (user, team, view…): the sender's fault.
    processEventErrorHandler: async ({ error, response }) => {
      if (response.headersSent) return false;
      log.warn({ err: error }, 'malformed Slack request');
      response.writeHead(400).end();
      return true;
    },
  });
  guardReceiver(receiver, log);
  return receiver;
}
