import type { types } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import type { HomeContent, ListedRequest } from '../../src/audit/home.js';
import type { ImportProgress } from '../../src/audit/import-progress.js';
import { NOT_ALLOWED } from '../../src/slack/deps.js';
import { homeView, notAllowedHomeView } from '../../src/slack/views/home.js';

const AT = new Date('2025-03-04T05:06:00Z');

function listed(id: number, fields: Partial<ListedRequest> = {}): ListedRequest {
  return {
    id,
    userId: 'U1',
    operation: 'create',
    status: 'created',
    salutation: 'Dr',
    firstName: 'Priya',
    lastName: 'Natarajan',
    phoneE164: '+919988776655',
    extension: null,
    contactId: `c-${id}`,
    targetContactId: null,
    createdAt: AT,
    contactDeleted: false,
    ...fields,
  };
}

function listedImport(id: string, fields: Partial<ImportProgress> = {}): ImportProgress {
  return {
    id,
    teamId: 'T1',
    userId: 'U1',
    fileName: `${id}.csv`,
    status: 'running',
    ignoredColumns: [],
    country: 'IN',
    requests: 10,
    notImportedCount: 0,
    channel: 'D1',
    ts: '1.2',
    shown: { created: 4, pending: 6 },
    shownAt: AT,
    leaseUntil: null,
    cancelledBy: null,
    cancelledAt: null,
    createdAt: AT,
    submittedAt: AT,
    finishedAt: null,
    ...fields,
  };
}

const HEALTH = { waitingRequests: 0, oldestWaitSeconds: 0, budgetCallsLastMinute: 0 };
const SETTINGS = { callsPerMinute: 60 };

type Block = { type: string; text?: { text: string }; fields?: { text: string }[]; accessory?: Button; elements?: Button[] };
type Button = { action_id: string; value?: string; style?: string; confirm?: unknown };

const blocksOf = (view: types.HomeView) => view.blocks as unknown as Block[];
const textOf = (view: types.HomeView) =>
  blocksOf(view)
    .flatMap((b) => [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)])
    .join('\n');
const buttonsOf = (view: types.HomeView) =>
  blocksOf(view).flatMap((b) => [...(b.accessory ? [b.accessory] : []), ...(b.type === 'actions' ? (b.elements ?? []) : [])]);
const actionsOf = (view: types.HomeView) => buttonsOf(view).map((b) => `${b.action_id}${b.value ? `:${b.value}` : ''}`);

