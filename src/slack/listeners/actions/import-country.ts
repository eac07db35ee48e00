import type { AllMiddlewareArgs, BlockAction, ExternalSelectAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { countryByCode } from '../../countries.js';
import type { SlackDeps } from '../../deps.js';
import { draftPreview } from '../../import-preview.js';

/**
 * Another country chosen in the import preview: its rows are counted again with it, and the preview shows the new
 * counts. Nothing is recorded: the country that counts is the one the submit carries.
 */
export function importCountryChanged(deps: SlackDeps) {
  return async ({
    ack,
    action,
    body,
    client,
    logger,
  }: SlackActionMiddlewareArgs<BlockAction<ExternalSelectAction>> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const view = body.view;
    const country = countryByCode(action.selected_option?.value)?.code;
    if (!view || !country) return;
    const draft = await deps.imports.findDraft(view.private_metadata, body.user.id);
    if (!draft) return;
    try {
      // The hash makes Slack refuse this update if the view changed meanwhile (a later choice, the submit).
      await client.views.update({ view_id: view.id, hash: view.hash, view: await draftPreview(draft, country) });
    } catch (error) {
      logger.info({ err: error, import: draft.id }, 'the import preview was not updated (changed or closed since)');
    }
  };
}
