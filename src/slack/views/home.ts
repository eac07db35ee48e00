import type { types } from '@slack/bolt';
import type { EndpointError } from '../../audit/health.js';
import type { HomeContent, ListedRequest } from '../../audit/home.js';
import { about, formatNumber, statusInWords } from '../../audit/report.js';
import { fullName } from '../../contact/contact.js';
import { ACTIONS } from '../actions.js';
import { NOT_ALLOWED } from '../deps.js';
import { slackStyle } from './report.js';
import { nextStepButton } from './buttons.js';
import { importHomeLine } from './import-progress.js';

const plain = (text: string) => ({ type: 'plain_text' as const, text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });

const ABOUT = 'Create contacts in Kore.ai Agent AI without leaving Slack.';

const HOW_TO_START = [
  'You have no contact requests yet. To create a contact:',
  '• press *New contact* above,',
  '• type `/addcontact` in any channel, or `/addcontact Dr. Priya Natarajan +91 99887 76655` to have the form filled in,',
  '• or choose *Save as contact* from the menu (⋯) of a message with a contact card.',
  "Each request is listed here with its outcome and contact ID, and you'll get a direct message when it is done.",
].join('\n');

/** Settings the home shows figures against. */
export interface HomeSettings {
  /** `KORE_RATE_LIMIT_PER_MIN`: the call budget's size. */
  callsPerMinute: number;
}

/**
 * The App Home of a user who may create contacts: the New contact button, their recent imports, their recent requests
 * with what they may do next, and for an admin the team's recent requests and the delivery's health. User-supplied
 * text is shown as text.
 */
export function homeView(content: HomeContent, settings: HomeSettings): types.HomeView {
  const blocks: types.KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(ABOUT),
      accessory: { type: 'button', action_id: ACTIONS.openAddContact, text: plain('New contact'), style: 'primary' },
    },
  ];
  const imports = content.imports ?? [];
  if (imports.length > 0) {
    blocks.push(
      { type: 'header', text: plain('Your imports') },
      ...imports.map((listed): types.KnownBlock => ({ type: 'section', text: mrkdwn(importHomeLine(listed)) })),
    );
  }
  if (content.mine.length === 0) blocks.push({ type: 'section', text: mrkdwn(HOW_TO_START) });
  else blocks.push({ type: 'header', text: plain('Your recent requests') }, ...content.mine.flatMap((row) => requestBlocks(row, false)));
  if (content.team) {
    const { requests, health, lastError } = content.team;
    blocks.push({ type: 'divider' }, { type: 'header', text: plain("The team's recent requests") });
    if (requests.length === 0) blocks.push({ type: 'section', text: mrkdwn('No requests yet.') });
    else blocks.push(...requests.flatMap((row) => requestBlocks(row, true)));
    blocks.push(
      { type: 'divider' },
      { type: 'header', text: plain('Delivery') },
      {
        type: 'section',
        fields: [
          mrkdwn(`*Waiting requests*\n${waiting(health.waitingRequests, health.oldestWaitSeconds)}`),
          mrkdwn(`*Call budget*\n${health.budgetCallsLastMinute} of ${settings.callsPerMinute} calls used in the last minute`),
        ],
      },
      { type: 'section', text: mrkdwn(`*The endpoint's last error*\n${endpointError(lastError)}`) },
    );
  }
  return { type: 'home', blocks };
}

/** The App Home of a user outside `ALLOWED_USER_IDS`: what the app is, and why they cannot use it. */
export function notAllowedHomeView(): types.HomeView {
  return { type: 'home', blocks: [{ type: 'section', text: mrkdwn(`${ABOUT}\n\n${NOT_ALLOWED}`) }] };
}

/** One request: what it is and came to, and a button for each thing that may be done with it next. */
function requestBlocks(row: ListedRequest, withWho: boolean): types.KnownBlock[] {
  const style = slackStyle;
  const contactId = row.contactId ?? row.targetContactId;
  const facts = [
    ...(withWho ? [style.user(row.userId)] : []),
    statusInWords(row),
    ...(contactId ? [`Contact ID: ${style.strong(style.text(contactId))}`] : []),
    style.time(row.createdAt),
  ];
  const section: types.SectionBlock = {
    type: 'section',
    text: mrkdwn(`${style.strong(style.text(fullName(row)))} · ${style.text(formatNumber(row))}\n${facts.join(' · ')}`),
  };
  const buttons = nextSteps(row);
  return buttons.length > 0 ? [section, { type: 'actions', elements: buttons }] : [section];
}

/** Edit and delete for a contact that stands as a request made it; retry for a request that failed. */
function nextSteps(row: ListedRequest): types.Button[] {
  if (row.status === 'failed') return [nextStepButton({ change: 'retry', requestId: row.id, label: 'Retry' })];
  if ((row.status !== 'created' && row.status !== 'updated') || !row.contactId || row.contactDeleted) return [];
  const subject = `${fullName(row)} (${formatNumber(row)})`;
  return [
    nextStepButton({ change: 'edit', requestId: row.id, label: 'Edit' }),
    nextStepButton({ change: 'delete', requestId: row.id, label: 'Delete' }, subject),
  ];
}

function waiting(requests: number, oldestWaitSeconds: number): string {
  if (requests === 0) return 'None';
  return `${requests.toLocaleString('en-US')}, the oldest for ${about(oldestWaitSeconds * 1000)}`;
}

/** The most of the endpoint's own words shown: it may answer a whole page, and a section holds 3,000 characters. */
const ERROR_TEXT_LIMIT = 300;

function endpointError(error: EndpointError | undefined): string {
  if (!error) return 'None recorded';
  const said = error.messages.join(' ');
  const what = said === '' ? 'No answer' : slackStyle.text(said.length > ERROR_TEXT_LIMIT ? `${said.slice(0, ERROR_TEXT_LIMIT)}…` : said);
  return `${what}${error.status === undefined ? '' : ` (HTTP ${error.status})`} · ${slackStyle.time(error.at)}`;
}
