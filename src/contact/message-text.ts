// Slack's markup and pasted vCards in a message's text. Every pattern here consumes what it matches or is
// anchored, so none tries a long run again from each of its positions.

const VCARD_BLOCK = /BEGIN:VCARD[\s\S]*?(?:END:VCARD|$)/gi;

/** A vCard pasted into a message arrives HTML-escaped, often in a code block. */
export function vCardText(source: string): string {
  const text = decodeEntities(source).replace(/```/g, '\n');
  return /BEGIN:VCARD/i.test(text) ? text : '';
}

/** The text with its pasted vCards taken out, so their lines are not read again as text. */
export function withoutVCards(source: string): string {
  return source.replace(VCARD_BLOCK, '\n');
}

/** The lines of a message with Slack's markup taken off: links by their label, emphasis, emoji codes, bullets. */
export function plainLines(source: string): string[] {
  const text = source
    .replace(/<([^<>|]*)\|([^<>]*)>/g, '$2')
    .replace(/<([^<>]*)>/g, (_, target: string) => (/^[@#!]/.test(target) ? ' ' : target.replace(/^(mailto|tel|sms):/i, '')))
    .replace(/:[a-z][a-z0-9_+-]*:/g, ' ')
    .replace(/[*~`]/g, '')
    .replace(/(^|[^\p{L}\p{N}])_+|_+(?=$|[^\p{L}\p{N}])/gmu, '$1');
  return decodeEntities(text)
    .split(/\r\n|\r|\n/)
    .map((line) =>
      line
        .replace(/^\s*(?:[•◦▪‣>-]|\d{1,2}[.)])\s+/u, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((line) => line !== '');
}

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
