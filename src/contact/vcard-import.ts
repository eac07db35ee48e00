import { CardFilesBudget } from './caps.js';
import type { ContactDraft } from './contact.js';
import { IMPORT_ROW_LIMIT } from './import-file.js';
import { withoutControls } from './text-encoding.js';
import { EventLoopTurns } from './turns.js';
import { parseVCards } from './vcard.js';

/** Cards parsed at a time, between which the event loop may take its turn (EventLoopTurns): well under a millisecond. */
const CARDS_PER_SLICE = 10;
const CARD_END = /END:VCARD[^\n]*\n?/gi;

/**
 * What an import may read from a message's card files together: a card more than an import takes (so a file past
 * the limit is known to be), and lines and properties for that many real cards.
 */
function importBudget(): CardFilesBudget {
  const budget = new CardFilesBudget();
  budget.cards = IMPORT_ROW_LIMIT + 1;
  budget.lines = 50_000;
  budget.properties = 25_000;
  return budget;
}

/**
 * Every card of an import's `.vcf` texts, in order, up to one more than an import takes. Parsed ten cards at a time,
 * letting the event loop take its turn every few milliseconds, so a file of thousands never holds it up.
 */
export async function readImportCards(texts: readonly string[]): Promise<ContactDraft[]> {
  const budget = importBudget();
  const turns = new EventLoopTurns();
  const cards: ContactDraft[] = [];
  for (const text of texts.map(withoutControls)) {
    let from = 0;
    let ends = 0;
    // Its own copy: the search's place (lastIndex) must survive the turns other imports take meanwhile.
    const cardEnd = new RegExp(CARD_END);
    for (let end = cardEnd.exec(text); from < text.length; end = cardEnd.exec(text)) {
      ends += end ? 1 : 0;
      if (end && ends % CARDS_PER_SLICE !== 0) continue;
      const to = end ? end.index + end[0].length : text.length;
      cards.push(...parseVCards(text.slice(from, to), budget));
      from = to;
      if (budget.cards === 0) return cards;
      await turns.take();
    }
  }
  return cards;
}
