import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/**
 * Hono's escaping template, typed as the string it is when no value is a promise (the console
 * never interpolates one): every interpolated value is escaped unless it is markup itself.
 */
export function h(strings: TemplateStringsArray, ...values: unknown[]): HtmlEscapedString {
  return html(strings, ...values) as HtmlEscapedString;
}

export type Markup = HtmlEscapedString;

/** Dollars for people, two decimals. */
export const usd = (v: number): string => `$${v.toFixed(2)}`;

/**
 * An action's form: the client script posts it and shows the answer in its output. A `disabled`
 * reason disables the button and says why beside it (the same words the workflow would refuse with).
 */
export function form(
  id: string,
  action: string,
  fields: Markup,
  button: string,
  extraClass = '',
  confirm = '',
  disabled = ''
): Markup {
  return h`<form class="action ${extraClass}" method="post" action="${action}" id="${id}"${confirm ? h` data-confirm="${confirm}"` : ''}>${fields}<button type="submit"${disabled ? h` disabled title="${disabled}"` : ''}>${button}</button>${disabled ? h`<span class="why-not">${disabled}</span>` : ''}<output for="${id}" aria-live="polite"></output></form>`;
}

/** A page: the shared head, the console's stylesheet and script, and the body. */
export function layout(title: string, body: Markup): Markup {
  return h`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · scenegate</title>
    <link rel="stylesheet" href="/assets/console.css" />
    <link rel="icon" href="data:," />
    <script src="/assets/console.js" defer></script>
  </head>
  <body>
    <header class="top"><a href="/" class="brand">scenegate</a> <span>review console</span></header>
    <main>${body}</main>
  </body>
</html>`;
}
