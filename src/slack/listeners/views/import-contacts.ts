import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { previewImport } from '../../../contact/import-preview.js';
import { countryByCode } from '../../countries.js';
import { NOT_ALLOWED, type SlackDeps } from '../../deps.js';
import { IMPORT_COUNTRY, importStartedModal, readImportModal } from '../../views/import-modal.js';

/**
 * **Create N contacts** on the import preview: the draft's rows, read again with the chosen country, become requests
 * in one transaction before the ack, so the modal says they are on their way only once they are.
 */
export function importSubmission(deps: SlackDeps) {
  return async ({ ack, body, view, logger }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const refuse = (message: string) => ack({ response_action: 'errors', errors: { [IMPORT_COUNTRY]: message } });
    const userId = body.user.id;
    if (!deps.permissions.mayCreateContacts(userId)) return refuse(NOT_ALLOWED);
    const { draftKey, countryCode } = readImportModal(view);
    const country = countryByCode(countryCode)?.code ?? deps.defaultCountry;
    const draft = await deps.imports.findDraft(draftKey, userId);
    const rows = draft?.draft ?? [];
    const preview = await previewImport(rows, country);
    if (draft && preview.ready.length === 0) return refuse('No row is ready to create with this country.');
    const teamId = body.team?.id ?? body.user.team_id;
    let submitted: Awaited<ReturnType<SlackDeps['imports']['submit']>>;
    try {
      submitted = await deps.imports.submit({ importId: draftKey, userId, ...(teamId ? { teamId } : {}), country, preview, rows });
    } catch (error) {
      logger.error({ err: error, import: draftKey }, 'could not record an import');
      return refuse('The bot could not save this import just now. Nothing was created; please try again in a minute.');
    }
    if (submitted.kind === 'gone')
      return refuse('This preview is no longer open to import (a day old, or not yours). Share the file again.');
    await ack({ response_action: 'update', view: importStartedModal(submitted.record.fileName, submitted.record.requests) });
  };
}
