import type { types } from '@slack/bolt';
import type { Report, ReportStyle } from '../../audit/report.js';
import type { Operation } from '../../kore/outcome.js';
import { nextStepButton } from './buttons.js';
import { CONTACT_MODAL, formOf } from './contact-modal.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** Slack's own rendering of names, users and times in a report. */
export const slackStyle: ReportStyle = {
  text: escapeMrkdwn,
  strong: (text) => `*${text}*`,
  user: (userId) => `<@${escapeMrkdwn(userId)}>`,
  time: (at) => {
    const seconds = Math.floor(at.getTime() / 1000);
    return `<!date^${seconds}^{date_short_pretty} at {time}|${at.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;
  },
};

/** Slack refuses a section whose text is longer, and a refused DM would be retried in vain. */
const SECTION_LIMIT = 3_000;
const CUT = '\n…';

/**
 * A report as a message: `text` carries everything for notifications and screen readers; what the user may do next
 * is a row of buttons, each carrying only the id of the request it acts on.
 */
export function reportMessage(report: Report): { text: string; blocks: types.KnownBlock[] } {
  const body = fitted(report.lines.join('\n'), SECTION_LIMIT);
  const next = report.next ?? [];
  return {
    text: `${report.title}\n${body}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: report.title } },
      { type: 'section', text: { type: 'mrkdwn', text: body } },
      ...(next.length > 0 ? [{ type: 'actions' as const, elements: next.map((step) => nextStepButton(step)) }] : []),
    ],
  };
}

/** An earlier report's message once its contact is deleted: as it was, without its buttons, and saying so. */
export function deletedMessage(report: Report, deleted: string): { text: string; blocks: types.KnownBlock[] } {
  const { text, blocks } = reportMessage({ title: report.title, lines: report.lines });
  return {
    text: `${text}\n${deleted}`,
    blocks: [...blocks, { type: 'context', elements: [{ type: 'mrkdwn', text: `:wastebasket: ${deleted}` }] }],
  };
}

/** The text, or as many of its first lines as fit in `limit` characters with a mark that more was left out. */
function fitted(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const lastLine = text.lastIndexOf('\n', limit - CUT.length);
  return text.slice(0, lastLine > 0 ? lastLine : limit - CUT.length) + CUT;
}

/** A report in place of the form that made the request (its buttons are in the DM, which stays). */
export function reportModal(report: Report, operation: Operation): types.ModalView {
  const form = formOf(operation);
  return {
    type: 'modal',
    callback_id: form.callbackId,
    title: { type: 'plain_text', text: form.title },
    close: { type: 'plain_text', text: 'Done' },
    blocks: reportMessage({ title: report.title, lines: report.lines }).blocks,
  };
}

/** Shown while a shared message's files are read: its cards, or a spreadsheet to import. */
export function loadingModal(what = 'the contact card'): types.ModalView {
  return {
    type: 'modal',
    callback_id: CONTACT_MODAL,
    title: { type: 'plain_text', text: 'Add contact' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:hourglass_flowing_sand: Reading ${what}…` } }],
  };
}
