import type { Server } from 'node:http';
import type { ListenOptions } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver, type CustomRoute, type Logger, type Receiver } from '@slack/bolt';
import type { SlackDeps } from './deps.js';
import { BODY_LIMIT, guardReceiver } from './guard.js';
import { registerActions } from './listeners/actions/index.js';
import { registerCommands } from './listeners/commands/index.js';
import { registerFunctions } from './listeners/functions/index.js';
import { registerEvents } from './listeners/events/index.js';
import { registerOptions } from './listeners/options/index.js';
import { registerShortcuts } from './listeners/shortcuts/index.js';
import { registerViews } from './listeners/views/index.js';
import { BODY_IDLE_MS } from '../read-body.js';
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
  /** HTTP mode's limits on each connection; unset ones are `HTTP_LIMITS`'. */
  http?: Partial<HttpLimits>;
}

/** How long a sender may hold a connection of HTTP mode, and how many it may hold. */
export interface HttpLimits {
  /** Headers and body, whole: Slack sends a few KB at once, so a request still arriving after this is not Slack's. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** A body that stops arriving this long is given up (408) before the request timeout. */
  bodyIdleMs: number;
  /** How often open connections are checked against the timeouts (Node's default is 30 s). */
  checkEveryMs: number;
  /** Open connections at most: far below the process's file descriptors (often 1,024), so /healthz and the database keep some. */
  maxConnections: number;
}

export const HTTP_LIMITS: HttpLimits = {
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  bodyIdleMs: BODY_IDLE_MS,
  checkEveryMs: 1_000,
  maxConnections: 500,
};

const EVENTS_PATH = '/slack/events';

/** Builds the Bolt app with every listener, on Bolt's HTTP receiver or in Socket Mode. */
export function createSlackApp(settings: SlackSettings, deps: SlackDeps, log: Logger, routes: CustomRoute[]): App {
  const clientOptions = webApiOptions(log, settings.apiUrl);
  const receiver: Receiver = settings.appToken
    ? new SocketModeReceiver({
        appToken: settings.appToken,
        logger: log,
        customRoutes: routes,
        installerOptions: { clientOptions, port: settings.port },
      })
    : httpReceiver(settings.signingSecret ?? '', log, routes, { ...HTTP_LIMITS, ...settings.http });
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
  registerActions(app, deps);
  registerOptions(app);
  registerFunctions(app, deps);
  registerEvents(app, deps);
  app.error(async (error) => log.error({ err: error }, 'listener failed'));
  return app;
}

/** Bolt's HTTP receiver, with malformed requests answered 4xx instead of crashing or 500, and `limits` on its server. */
function httpReceiver(signingSecret: string, log: Logger, routes: CustomRoute[], limits: HttpLimits): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret,
    endpoints: EVENTS_PATH,
    customRoutes: routes,
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
  guardReceiver(receiver, log, EVENTS_PATH, limits.bodyIdleMs);
  limitServer(receiver, limits);
  return receiver;
}

/** Starts Bolt's server with `limits` (App.start passes only the port; this app never serves HTTPS itself). */
function limitServer(receiver: HTTPReceiver, limits: HttpLimits): void {
  const start = receiver.start.bind(receiver);
  const limited = async (port: number | string | ListenOptions): Promise<Server> => {
    const server = await start(port, {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: limits.checkEveryMs,
    });
    server.maxConnections = limits.maxConnections;
    return server;
  };
  receiver.start = limited as HTTPReceiver['start'];
}
