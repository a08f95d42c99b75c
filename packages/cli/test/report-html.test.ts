// The report's one escaping rule: values put into the html template are text, never markup.
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, trusted } from '../src/report/html.js';

describe('html', () => {
  it('escapes every value, in text and in attributes', () => {
    const name = `<img src=x onerror="alert('x')">&`;
    expect(html`<p title="${name}">${name}</p>`.text).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</p>',
    );
  });

  it('keeps markup made by html, joins lists, and leaves out null, undefined and false', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    // prettier-ignore
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.text).toBe('<ul><li>a&lt;b</li><li>c</li></ul>0');
    expect(html`${trusted('<b>')}`.text).toBe('<b>');
  });

  it('drops control characters, such as the colour codes of a tool’s error message', () => {
    expect(escapeHtml('\u001b[31mfailed\u001b[39m\ton\nline')).toBe('[31mfailed[39m\ton\nline');
  });
});
