import type { Logger, RespondFn } from '@slack/bolt';

/** Who is waiting for the form, and how to reach them if it does not open. */
export interface FormRequest {
  user: string;
  /** The command's or shortcut's response_url: an ephemeral message to the user who asked. */
  respond: RespondFn;
  /** How the user asks again: `` `/addcontact` `` or `*Save as contact*`. */
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
    const text = `Sorry, the contact form could not open: Slack did not answer in time. Please try ${request.again} again in a moment.`;
    await request.respond({ response_type: 'ephemeral', text }).catch((failure: unknown) => {
      request.logger.warn({ method: 'response_url', user: request.user, err: failure }, 'could not tell the user the form did not open');
    });
    return undefined;
  }
}
