import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { classify, sourceError, sourceErrorFromStatus } from '../../errors.js';
import { gidType } from './gid.js';

/**
 * Reading a bulk export: the JSONL file (one object per line; a nested
 * connection's nodes are lines of their own with `__parentId`), streamed,
 * never held as one string. Rows are rebuilt in the page queries' shape
 * (`{ …, variants: { nodes: [...] } }`) so that one mapper reads both.
 */

/** Where a child's gid type goes on its parent. */
const CHILD_FIELDS: Record<string, string> = {
  ProductVariant: 'variants',
  LineItem: 'lineItems',
  InventoryLevel: 'inventoryLevels',
};

export interface JsonLine {
  /** 0-based line number in the file. */
  line: number;
  value: Record<string, unknown>;
}

/** The file's lines from `fromLine` on (earlier lines are read and skipped). Signed URLs need no token. */
export async function* readJsonLines(
  url: string,
  signal?: AbortSignal,
  timeoutMs = 30_000,
): AsyncGenerator<JsonLine> {
  let response: Response;
  try {
    response = await fetch(url, {
      signal: signal
        ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
        : AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw classify(err, { where: 'Shopify bulk result download' });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    // 403/404/410: a signed URL that expired; the caller polls the operation for a fresh one.
    throw sourceErrorFromStatus(
      response.status >= 400 && response.status < 500 ? 410 : response.status,
      `Shopify bulk result download: ${response.status}`,
      { details: { expiredUrl: response.status >= 400 && response.status < 500 } },
    );
  }
  const lines = createInterface({
    input: Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>),
    crlfDelay: Infinity,
  });
  let line = -1;
  for await (const text of lines) {
    line += 1;
    if (!text.trim()) continue;
    try {
      yield { line, value: JSON.parse(text) as Record<string, unknown> };
    } catch {
      throw sourceError({
        kind: 'bad_response',
        message: `Shopify bulk result: line ${line + 1} is not JSON`,
      });
    }
  }
}

export interface BulkPage {
  nodes: Record<string, unknown>[];
  /** Every root object on a line before this one has been emitted. */
  nextLine: number;
  done: boolean;
}

/**
 * Root objects in file order, `pageSize` per page, from `fromLine` on. With
 * `withChildren` the whole file is read first: with `groupObjects: false`
 * (the default since 2026-01) a child line may come anywhere after its
 * parent, so a parent is only complete at the end of the file. Without
 * children, pages stream as the lines arrive.
 */
export async function* bulkPages(
  lines: AsyncIterable<JsonLine>,
  options: { fromLine: number; pageSize: number; withChildren: boolean },
): AsyncGenerator<BulkPage> {
  const size = Math.max(1, options.pageSize);
  if (!options.withChildren) {
    let page: Record<string, unknown>[] = [];
    let next = options.fromLine;
    for await (const { line, value } of lines) {
      if (line < options.fromLine || value.__parentId !== undefined) continue;
      page.push(value);
      next = line + 1;
      if (page.length === size) {
        yield { nodes: page, nextLine: next, done: false };
        page = [];
      }
    }
    yield { nodes: page, nextLine: next, done: true };
    return;
  }
  const roots = await joinChildren(lines);
  const pending = roots.filter((r) => r.line >= options.fromLine);
  if (pending.length === 0) {
    yield { nodes: [], nextLine: options.fromLine, done: true };
    return;
  }
  for (let i = 0; i < pending.length; i += size) {
    const chunk = pending.slice(i, i + size);
    yield {
      nodes: chunk.map((r) => r.value),
      nextLine: chunk.at(-1)!.line + 1,
      done: i + size >= pending.length,
    };
  }
}

/** Every root with its children attached under `{ nodes: [...] }`, in file order. */
async function joinChildren(lines: AsyncIterable<JsonLine>): Promise<JsonLine[]> {
  const roots: JsonLine[] = [];
  const byId = new Map<string, Record<string, unknown>>();
  const orphans = new Map<string, Record<string, unknown>[]>();
  const attach = (parent: Record<string, unknown>, child: Record<string, unknown>) => {
    const field = CHILD_FIELDS[gidType(String(child.id ?? '')) ?? ''] ?? 'children';
    const { __parentId: _parent, ...rest } = child;
    const connection = (parent[field] ??= { nodes: [] }) as { nodes: unknown[] };
    connection.nodes.push(rest);
    byId.set(String(child.id ?? ''), rest);
  };
  for await (const entry of lines) {
    const { value } = entry;
    const parentId = value.__parentId;
    if (typeof parentId === 'string') {
      const parent = byId.get(parentId);
      if (parent) attach(parent, value);
      else orphans.set(parentId, [...(orphans.get(parentId) ?? []), value]);
      continue;
    }
    roots.push(entry);
    byId.set(String(value.id ?? ''), value);
    for (const child of orphans.get(String(value.id)) ?? []) attach(value, child);
    orphans.delete(String(value.id));
  }
  return roots;
}
