/** Turns any text into text with every detected secret replaced by `[REDACTED:<kind>]`. */
export interface Redactor {
  redact(text: string): string;
}
