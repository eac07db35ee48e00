import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { NOT_ALLOWED, type SlackDeps } from '../../deps.js';
import { openForm, type FormRequest } from '../../open-form.js';
import { blankModal } from '../../prefilled-modal.js';

/**
 * The App Home's **New contact** button: the same empty form as `/addcontact`. A click in the home has no
 * response_url, so what the user must be told (not allowed, the form did not open) comes as a DM.
 */
export function openAddContact(deps: SlackDeps) {
  return async ({ ack, body, client, logger }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const request: FormRequest = {
      user: body.user.id,
      tell: (text) => client.chat.postMessage({ channel: body.user.id, text }),
      again: '*New contact*',
      logger,
    };
    if (!deps.permissions.mayCreateContacts(body.user.id)) return void (await request.tell(NOT_ALLOWED));
    await openForm(client, body.trigger_id, blankModal(deps.defaultCountry, { source: 'home' }), request);
  };
}
