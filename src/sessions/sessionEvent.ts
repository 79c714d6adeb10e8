/** What every destination receives (SPEC §6.1). */
export interface SessionEvent {
  id: string;
  /** ISO 8601, taken from span times — never from the time of translation. */
  timestamp: string;
  /** The previous event of the same session; null for the first. */
  parentId: string | null;
  type: SessionEventType;
  data: Record<string, unknown>;
  ephemeral?: boolean;
  /** Set on events produced inside a sub-agent; they fold into the parent session. */
  agentId?: string;
}

export type SessionEventType =
  | 'session.start'
  | 'user.message'
  | 'session.title_changed'
  | 'assistant.message'
  | 'tool.execution_start'
  | 'tool.execution_complete'
  | 'assistant.usage'
  | 'session.shutdown';

/** A SessionEvent with the session it belongs to — the unit the delivery stage moves. */
export interface RoutedEvent {
  sessionId: string;
  event: SessionEvent;
}
