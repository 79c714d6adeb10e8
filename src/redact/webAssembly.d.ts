// The part of the WebAssembly JavaScript API the anchor prefilter uses. Node has it globally, but
// @types/node 20 does not declare it (the DOM lib does, which the core must not see).
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: Record<string, unknown>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}
