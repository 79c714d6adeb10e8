import type { SpanRecord } from '../../src/intake/spanRecord';
import type { Turn } from '../../src/sessions/turn';

/** Cuts spans in end order into complete turns at each root `invoke_agent`, as the assembler would. */
export function turnsOf(spans: SpanRecord[]): Turn[] {
  const turns: Turn[] = [];
  let current: SpanRecord[] = [];
  for (const span of spans) {
    current.push(span);
    if (span.attributes['gen_ai.operation.name'] === 'invoke_agent' && !span.parentSpanId) {
      turns.push({ traceId: span.traceId, root: span, spans: current, complete: true });
      current = [];
    }
  }
  return turns;
}
