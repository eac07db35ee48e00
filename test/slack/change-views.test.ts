import fc from 'fast-check';
import type { ViewOutput } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/audit/report.js';
import { reportRequest, type ReportDeps } from '../../src/audit/report.js';
import type { RequestRow } from '../../src/audit/requests.js';
import { editModal, prefilledModal } from '../../src/slack/prefilled-modal.js';
import { FIELD_BLOCKS, readEditMetadata } from '../../src/slack/views/contact-modal.js';
import { deletedMessage, reportMessage, reportModal, slackStyle } from '../../src/slack/views/report.js';

type Block = { type: string; block_id?: string; element?: Record<string, any>; elements?: Record<string, any>[] };

const current = {
  id: 41,
  salutation: 'Dr',
  firstName: 'Priya',
  lastName: 'Natarajan',
  phoneE164: '+447400123456',
  extension: '12',
} as RequestRow;

describe('the edit modal', () => {
  const view = editModal(current, 7, 'IN');
  const blocks = view.blocks as Block[];
  const element = (id: string) => blocks.find((b) => b.block_id === id)?.element;

  it('has the add modal’s input blocks, its own callback_id and only the request id as metadata', () => {
    const add = prefilledModal({}, 'IN', { source: 'slash' });
    const ids = (v: { blocks: unknown[] }) =>
      (v.blocks as Block[]).filter((b) => b.block_id).map((b) => [b.block_id, b.element?.action_id]);
    expect(ids(view)).toEqual(ids(add));
    expect(view).toMatchObject({
      callback_id: 'edit_contact',
      private_metadata: '7',
      title: { text: 'Edit contact' },
      submit: { text: 'Save' },
    });
  });

  it('is prefilled with the contact as it stands, in the number’s own country', () => {
    expect(element(FIELD_BLOCKS.salutation)?.initial_option?.value).toBe('Dr');
    expect(element(FIELD_BLOCKS.firstName)?.initial_value).toBe('Priya');
    expect(element(FIELD_BLOCKS.lastName)?.initial_value).toBe('Natarajan');
    expect(element(FIELD_BLOCKS.phone)?.initial_value).toBe('+44 7400 123456');
    expect(element(FIELD_BLOCKS.extension)?.initial_value).toBe('12');
    expect(element(FIELD_BLOCKS.country)?.initial_option?.value).toBe('GB');
  });

  it('reads back a request id from its metadata, and nothing from anything else', () => {
    expect(readEditMetadata({ private_metadata: '7' } as ViewOutput)).toBe(7);
    fc.assert(
      fc.property(fc.anything(), (metadata) => {
        const id = readEditMetadata({ private_metadata: metadata } as unknown as ViewOutput);
        if (id !== undefined) expect(String(metadata).trim()).toBe(String(id));
      }),
    );
    for (const forged of ['-1', '0', '1e3', '7; drop', '{"editOf":7}', '99999999999999999999', ''])
      expect(readEditMetadata({ private_metadata: forged } as ViewOutput)).toBeUndefined();
  });
});

describe('what a report offers next', () => {
  const settled = (status: string, extra: Partial<RequestRow> = {}) =>
    ({ ...current, id: 5, status, operation: 'create', contactId: 'c-123', attempts: 3, error: null, ...extra }) as unknown as RequestRow;
  const none = undefined as unknown as ReportDeps;
  const actions = (report: Report) => (reportMessage(report).blocks as Block[]).filter((b) => b.type === 'actions');

  it('offers Edit and Delete (asking first) on a created or updated contact, by request id only', async () => {
    for (const status of ['created', 'updated']) {
      const [row] = actions(await reportRequest(none, settled(status), slackStyle));
      expect(row?.elements).toEqual([
        { type: 'button', action_id: 'edit_contact', text: { type: 'plain_text', text: 'Edit' }, value: '5' },
        {
          type: 'button',
          action_id: 'delete_contact',
          text: { type: 'plain_text', text: 'Delete' },
          value: '5',
          style: 'danger',
          confirm: expect.objectContaining({ title: { type: 'plain_text', text: 'Delete this contact?' }, style: 'danger' }),
        },
      ]);
    }
  });

  it('offers Try again on a failed request, and nothing on a deleted contact or a refusal', async () => {
    const [retry] = actions(await reportRequest(none, settled('failed', { contactId: null }), slackStyle));
    expect(retry?.elements).toEqual([
      { type: 'button', action_id: 'retry_request', text: { type: 'plain_text', text: 'Try again' }, value: '5', style: 'primary' },
    ]);
    for (const status of ['deleted', 'rejected', 'unauthorized'])
      expect(
        actions(await reportRequest(none, settled(status, { error: { kind: 'rejected', status: 400, messages: [] } }), slackStyle)),
      ).toEqual([]);
  });

  it('says what an update or a delete did, in its own words', async () => {
    const update = { operation: 'update' as const };
    expect((await reportRequest(none, settled('updated', update), slackStyle)).title).toBe('Contact updated');
    expect((await reportRequest(none, settled('failed', update), slackStyle)).title).toBe('The contact could not be updated');
    expect((await reportRequest(none, settled('failed', { operation: 'delete' }), slackStyle)).lines[0]).toContain('was not deleted');
    const refused = settled('rejected', { operation: 'delete', error: { kind: 'rejected', status: 404, messages: ['Not found'] } });
    expect((await reportRequest(none, refused, slackStyle)).title).toBe('The contacts endpoint refused this change');
  });

  it('keeps the buttons out of the modal, where the DM carries them', async () => {
    const modal = reportModal(await reportRequest(none, settled('updated', { operation: 'update' }), slackStyle), 'update');
    expect(modal).toMatchObject({ callback_id: 'edit_contact', title: { text: 'Edit contact' } });
    expect((modal.blocks as Block[]).map((b) => b.type)).toEqual(['header', 'section']);
  });

  it('marks an earlier message of a deleted contact: as it was, without buttons, saying so', async () => {
    const report = await reportRequest(none, settled('created'), slackStyle);
    const marked = deletedMessage(report, 'This contact was deleted by <@U1>.');
    expect((marked.blocks as Block[]).map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(marked.text).toContain('c-123');
    expect(marked.text).toContain('This contact was deleted by <@U1>.');
  });
});
