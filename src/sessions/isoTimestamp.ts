// Up to here (year 9999) `toISOString` writes the fixed 24-character form; later or earlier
// times, NaN and ±Infinity go to `Date` itself (extended years, RangeError).
const FIXED_FORM_END_MS = Date.UTC(10000, 0, 1);

let cachedMinute = NaN;
let cachedPrefix = '';

/**
 * `new Date(ms).toISOString()`, identical output, without a Date per call: every event carries
 * a timestamp and formatting them was a measurable part of the intake cost per span. Events
 * come in bursts within the same minute, so the `YYYY-MM-DDTHH:MM:` prefix is reused.
 */
export function isoTimestamp(ms: number): string {
  // The Date constructor truncates the fraction (TimeClip); so does this.
  const t = Math.trunc(ms);
  if (!(t >= 0 && t < FIXED_FORM_END_MS)) {
    return new Date(ms).toISOString();
  }
  const withinMinute = t % 60_000;
  const minute = t - withinMinute;
  if (minute !== cachedMinute) {
    cachedMinute = minute;
    cachedPrefix = new Date(minute).toISOString().slice(0, 17);
  }
  const seconds = Math.floor(withinMinute / 1000);
  const millis = withinMinute % 1000;
  return `${cachedPrefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}
