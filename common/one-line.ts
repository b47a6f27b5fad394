// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * A message on one line: a newline or terminal escape in it (a signal's text, a model's error)
 * is written as `\n` or `\u001b`, so it can neither forge a log line nor restyle the terminal.
 */
export function oneLine(text: string): string {
  return text.replace(CONTROL, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
}
