/**
 * Bounds on the error text an upstream hands scenegate. A model's error can be any length (150 KB
 * seen), and scenegate keeps it in every attempt's note, the memo and the failure's details:
 * twenty of them made the closing workflow task pass Temporal's 4 MB limit, so the run could
 * never end. Text is cut where it enters (the activities) and again where the workflow keeps it.
 */

/** The most characters of a model's or an API's error kept where it enters scenegate. */
export const UPSTREAM_ERROR_MAX = 500;
/** The most characters of one attempt's note (its error with what scenegate says around it). */
export const NOTE_MAX = 1000;

/**
 * `text` cut to `max` characters, saying how much was cut and, when given, `whereWhole`: where
 * the whole text can still be read (e.g. `on prediction abc at Replicate`).
 */
export function clipText(text: string, max: number, whereWhole?: string): string {
  if (text.length <= max) return text;
  const where = whereWhole ? `; the whole text is ${whereWhole}` : '';
  return `${text.slice(0, max)}… [${text.length - max} more characters cut${where}]`;
}
