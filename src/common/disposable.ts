/** Anything that owns a timer, a socket or a file handle and must release it. */
export interface Disposable {
  dispose(): void;
}
