/**
 * A stand-in for the `vscode` module and the ExtensionContext, faithful to the part of the API an
 * extension touches while it loads and activates: configuration with the defaults the manifest
 * contributes, commands, output channels, status bar items, secret storage, global state, events.
 * Anything else is a loud failure, not a silent `undefined`: an activation that reaches for an API
 * the stand-in lacks must not be timed as if it had run.
 */
import * as path from 'node:path';

type Listener<T> = (value: T) => unknown;

interface DisposableLike {
  dispose(): unknown;
}

class Disposable {
  static from(...items: DisposableLike[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  private done = false;
  constructor(private readonly onDispose: () => unknown) {}
  dispose(): void {
    if (!this.done) {
      this.done = true;
      this.onDispose();
    }
  }
}

class EventEmitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>, thisArg?: unknown, disposables?: DisposableLike[]): Disposable => {
    const bound: Listener<T> = (v) => listener.call(thisArg, v);
    this.listeners.add(bound);
    const d = new Disposable(() => this.listeners.delete(bound));
    disposables?.push(d);
    return d;
  };
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static file(fsPath: string): Uri {
    return new Uri('file', fsPath);
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, path.join(base.path, ...segments));
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

/** What an activation did through the API: the worker reports it and checks it. */
export interface StandInRecord {
  readonly commands: string[];
  /** Status bar items; `shown` stays true once the item was shown. */
  readonly statusBarItems: Array<{ id: string; text: string; shown: boolean }>;
  readonly outputChannels: string[];
  /** Notifications and dialogs shown: a quiet start-up shows none. */
  readonly messages: string[];
  /** API members the extension reached for that the stand-in does not have. */
  readonly missing: string[];
}

export interface StandIn {
  readonly vscode: object;
  readonly context: object;
  readonly record: StandInRecord;
}

export interface StandInOptions {
  /** The extension's package.json: its contributed configuration defaults and `packageJSON`. */
  readonly manifest: Record<string, unknown>;
  readonly extensionPath: string;
  readonly globalStoragePath: string;
  /** User settings, e.g. `{ 'sessionRelay.receiver.port': 43210 }`. */
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * Wraps `target` so reading a member it lacks is recorded and throws. Symbols and the keys module
 * interop probes (`__esModule`, `then`, `default`) answer undefined, like a real object.
 */
function strict<T extends object>(name: string, target: T, missing: string[]): T {
  const probes = new Set(['__esModule', 'then', 'default', 'toJSON', 'constructor']);
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === 'symbol' || key in t || probes.has(key)) return Reflect.get(t, key, receiver);
      missing.push(`${name}.${key}`);
      throw new Error(`the vscode stand-in has no ${name}.${key}`);
    },
  });
}

function contributedDefaults(manifest: Record<string, unknown>): Map<string, unknown> {
  const contributes = manifest.contributes as { configuration?: { properties?: Record<string, { default?: unknown }> } } | undefined;
  const properties = contributes?.configuration?.properties ?? {};
  return new Map(Object.entries(properties).map(([k, p]) => [k, p.default]));
}

