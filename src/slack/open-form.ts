import { webApi, type Logger, type types } from '@slack/bolt';
import { escapeMrkdwn } from './views/mrkdwn.js';

/** Who is waiting for the form, and how to reach them if it does not open. */
export interface FormRequest {
  user: string;
  /** Tells the user who asked (an ephemeral message to the command's or shortcut's response_url, or a DM). */
  tell(text: string): Promise<unknown>;
  /** How the user asks again: `` `/addcontact` ``, `*Save as contact*` `*New contact*` or `*Edit*`. */
  again: string;
  logger: Logger;
}

/**
 * Runs the Web API call (`method`) that shows the user the form. The listeners' client retries it only within the
 * trigger's life (web-api.ts); when it still fails, the user is told so instead of seeing nothing, and the result is
 * undefined.
 */
export async function showForm<T>(method: string, call: () => Promise<T>, request: FormRequest): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if ((error as { data?: { error?: unknown } }).data?.error === 'exchanged_trigger_id') {
      // An earlier attempt opened the form, and only its answer was lost (cut off by the attempt timeout).
      request.logger.info({ method, user: request.user }, 'the contact form opened on an earlier attempt');
      return undefined;
    }
    request.logger.warn({ method, user: request.user, err: error }, 'the contact form could not open');
    const text = `Sorry, the contact form could not open: ${whyNotOpen(error, request.again)}`;
    await request.tell(text).catch((failure: unknown) => {
      request.logger.warn({ form: method, user: request.user, err: failure }, 'could not tell the user the form did not open');
    });
    return undefined;
  }
}

/**
 * Opens the form with the trigger of the user's click or command; `view` may be serialised already (the Web API client
 * sends a string as it is, where an object it would deep-copy and serialise on every call).
 */
export function openForm(client: webApi.WebClient, triggerId: string, view: types.ModalView | string, request: FormRequest) {
  return showForm('views.open', () => client.views.open({ trigger_id: triggerId, view: view as types.ModalView }), request);
}

/** Why the form did not open, and what the user can do, in words for the user. */
function whyNotOpen(error: unknown, again: string): string {
  const { code, data } = error as { code?: unknown; data?: { error?: unknown } };
  const later = `Please try ${again} again in a moment.`;
  if (code === webApi.ErrorCode.RateLimitedError) return `Slack asked the app to slow down. ${later}`;
  if (code === webApi.ErrorCode.PlatformError) {
    if (data?.error === 'expired_trigger_id') return `it took too long, and Slack no longer accepts the request. ${later}`;
    // The form itself was refused (invalid_arguments, a field too long…): asking again gives the same form.
    return `Slack refused it (\`${escapeMrkdwn(String(data?.error).slice(0, 60))}\`). Please try ${again} again; if this happens again, tell your Slack admin.`;
  }
  // Timed out, unreachable, or an HTTP error from Slack's side (503).
  return `Slack did not answer in time. ${later}`;
}
