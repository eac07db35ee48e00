import type { SlackDeps } from '../../deps.js';
import { tellClicker, type ButtonArgs } from './clicked.js';

/** What a user who may not cancel an import is told (nothing is changed); also for an import that is not there. */
export const NOT_YOUR_IMPORT = 'Only the person who started this import, or an admin of this app, can cancel it. Nothing was changed.';

/**
 * **Cancel import** (`cancel_import`, confirmed in Slack first) on an import's progress message, for the user who
 * started it or an admin: the rows not yet sent are cancelled, and the progress message says so at its next edit. A
 * second click finds it cancelled already and changes nothing.
 */
export function cancelImportButton(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const clicker = args.body.user.id;
    const record = await deps.imports.toCancel(args.action.value ?? '');
    if (!record || !deps.permissions.mayChange(clicker, record.userId)) return tellClicker(args, NOT_YOUR_IMPORT);
    const finished = 'Every row of this import has been sent already: nothing was left to cancel.';
    if (record.status === 'done') return tellClicker(args, finished);
    try {
      if (!(await deps.imports.cancel(record.id, clicker)) && !record.cancelledAt) await tellClicker(args, finished);
    } catch (error) {
      args.logger.error({ import: record.id, err: error }, 'could not cancel an import');
      await tellClicker(args, 'The bot could not cancel the import just now. Nothing was changed; please try again in a minute.');
    }
  };
}
