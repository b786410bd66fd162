// Small text helpers for sentences we write (findings, summaries, problems).

/** The text with its first letter in upper case: a reason quoted at the start of a sentence. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