export function createStandIn(options: StandInOptions): StandIn {
  const record: StandInRecord = { commands: [], statusBarItems: [], outputChannels: [], messages: [], missing: [] };
  const defaults = contributedDefaults(options.manifest);
  const user = new Map(Object.entries(options.settings));
  const configurationChanged = new EventEmitter<unknown>();
  const noEvent = new EventEmitter<unknown>().event;
  const resolved = <T>(value: T): Promise<T> => Promise.resolve(value);

  const getConfiguration = (section?: string) => {
    const full = (key: string): string => (section ? `${section}.${key}` : key);
    return strict(
      `WorkspaceConfiguration(${section ?? ''})`,
      {
        get: <T>(key: string, fallback?: T): T | undefined => {
          const k = full(key);
          return (user.has(k) ? user.get(k) : defaults.has(k) ? defaults.get(k) : fallback) as T | undefined;
        },
        has: (key: string): boolean => user.has(full(key)) || defaults.has(full(key)),
        inspect: (key: string) => ({ key: full(key), defaultValue: defaults.get(full(key)), globalValue: user.get(full(key)) }),
        update: (key: string, value: unknown): Promise<void> => {
          user.set(full(key), value);
          configurationChanged.fire({ affectsConfiguration: (s: string) => full(key).startsWith(s) });
          return resolved(undefined);
        },
      },
      record.missing,
    );
  };

  const show =
    (kind: string) =>
    (message: string): Promise<undefined> => {
      record.messages.push(`${kind}: ${message}`);
      return resolved(undefined);
    };

  const createOutputChannel = (name: string) => {
    record.outputChannels.push(name);
    const log = (): void => {};
    return strict(
      `OutputChannel(${name})`,
      { name, logLevel: 2, onDidChangeLogLevel: noEvent, trace: log, debug: log, info: log, warn: log, error: log, append: log, appendLine: log, replace: log, clear: log, show: log, hide: log, dispose: log },
      record.missing,
    );
  };

  const createStatusBarItem = (id: string) => {
    const entry = { id, text: '', shown: false };
    record.statusBarItems.push(entry);
    const item = {
      id,
      name: '',
      command: undefined as unknown,
      tooltip: undefined as unknown,
      get text() {
        return entry.text;
      },
      set text(value: string) {
        entry.text = value;
      },
      show: () => void (entry.shown = true),
      hide: () => undefined,
      dispose: () => undefined,
    };
    return strict(`StatusBarItem(${id})`, item, record.missing);
  };

  const vscode = strict(
    'vscode',
    {
      version: '1.100.0',
      Disposable,
      EventEmitter,
      Uri,
      ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
      StatusBarAlignment: { Left: 1, Right: 2 },
      ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
      ExtensionMode: { Production: 1, Development: 2, Test: 3 },
      LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
      workspace: strict(
        'workspace',
        {
          getConfiguration,
          onDidChangeConfiguration: configurationChanged.event,
          onDidChangeWorkspaceFolders: noEvent,
          workspaceFolders: undefined,
          isTrusted: true,
        },
        record.missing,
      ),
      window: strict(
        'window',
        {
          createOutputChannel,
          createStatusBarItem,
          showInformationMessage: show('info'),
          showWarningMessage: show('warning'),
          showErrorMessage: show('error'),
        },
        record.missing,
      ),
      commands: strict(
        'commands',
        {
          registerCommand: (id: string): Disposable => {
            record.commands.push(id);
            return new Disposable(() => undefined);
          },
          executeCommand: () => resolved(undefined),
        },
        record.missing,
      ),
      env: strict('env', { isTelemetryEnabled: true, onDidChangeTelemetryEnabled: noEvent, appName: 'Visual Studio Code', language: 'en', machineId: 'bench', sessionId: 'bench', uiKind: 1, openExternal: () => resolved(true) }, record.missing),
      // An empty window: no git repository and no other extension to ask.
      extensions: strict('extensions', { getExtension: () => undefined, all: [], onDidChange: noEvent }, record.missing),
      authentication: strict('authentication', { getSession: () => resolved(undefined), onDidChangeSessions: noEvent }, record.missing),
    },
    record.missing,
  );

  const state = new Map<string, unknown>();
  const secrets = new Map<string, string>();
  const context = strict(
    'ExtensionContext',
    {
      subscriptions: [] as DisposableLike[],
      extensionPath: options.extensionPath,
      extensionUri: Uri.file(options.extensionPath),
      extensionMode: 1,
      globalStorageUri: Uri.file(options.globalStoragePath),
      storageUri: undefined,
      logUri: Uri.file(path.join(options.globalStoragePath, 'logs')),
      extension: { id: `${String(options.manifest.publisher)}.${String(options.manifest.name)}`, packageJSON: options.manifest, extensionPath: options.extensionPath },
      globalState: strict(
        'globalState',
        {
          get: <T>(key: string, fallback?: T): T | undefined => (state.has(key) ? (state.get(key) as T) : fallback),
          update: (key: string, value: unknown) => resolved(void state.set(key, value)),
          keys: () => [...state.keys()],
          setKeysForSync: () => undefined,
        },
        record.missing,
      ),
      // Secret storage answers asynchronously, as VS Code's does (it asks the main process).
      secrets: strict(
        'secrets',
        {
          get: (key: string) => resolved(secrets.get(key)),
          store: (key: string, value: string) => resolved(void secrets.set(key, value)),
          delete: (key: string) => resolved(void secrets.delete(key)),
          onDidChange: noEvent,
        },
        record.missing,
      ),
    },
    record.missing,
  );

  return { vscode, context, record };
}
