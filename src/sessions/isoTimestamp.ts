// Up to here (year 9999) `toISOString` writes the fixed 24-character form; later or earlier
// times, NaN and ±Infinity go to `Date` itself (extended years, RangeError).
const FIXED_FORM_END_MS = Date.UTC(10000, 0, 1);

/**
 * `new Date(ms).toISOString()`, identical output, without a Date per call: every event carries
 * a timestamp and formatting them was a measurable part of the intake cost per span. Events
 * come in bursts within the same minute and second, so the `YYYY-MM-DDTHH:MM:SS.` prefix is
 * reused, and each result is that shared prefix joined to a shared `mmmZ` suffix: one small
 * string per event rather than a chain of pieces each event would hold on to. One instance per
 * owner (the session tracker): the remembered prefixes are its own.
 */
export class IsoTimestamps {
  private cachedMinute = NaN;
  private minutePrefix = '';
  private cachedSecond = NaN;
  private secondPrefix = '';
  // `000Z` … `999Z`, made as they are first needed.
  private readonly millisSuffixes: string[] = [];

  format(ms: number): string {
    // The Date constructor truncates the fraction (TimeClip); so does this.
    const t = Math.trunc(ms);
    if (!(t >= 0 && t < FIXED_FORM_END_MS)) {
      return new Date(ms).toISOString();
    }
    const millis = t % 1000;
    const second = t - millis;
    if (second !== this.cachedSecond) {
      this.cachedSecond = second;
      const withinMinute = second % 60_000;
      if (second - withinMinute !== this.cachedMinute) {
        this.cachedMinute = second - withinMinute;
        this.minutePrefix = new Date(this.cachedMinute).toISOString().slice(0, 17);
      }
      const seconds = withinMinute / 1000;
      this.secondPrefix = `${this.minutePrefix}${seconds < 10 ? '0' : ''}${seconds}.`;
    }
    return this.secondPrefix + (this.millisSuffixes[millis] ??= `${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`);
  }
}