describe('the App Home view', () => {
  it('a request: name, formatted number, status in words, contact ID and when, in Slack’s date format', () => {
    const view = homeView({ mine: [listed(7, { extension: '12' })] }, SETTINGS);
    expect(view.type).toBe('home');
    expect(textOf(view)).toContain(
      '*Dr Priya Natarajan* · +91 99887 76655 ext. 12\nCreated · Contact ID: *c-7* · <!date^1741064760^{date_short_pretty} at {time}|2025-03-04 05:06 UTC>',
    );
  });

  it.each<[string, Partial<ListedRequest>, string, string[]]>([
    ['created', {}, 'Created', ['edit_contact:1', 'delete_contact:1']],
    ['updated', { operation: 'update', status: 'updated', targetContactId: 'c-1' }, 'Updated', ['edit_contact:1', 'delete_contact:1']],
    ['created, deleted since', { contactDeleted: true }, 'Created, deleted since', []],
    ['updated, deleted since', { operation: 'update', status: 'updated', contactDeleted: true }, 'Updated, deleted since', []],
    ['a delete', { operation: 'delete', status: 'deleted', targetContactId: 'c-1' }, 'Deleted', []],
    ['failed', { status: 'failed', contactId: null }, 'Not created: the contacts service did not answer', ['retry_request:1']],
    [
      'a failed update',
      { operation: 'update', status: 'failed', contactId: null, targetContactId: 'c-9' },
      'Not updated',
      ['retry_request:1'],
    ],
    ['pending', { status: 'pending', contactId: null }, 'Being created', []],
    ['a pending delete', { operation: 'delete', status: 'pending', contactId: null, targetContactId: 'c-9' }, 'Being deleted', []],
    ['duplicate', { status: 'duplicate', contactId: null }, 'Not created: the number is already a contact', []],
    ['rejected', { status: 'rejected', contactId: null }, 'Not created: the contacts service refused it', []],
    ['unauthorized', { status: 'unauthorized', contactId: null }, "Not created: the contacts service refused the bot's credentials", []],
  ])('%s: says so and offers what may be done next', (_name, fields, words, actions) => {
    const view = homeView({ mine: [listed(1, fields)] }, SETTINGS);
    expect(textOf(view)).toContain(`\n${words}`);
    expect(actionsOf(view)).toEqual(['open_add_contact', ...actions]);
  });

  it('a change names the contact it acts on', () => {
    const view = homeView(
      { mine: [listed(1, { operation: 'delete', status: 'pending', contactId: null, targetContactId: 'c-42' })] },
      SETTINGS,
    );
    expect(textOf(view)).toContain('Contact ID: *c-42*');
  });

  it('delete asks first, naming the contact', () => {
    const remove = buttonsOf(homeView({ mine: [listed(3)] }, SETTINGS)).find((b) => b.action_id === 'delete_contact');
    expect(remove).toMatchObject({
      style: 'danger',
      confirm: {
        title: { type: 'plain_text', text: 'Delete this contact?' },
        text: { type: 'plain_text', text: 'Dr Priya Natarajan (+91 99887 76655) will be deleted from Kore.ai Agent AI.' },
        confirm: { type: 'plain_text', text: 'Delete' },
        deny: { type: 'plain_text', text: 'Cancel' },
      },
    });
  });

  it('shows what a user or the endpoint wrote as text, never as markup', () => {
    const view = homeView(
      {
        mine: [listed(1, { firstName: '<!channel>', lastName: '<https://evil.example|click> & co', contactId: '<@U0>' })],
        team: {
          requests: [listed(2, { userId: 'U2>', firstName: '<!here>' })],
          health: HEALTH,
          lastError: { at: AT, messages: ['<!everyone> broke & fell'] },
        },
      },
      SETTINGS,
    );
    const text = textOf(view);
    expect(text).toContain('*Dr &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co*');
    expect(text).toContain('Contact ID: *&lt;@U0&gt;*');
    expect(text).toContain('<@U2&gt;> · Created');
    expect(text).toContain('&lt;!here&gt;');
    expect(text).toContain('&lt;!everyone&gt; broke &amp; fell');
    expect(text).not.toMatch(/<!(channel|here|everyone)>|<https:/);
  });

  it('an empty home says what the app does and every way to start', () => {
    const view = homeView({ mine: [] }, SETTINGS);
    const text = textOf(view);
    for (const way of ['*New contact*', '`/addcontact`', '*Save as contact*']) expect(text).toContain(way);
    expect(actionsOf(view)).toEqual(['open_add_contact']);
    expect(text).not.toContain('Your recent requests');
  });

  it("an admin's home: the team's requests with who made them, then the delivery's health", () => {
    const view = homeView(
      {
        mine: [listed(1)],
        team: {
          requests: [listed(2, { userId: 'U2' }), listed(3, { userId: 'U3', status: 'failed', contactId: null })],
          health: { waitingRequests: 1234, oldestWaitSeconds: 150, budgetCallsLastMinute: 17 },
          lastError: { at: AT, status: 503, messages: ['Service Unavailable'] },
        },
      },
      SETTINGS,
    );
    const text = textOf(view);
    expect(text).toContain("The team's recent requests");
    expect(text).toContain('<@U2> · Created · Contact ID: *c-2*');
    expect(text).toContain('<@U3> · Not created');
    expect(text).toContain('*Waiting requests*\n1,234, the oldest for about 3 min');
    expect(text).toContain('*Call budget*\n17 of 60 calls used in the last minute');
    expect(text).toContain("*The endpoint's last error*\nService Unavailable (HTTP 503) · <!date^1741064760^");
    expect(actionsOf(view)).toEqual([
      'open_add_contact',
      'edit_contact:1',
      'delete_contact:1',
      'edit_contact:2',
      'delete_contact:2',
      'retry_request:3',
    ]);
  });

  it('a healthy delivery says nothing waits and no error is recorded; a long error is cut', () => {
    const quiet = textOf(homeView({ mine: [], team: { requests: [], health: HEALTH } }, SETTINGS));
    expect(quiet).toContain('*Waiting requests*\nNone');
    expect(quiet).toContain("*The endpoint's last error*\nNone recorded");
    const long = textOf(
      homeView({ mine: [], team: { requests: [], health: HEALTH, lastError: { at: AT, messages: ['x'.repeat(5_000)] } } }, SETTINGS),
    );
    expect(long).toContain(`${'x'.repeat(300)}… · <!date^`);
  });

  it("lists the user's imports, with where each stands, above their requests", () => {
    const view = homeView(
      {
        mine: [listed(1)],
        imports: [listedImport('leads'), listedImport('old', { status: 'done', shown: { created: 9, duplicate: 1 }, notImportedCount: 2 })],
      },
      SETTINGS,
    );
    const text = textOf(view);
    expect(text).toContain('*leads.csv*\nRunning · ▓▓▓▓░░░░░░ 40 % · 4 created · 6 waiting · <!date^');
    expect(text).toContain('*old.csv*\nDone · 9 created · 1 duplicate · 2 not imported · <!date^');
    expect(text.indexOf('Your imports')).toBeLessThan(text.indexOf('*leads.csv*'));
    expect(text.indexOf('*old.csv*')).toBeLessThan(text.indexOf('Your recent requests'));
    expect(textOf(homeView({ mine: [listed(1)], imports: [] }, SETTINGS))).not.toContain('Your imports');
  });

  it('stays within what Slack accepts: at most 100 blocks, sections under 3,000 characters', () => {
    const long = { firstName: 'A'.repeat(80), lastName: '&'.repeat(80), extension: '1234567890' };
    const content: HomeContent = {
      mine: Array.from({ length: 10 }, (_, i) => listed(i, long)),
      imports: Array.from({ length: 3 }, (_, i) => listedImport(String(i), { fileName: '&'.repeat(255), cancelledBy: 'U9' })),
      team: {
        requests: Array.from({ length: 10 }, (_, i) => listed(100 + i, { ...long, userId: `U${i}` })),
        health: HEALTH,
        lastError: { at: AT, status: 500, messages: ['&'.repeat(10_000)] },
      },
    };
    const view = homeView(content, SETTINGS);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    for (const block of blocksOf(view)) {
      for (const text of [block.text?.text ?? '', ...(block.fields ?? []).map((f) => f.text)]) expect(text.length).toBeLessThan(3_000);
    }
    for (const button of buttonsOf(view)) {
      const confirm = button.confirm as { text: { text: string } } | undefined;
      if (confirm) expect(confirm.text.text.length).toBeLessThanOrEqual(300);
    }
  });

  it('someone outside ALLOWED_USER_IDS is told why, with nothing to press', () => {
    const view = notAllowedHomeView();
    expect(textOf(view)).toContain(NOT_ALLOWED);
    expect(buttonsOf(view)).toEqual([]);
  });
});
