import type { Logger, webApi } from '@slack/bolt';

/** A call with no deadline of its own (Bolt's `respond` to a response_url) gives up after this. */
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Settings every Web API client of the app shares: `SLACK_API_URL`, and a fetch that logs each failed call with the
 * Web API method it was for (the client's own "http request failed" line names none; `libraryLogger` drops it).
 */
export function webApiOptions(log: Logger, apiUrl?: string): webApi.WebClientOptions {
  return { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), fetch: namedFailures(log) };
}

/**
 * For the client Bolt hands to listeners, whose calls a user is waiting on: `views.open` with a trigger_id that
 * Slack lets live 3 s, and the shortcut's update of its loading modal. Attempts of 1 s, retried only while fewer
 * than 1.5 s have passed (the last one starts by 1.9 s and ends by 2.9 s), no waiting out a rate limit; then the
 * listener tells the user the form could not open. The DMs' client keeps its long backoff (server.ts).
 */
export const WHILE_THE_USER_WAITS: webApi.WebClientOptions = {
  timeout: 1_000,
  retryConfig: { retries: 10, factor: 2, minTimeout: 100, maxTimeout: 400, maxRetryTime: 1_500 },
  rejectRateLimitedCalls: true,
};

function namedFailures(log: Logger): webApi.FetchFunction {
  return async (url, init) => {
    const method = methodOf(url);
    try {
      const response = await fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(DEFAULT_TIMEOUT_MS) });
      if (!response.ok) {
        log.warn(
          { method, status: response.status, retryAfter: response.headers.get('retry-after') ?? undefined },
          'Slack Web API call failed',
        );
      }
      return response;
    } catch (error) {
      log.warn({ method, err: error }, 'Slack Web API call failed');
      throw error;
    }
  };
}

/** `…/api/views.open` → `views.open`; a URL that names no method is a response_url (Bolt's `respond`). */
function methodOf(url: string | URL): string {
  const last = String(url).split('?')[0]!.split('/').pop() ?? '';
  return /^[a-z]+(\.[a-zA-Z]+)+$/.test(last) ? last : 'response_url';
}
