import type { AllMiddlewareArgs, MessageShortcut, SlackShortcutMiddlewareArgs, types } from '@slack/bolt';
import { parseCard } from '../../../contact/card.js';
import { NOT_ALLOWED, type SlackDeps } from '../../deps.js';
import { downloadVCard } from '../../download.js';
import { cardsImport, csvImport } from '../../import-preview.js';
import { csvFiles, fileName, messageCard, vCardFiles, type SlackMessage } from '../../message-card.js';
import { showForm, type FormRequest } from '../../open-form.js';
import { prefilledModal } from '../../prefilled-modal.js';
import { escapeMrkdwn } from '../../views/mrkdwn.js';
import { loadingModal } from '../../views/report.js';

/**
 * "Save as contact" on a message: the contact modal prefilled from the card it carries, or the import modal when its
 * files hold several contacts (a CSV, or more than one card). When there are files to read, a loading modal is opened
 * at once so the trigger does not expire during the download.
 */
export function saveContactShortcut(deps: SlackDeps) {
  return async ({
    shortcut,
    ack,
    client,
    respond,
    context,
    logger,
  }: SlackShortcutMiddlewareArgs<MessageShortcut> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    if (!deps.permissions.mayCreateContacts(shortcut.user.id))
      return void (await respond({ response_type: 'ephemeral', text: NOT_ALLOWED }));
    const message: SlackMessage = shortcut.message ?? {};
    const [csv] = csvFiles(message);
    const files = vCardFiles(message);
    const request: FormRequest = {
      user: shortcut.user.id,
      tell: (text) => respond({ response_type: 'ephemeral', text }),
      again: '*Save as contact*',
      logger,
    };
    const open = (view: types.ModalView) =>
      showForm('views.open', () => client.views.open({ trigger_id: shortcut.trigger_id, view }), request);
    const loading = csv || files.length > 0 ? await open(loadingModal(csv ? 'the spreadsheet' : undefined)) : undefined;
    if ((csv || files.length > 0) && loading === undefined) return; // the user has been told the form could not open
    const viewId = loading?.view?.id;
    const show = async (view: types.ModalView) => {
      if (viewId) await showForm('views.update', () => client.views.update({ view_id: viewId, view }), request);
      else await open(view);
    };
    const importer = { userId: shortcut.user.id, teamId: shortcut.team?.id, botToken: context.botToken ?? '', logger };
    if (csv) return show(await csvImport(deps, importer, csv));

    const vcards: string[] = [];
    const unread: string[] = [];
    for (const file of files) {
      try {
        vcards.push(await downloadVCard(file, context.botToken ?? '', deps.fileOrigins));
      } catch (error) {
        logger.warn({ err: error, file: file.name }, 'could not download a vCard');
        unread.push(escapeMrkdwn(`${fileName(file, 'the attached card')} (${error instanceof Error ? error.message : 'unreadable'})`));
      }
    }
    const cards = await cardsImport(
      deps,
      importer,
      files.length === 1 ? fileName(files[0]!, 'the card file') : `${files.length} card files`,
      vcards,
    );
    if (cards) return show(cards);
    const { drafts } = parseCard(messageCard(message, vcards));
    await show(prefilledModal(drafts[0] ?? {}, deps.defaultCountry, { source: 'shortcut' }, shortcutNote(drafts.length, unread)));
  };
}

function shortcutNote(found: number, unread: string[]): string | undefined {
  const notes = [
    ...unread.map((file) => `:warning: I couldn't read ${file}; the form has what the message itself gave.`),
    ...(found === 0 ? ["I couldn't find a name or number in that message, so the form is empty."] : []),
    ...(found > 1 ? [`That message has ${found} contacts; this form has the first. Save the others with \`/addcontact\`.`] : []),
  ];
  return notes.length > 0 ? notes.join('\n') : undefined;
}
