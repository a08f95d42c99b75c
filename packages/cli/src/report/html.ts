// HTML from templates: every value put into one is escaped unless it is HTML made by `html` already,
// so text from the repository, the config or a deploy's output can never become markup.
export class Html {
  constructor(readonly text: string) {}
}

/** What a template takes: text and numbers (escaped), HTML, lists of them; nothing for null or false. */
export type HtmlValue = Html | string | number | null | undefined | false | readonly HtmlValue[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escaped for text and for quoted attributes alike; control characters (a tool's colour codes) dropped. */
export const escapeHtml = (text: string): string =>
  text
    // eslint-disable-next-line no-control-regex -- they are not allowed in HTML text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
    .replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return String(value);
  return value.map(render).join('');
}

/** `html`<p>${name}</p>``: the literal parts are trusted markup, the values are escaped. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(text);
}

/** Markup that is known to be safe, such as the stylesheet: never for anything read from outside. */
export const trusted = (text: string): Html => new Html(text);

/** A number for an SVG attribute, rounded so the file stays small. */
export const px = (value: number): string => String(Math.round(value * 10) / 10);
