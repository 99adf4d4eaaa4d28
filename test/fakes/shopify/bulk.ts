import { randomBytes } from 'node:crypto';
import { execute, parse, validate, type GraphQLSchema } from 'graphql';
import { gid, iso } from './views.js';

/**
 * Bulk query operations of the fake shop: one at a time (a second gets the
 * OPERATION_IN_PROGRESS user error), CREATED → RUNNING → COMPLETED on a
 * clock of its own (`startupMs`, then `objectsPerSecond`), the result a JSONL
 * file served by the fake at a signed-looking URL that can be expired. Lines
 * follow `groupObjects: false`: every object on its own line, nested nodes
 * with `__parentId`, a parent's children written after the *next* parent (so
 * a reader that assumes them contiguous is caught).
 */
export interface BulkTiming {
  /** Time from the mutation to the first object. @defaultValue 300 */
  startupMs?: number;
  /** Objects written per second once running. @defaultValue 20000 */
  objectsPerSecond?: number;
}

interface Operation {
  id: number;
  query: string;
  createdAt: number;
  readyAt: number;
  lines: string[];
  roots: number;
  cancelled: boolean;
  token: string;
}

type RootValueFor = (bulk: boolean) => Record<string, unknown>;

export class FakeBulkOperations {
  /** Every operation ever started (tests look at them). */
  readonly started: { id: string; query: string }[] = [];
  readonly cancelled: string[] = [];
  timing: Required<BulkTiming>;
  private readonly operations = new Map<number, Operation>();
  private nextId = 5_000;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rootValue: RootValueFor,
    private readonly fileUrl: (id: number, token: string) => string,
    timing: BulkTiming = {},
  ) {
    this.timing = { startupMs: timing.startupMs ?? 300, objectsPerSecond: timing.objectsPerSecond ?? 20_000 };
  }

  run(query: string, groupObjects: boolean) {
    const running = [...this.operations.values()].find(
      (op) => this.status(op) === 'RUNNING' || this.status(op) === 'CREATED',
    );
    if (running) {
      return userError(
        'OPERATION_IN_PROGRESS',
        `A bulk query operation for this app and shop is already in progress: ${gid('BulkOperation', running.id)}.`,
      );
    }
    let lines: string[];
    let roots: number;
    try {
      ({ lines, roots } = this.export(query, groupObjects));
    } catch (err) {
      return userError('INVALID', `Invalid bulk query: ${err instanceof Error ? err.message : String(err)}`);
    }
    const id = ++this.nextId;
    const now = Date.now();
    const op: Operation = {
      id,
      query,
      createdAt: now,
      readyAt: now + this.timing.startupMs + Math.ceil((lines.length / this.timing.objectsPerSecond) * 1000),
      lines,
      roots,
      cancelled: false,
      token: randomBytes(8).toString('hex'),
    };
    this.operations.set(id, op);
    this.started.push({ id: gid('BulkOperation', id), query });
    return { bulkOperation: this.view(op), userErrors: [] };
  }

  cancel(idText: string) {
    const op = this.operations.get(Number(/(\d+)$/.exec(idText)?.[1]));
    if (!op)
      return {
        bulkOperation: null,
        userErrors: [{ field: ['id'], message: 'Bulk operation does not exist' }],
      };
    const status = this.status(op);
    if (status !== 'RUNNING' && status !== 'CREATED') {
      return {
        bulkOperation: this.view(op),
        userErrors: [
          { field: null, message: `A bulk operation cannot be canceled when it is ${status.toLowerCase()}` },
        ],
      };
    }
    op.cancelled = true;
    this.cancelled.push(gid('BulkOperation', op.id));
    return { bulkOperation: this.view(op), userErrors: [] };
  }

  get(id: number): Record<string, unknown> | null {
    const op = this.operations.get(id);
    return op ? this.view(op) : null;
  }

  current(): Record<string, unknown> | null {
    const last = [...this.operations.values()].at(-1);
    return last ? this.view(last) : null;
  }

  /** The result file, when `token` is the operation's current one. */
  file(id: number, token: string): string | undefined {
    const op = this.operations.get(id);
    if (!op || op.token !== token || this.status(op) !== 'COMPLETED') return undefined;
    return op.lines.map((l) => `${l}\n`).join('');
  }

  /** Signed URLs handed out so far stop working (a poll gives fresh ones). */
  expireUrls(): void {
    for (const op of this.operations.values()) op.token = randomBytes(8).toString('hex');
  }

  /** Ends every running operation at once (tests that need a free shop). */
  finishAll(): void {
    for (const op of this.operations.values()) op.readyAt = Math.min(op.readyAt, Date.now());
  }

  private status(op: Operation): string {
    if (op.cancelled) return 'CANCELED';
    return Date.now() >= op.readyAt ? 'COMPLETED' : 'RUNNING';
  }

  private view(op: Operation): Record<string, unknown> {
    const status = this.status(op);
    const elapsed = Math.max(0, Date.now() - op.createdAt - this.timing.startupMs);
    const written =
      status === 'COMPLETED'
        ? op.lines.length
        : Math.min(op.lines.length, Math.floor((elapsed / 1000) * this.timing.objectsPerSecond));
    return {
      __typename: 'BulkOperation',
      id: gid('BulkOperation', op.id),
      type: 'QUERY',
      status,
      errorCode: null,
      createdAt: iso(op.createdAt),
      completedAt: status === 'COMPLETED' ? iso(op.readyAt) : null,
      objectCount: String(written),
      rootObjectCount: String(status === 'COMPLETED' ? op.roots : 0),
      fileSize: status === 'COMPLETED' && op.lines.length ? String(op.lines.join('\n').length) : null,
      url: status === 'COMPLETED' && op.lines.length ? this.fileUrl(op.id, op.token) : null,
      partialDataUrl: null,
      query: op.query,
    };
  }

  /** Runs the query over the whole shop now and writes its JSONL lines. */
  private export(query: string, groupObjects: boolean): { lines: string[]; roots: number } {
    const document = parse(query);
    const errors = validate(this.schema, document);
    if (errors.length) throw new Error(errors.map((e) => e.message).join('; '));
    const result = execute({ schema: this.schema, document, rootValue: this.rootValue(true) });
    if ('then' in result) throw new Error('asynchronous resolvers are not expected');
    if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join('; '));
    const data = result.data as Record<string, unknown>;
    const root = Object.values(data)[0] as {
      edges?: { node: Record<string, unknown> }[];
      nodes?: Record<string, unknown>[];
    };
    const nodes = root.edges?.map((e) => e.node) ?? root.nodes ?? [];
    const lines: string[] = [];
    let deferred: string[] = [];
    for (const node of nodes) {
      const children = splitChildren(node);
      lines.push(JSON.stringify(node));
      if (groupObjects) lines.push(...children);
      else {
        lines.push(...deferred);
        deferred = children;
      }
    }
    lines.push(...deferred);
    return { lines, roots: nodes.length };
  }
}

/** Moves a node's nested connections out of it: one JSON line per child, with `__parentId`. */
function splitChildren(node: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    const connection = value as {
      edges?: { node: Record<string, unknown> }[];
      nodes?: Record<string, unknown>[];
    } | null;
    if (
      !connection ||
      typeof connection !== 'object' ||
      (!Array.isArray(connection.edges) && !Array.isArray(connection.nodes))
    )
      continue;
    delete node[key];
    for (const child of connection.edges?.map((e) => e.node) ?? connection.nodes ?? []) {
      lines.push(JSON.stringify({ ...child, __parentId: node.id }));
    }
  }
  return lines;
}

function userError(code: string, message: string) {
  return { bulkOperation: null, userErrors: [{ field: ['query'], message, code }] };
}
