import { open } from 'node:fs/promises';
import * as readline from 'node:readline';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { OtlpDecodeError, spansFromOtlpJson } from './otlpDecode';
import { ResourceCache, looksLikeSerializedSpan, spanFromSerializedSpan } from './serializedSpan';
import { isRecord } from './spanValues';

export interface ImportProblem {
  file: string;
  /** 1-based line number of the record (for a whole-file document: where the problem lies, if known). */
  line: number;
  /** One line, never quoting file content (it may hold secrets). */
  message: string;
}

export interface ImportResult {
  file: string;
  /** Lines read, blank ones included. */
  lines: number;
  /** Spans delivered. */
  spans: number;
  /** Records deliberately ignored: log records, metrics, empty objects. */
  skipped: number;
  problems: ImportProblem[];
}

export interface ImportOptions {
  /** Spans per `deliver` call. Default 512. */
  batchSize?: number;
}

const DEFAULT_BATCH_SIZE = 512;

/**
 * Imports spans from a file, streaming it line by line. Understood formats:
 * - OTLP/JSON, one `ExportTraceServiceRequest` per line;
 * - one OTLP/JSON request for the whole file, possibly pretty-printed over many lines;
 * - GitHub Copilot Chat's file exporter output (one SDK-serialised span per line, interleaved
 *   with log records and metrics, which are skipped).
 * A bad line becomes a problem `{file, line, message}` and the import goes on, so every good span
 * is still delivered — in file order, in batches. Only an unreadable file or a failing `deliver`
 * rejects.
 */
export async function importSpanFile(
  file: string,
  deliver: (spans: ReadableSpan[]) => void | Promise<void>,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
  const result: ImportResult = { file, lines: 0, spans: 0, skipped: 0, problems: [] };
  const resources = new ResourceCache();
  let batch: ReadableSpan[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const spans = batch;
    batch = [];
    await deliver(spans);
    result.spans += spans.length;
  };
  const problem = (line: number, message: string) => result.problems.push({ file, line, message });

  /** Handles one parsed record; returns spans to deliver. */
  const handleValue = (value: unknown, line: number): ReadableSpan[] => {
    if (Array.isArray(value)) return value.flatMap((item) => handleValue(item, line));
    if (!isRecord(value)) {
      problem(line, 'not a JSON object');
      return [];
    }
    if ('resourceSpans' in value) {
      try {
        const decoded = spansFromOtlpJson(value);
        if (decoded.rejected > 0) {
          problem(line, `${decoded.rejected} spans rejected: ${decoded.rejectReasons.join('; ')}`);
        }
        return decoded.spans;
      } catch (err) {
        if (!(err instanceof OtlpDecodeError)) throw err;
        problem(line, `malformed OTLP request: ${err.message}`);
        return [];
      }
    }
    if (isSkippable(value)) {
      result.skipped++;
      return [];
    }
    if (looksLikeSerializedSpan(value)) {
      const span = spanFromSerializedSpan(value, resources);
      if (typeof span === 'string') {
        problem(line, span);
        return [];
      }
      return [span];
    }
    problem(line, 'unrecognised record: not an OTLP request, a span, a log record or metrics');
    return [];
  };

  const take = async (spans: ReadableSpan[]) => {
    for (const span of spans) {
      batch.push(span);
      if (batch.length >= batchSize) await flush();
    }
  };

  const handleLine = async (text: string, line: number) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      problem(line, 'invalid JSON');
      return;
    }
    await take(handleValue(value, line));
  };

  // A document spread over lines (pretty-printed) is collected here until it parses as a whole.
  let documentStart = 0;
  let document: Array<{ text: string; line: number }> | undefined;
  let seenContent = false;

  const handle = await open(file, 'r');
  try {
    const lines = readline.createInterface({ input: handle.createReadStream({ encoding: 'utf8' }), crlfDelay: Infinity });
    for await (let text of lines) {
      const line = ++result.lines;
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (document) {
        // Pretty-printed JSON indents everything but its outermost brackets, while JSON lines
        // records start at column 0: a column-0 line that parses on its own means the file is
        // JSON lines whose first record was broken, not one document.
        if ((text.startsWith('{') || text.startsWith('[')) && parses(text)) {
          problem(documentStart, 'invalid JSON');
          const buffered = document.slice(1);
          document = undefined;
          for (const b of buffered) if (b.text.trim() !== '') await handleLine(b.text, b.line);
          await handleLine(text, line);
        } else {
          document.push({ text, line });
        }
        continue;
      }
      const trimmed = text.trim();
      if (trimmed === '') continue;
      if (!seenContent) {
        seenContent = true;
        if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && !parses(trimmed)) {
          documentStart = line;
          document = [{ text, line }];
          continue;
        }
      }
      await handleLine(trimmed, line);
    }
  } finally {
    await handle.close();
  }

  if (document) {
    const text = document.map((d) => d.text).join('\n');
    let value: unknown;
    let parsed = false;
    try {
      value = JSON.parse(text);
      parsed = true;
    } catch (err) {
      problem(lineOfError(err, text, documentStart), 'invalid JSON');
    }
    if (parsed) await take(handleValue(value, documentStart));
  }
  await flush();
  return result;
}

/** Log records and metrics share Copilot's outfile with spans; they are not ours to import. */
function isSkippable(obj: Record<string, unknown>): boolean {
  if ('resourceMetrics' in obj || 'scopeMetrics' in obj || 'resourceLogs' in obj || 'scopeLogs' in obj) return true;
  // A log record as the SDK serialises it (its private fields may carry a leading underscore).
  if (['body', 'severityNumber', 'severityText', 'hrTime', 'hrTimeObserved'].some((k) => k in obj || `_${k}` in obj)) {
    return true;
  }
  // Older Copilot Chat builds wrote class-based spans as `{}`; there is nothing in them to import.
  return Object.keys(obj).length === 0;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Maps V8's "at position N" onto a file line, without repeating the message (it quotes input). */
function lineOfError(err: unknown, text: string, firstLine: number): number {
  const position = Number(/position (\d+)/.exec((err as Error).message ?? '')?.[1]);
  if (!Number.isFinite(position)) return firstLine;
  let line = firstLine;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
