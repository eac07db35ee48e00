import { ConfigError, loadConfig } from './config.js';
import { FolderInUseError } from './folder-lock.js';
import { createLogger } from './log.js';
import { startContactBot } from './server.js';

const SHUTDOWN_GRACE_MS = 8_000;

try {
  const config = loadConfig(process.env, 'app');
  const log = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));
  const bot = await startContactBot(config, log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS + 1_500).unref();
    void bot.stop(SHUTDOWN_GRACE_MS).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (error) {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) process.stderr.write(`contact-bot: ${problem}\n`);
  } else if (error instanceof FolderInUseError) {
    process.stderr.write(`contact-bot: ${error.message}\n`);
  } else {
    process.stderr.write(`contact-bot: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
}
