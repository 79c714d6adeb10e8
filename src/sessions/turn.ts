import type { SpanRecord } from '../intake/spanRecord';

/**
 * The spans of one chat turn: a root `invoke_agent` and everything under it, sub-agents included.
 * `complete` is false when the tree was emitted by timeout (the root never came) or is a late tail
 * of a turn already emitted; `root` is then the best known root, if any.
 */
export interface Turn {
  readonly traceId: string;
  readonly root: SpanRecord | undefined;
  readonly spans: readonly SpanRecord[];
  readonly complete: boolean;
}
