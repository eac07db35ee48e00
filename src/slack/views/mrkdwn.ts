const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * User-supplied text (names, file names, the endpoint's messages) as mrkdwn that shows it as it was: Slack reads
 * `<…>` as links and mentions (`<!channel>`, `<https://…|…>`), and `&` starts its escapes. plain_text needs none of this.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/[&<>]/g, (c) => ENTITIES[c]!);
}
