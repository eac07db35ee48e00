import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCard } from '../../src/contact/card.js';
import { blockTexts, messageCard, vCardFiles, type SlackMessage } from '../../src/slack/message-card.js';

describe('messageCard', () => {
  it('reads section text, fields, context and rich text from blocks', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'Lead' } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*Name:* Ravi Kumar' },
        fields: [{ type: 'mrkdwn', text: '*Mobile:*\n+91 98450 12345' }],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'via Workflow' }] },
      {
        type: 'rich_text',
        elements: [
          { type: 'rich_text_section', elements: [{ type: 'text', text: 'Name: Sara Ali' }] },
          {
            type: 'rich_text_list',
            elements: [
              {
                type: 'rich_text_section',
                elements: [
                  { type: 'text', text: 'Cell: ' },
                  { type: 'link', url: 'tel:+971501234567', text: '+971 50 123 4567' },
                ],
              },
            ],
          },
        ],
      },
    ];
    expect(blockTexts(blocks)).toEqual([
      'Lead',
      '*Name:* Ravi Kumar',
      '*Mobile:*\n+91 98450 12345',
      'via Workflow',
      'Name: Sara Ali\nCell: +971 50 123 4567',
    ]);
  });

  it('reads legacy attachment fields, pretext and text', () => {
    const card = messageCard(
      {
        text: '',
        attachments: [
          {
            pretext: 'New contact',
            fields: [
              { title: 'Name', value: 'Lena Fischer' },
              { title: 'Phone', value: '+49 151 23456789' },
            ],
          },
        ],
      },
      [],
    );
    expect(card.fields).toEqual([
      { title: 'Name', value: 'Lena Fischer' },
      { title: 'Phone', value: '+49 151 23456789' },
    ]);
    expect(parseCard(card).drafts[0]).toMatchObject({ firstName: 'Lena', lastName: 'Fischer', phone: '+49 151 23456789' });
  });

  it('finds vCard files by MIME type, Slack file type or name', () => {
    const files = [
      { name: 'a.vcf', mimetype: 'application/octet-stream' },
      { name: 'b', mimetype: 'text/x-vcard' },
      { name: 'c', filetype: 'vcard' },
      { name: 'photo.jpg', mimetype: 'image/jpeg' },
    ];
    expect(vCardFiles({ files }).map((f) => f.name)).toEqual(['a.vcf', 'b', 'c']);
  });

  it('never throws on a message of any shape', () => {
    fc.assert(
      fc.property(fc.anything(), (message) => {
        const card = messageCard((message ?? {}) as SlackMessage, []);
        vCardFiles((message ?? {}) as SlackMessage);
        expect(typeof card.text).toBe('string');
        for (const text of card.blockTexts ?? []) expect(typeof text).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});
