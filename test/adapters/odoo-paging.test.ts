import { describe, expect, test } from 'vitest';
import type { Page, PageCheckpoint } from '../../src/adapters/types.js';
import { collect, collectIds, duplicates, pageRequest } from './woo-helpers.js';
import { dataCalls, odooAdapter, PROTOCOLS, useFakeOdoo } from './odoo-helpers.js';

const start = useFakeOdoo();

const wireSecond = (iso: string) => iso.slice(0, 19).replace('T', ' ');

const KEYSET_DOMAIN_TERMS = (terms: unknown[]) =>
  terms.filter((t) => Array.isArray(t) && t[0] === 'write_date');

describe.each(PROTOCOLS)('keyset paging over %s', (protocol) => {
  test('the domain, order and context sent; never an offset', async () => {
    const fake = await start({ customers: 230 });
    const adapter = odooAdapter(fake, { protocol });
    const { ids } = await collect(adapter.pages(pageRequest('customer', { pageSize: 100 })));
    expect(ids).toHaveLength(230);
    const reads = dataCalls(fake, 'search_read');
    expect(reads.length).toBeGreaterThanOrEqual(3);
    for (const r of reads) {
      expect(r.model).toBe('res.partner');
      expect(r.context).toEqual({ active_test: false });
      expect(r.kwargs).not.toHaveProperty('offset');
      expect(r.kwargs).toMatchObject({ order: 'write_date asc, id asc', limit: 100 });
      expect((r.kwargs!.domain as unknown[])[0]).toEqual(['customer_rank', '>', 0]);
    }
    expect(reads[0]!.kwargs!.domain).toEqual([['customer_rank', '>', 0]]);
    const from = KEYSET_DOMAIN_TERMS(reads[1]!.kwargs!.domain as unknown[]);
    expect(from).toEqual([
      ['write_date', '>=', expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)],
    ]);
  });

  test.each(['microsecond', 'second'] as const)(
    '1,000 customers, 200 sharing one write_date across page boundaries (%s precision): each once',
    async (precision) => {
      const fake = await start({
        customers: 1000,
        tiedCustomers: 200,
        writeDatePrecision: precision,
        seed: 5,
      });
      const adapter = odooAdapter(fake, { protocol });
      const { ids, pages } = await collect(adapter.pages(pageRequest('customer', { pageSize: 100 })));
      expect(duplicates(ids)).toEqual([]);
      expect(ids.length).toBe(await adapter.count({ entity: 'customer', mode: 'full', since: null }));
      expect(ids.length).toBe(1000);
      expect(pages.at(-1)).toMatchObject({ done: true, complete: true });
      // the 200-record second was walked by id, 100 at a time
      const tieWalks = dataCalls(fake, 'search_read').filter((r) => r.kwargs!.order === 'id asc');
      expect(tieWalks.length).toBeGreaterThanOrEqual(2);
      for (const t of tieWalks) {
        const domain = t.kwargs!.domain as unknown[];
        expect(domain).toContainEqual(['id', '>', expect.any(Number)]);
        expect(domain).toContainEqual(['write_date', '<', expect.any(String)]);
      }
    },
  );

  test('records changing mid-run: unchanged ones exactly once, changed ones with their newest state', async () => {
    const fake = await start({ customers: 600, seed: 9 });
    const all = fake.db.search('res.partner', [['customer_rank', '>', 0]], {
      order: 'write_date asc, id asc',
      activeTest: false,
    });
    const early = all.slice(10, 15).map((r) => r.id); // read before the change
    const late = all.slice(500, 505).map((r) => r.id); // read after it
    const gone = [all[20]!.id, all[550]!.id];
    const added: number[] = [];
    let reads = 0;
    fake.behaviour.onRequest = (r) => {
      if (r.method !== 'search_read' || ++reads !== 3) return;
      fake.db.advance(5);
      for (const id of [...early, ...late]) fake.data.change('customer', id);
      fake.db.unlink('res.partner', gone);
      for (let i = 0; i < 4; i++) added.push(fake.data.create('customer').id);
    };
    const adapter = odooAdapter(fake, { protocol });
    const { ids, items } = await collect(adapter.pages(pageRequest('customer', { pageSize: 100 })));
    const changed = new Set([...early, ...late]);
    const unchanged = all.map((r) => r.id).filter((id) => !changed.has(id) && !gone.includes(id));
    for (const id of unchanged) expect(ids.filter((x) => x === id)).toHaveLength(1);
    for (const id of added) expect(ids).toContain(id);
    expect(ids).not.toContain(gone[1]);
    // the early ones were met twice (before and after their change), the last time with the new phone
    for (const id of changed) {
      const last = items.filter((i) => (i as { id: number }).id === id).at(-1) as { phone: string };
      expect(last.phone).toBe(fake.db.row('res.partner', id)!.phone);
    }
    expect(duplicates(ids).sort()).toEqual([...early].sort());
  });

  test('resume from every checkpoint yields exactly what follows it', async () => {
    const fake = await start({ customers: 260, tiedCustomers: 90, seed: 4 });
    const adapter = odooAdapter(fake, { protocol });
    const { pages } = await collect(adapter.pages(pageRequest('customer', { pageSize: 40 })));
    const idsOf = (list: Page[]) => list.flatMap((p) => p.items.map((i) => (i as { id: number }).id));
    for (let k = 0; k < pages.length - 1; k++) {
      const checkpoint = pages[k]!.checkpoint as PageCheckpoint;
      const resumed = await collect(adapter.pages(pageRequest('customer', { pageSize: 40, checkpoint })));
      expect(resumed.ids).toEqual(idsOf(pages.slice(k + 1)));
    }
  });

  test('incremental: from the cursor minus the overlap; archived records are updates, never skipped', async () => {
    const fake = await start({ customers: 300, seed: 12 });
    const adapter = odooAdapter(fake, { protocol, settings: { incrementalOverlapSeconds: 0 } });
    const full = await collect(adapter.pages(pageRequest('customer', { pageSize: 100 })));
    const newest = full.items
      .map((i) => adapter.map('customer', i))
      .map((m) => (m.ok ? m.record : null))
      .filter((r) => r !== null)
      .sort(
        (a, b) =>
          a.sourceUpdatedAt!.getTime() - b.sourceUpdatedAt!.getTime() ||
          adapter.compareIds(a.externalId, b.externalId),
      )
      .at(-1)!;
    const since = { updatedAt: newest.sourceUpdatedAt!.toISOString(), id: newest.externalId };

    fake.db.advance(120);
    const ids = full.ids;
    const modified = [ids[3]!, ids[150]!, ids[299]!];
    for (const id of modified) fake.data.change('customer', id);
    fake.db.write('res.partner', [ids[7]!, ids[8]!], { active: false });
    const added = [fake.data.create('customer').id, fake.data.create('customer').id];

    const request = { entity: 'customer' as const, mode: 'incremental' as const, since };
    const inc = await collect(adapter.pages(pageRequest('customer', { ...request, pageSize: 100 })));
    // the cursor's own second is read again (a record written later in that second may have a smaller id)
    const cursorSecond = full.items
      .filter((i) => (i as { write_date: string }).write_date === wireSecond(since.updatedAt))
      .map((i) => (i as { id: number }).id);
    expect(cursorSecond).toContain(Number(newest.externalId));
    const expected = [...new Set([...modified, ids[7]!, ids[8]!, ...added, ...cursorSecond])];
    expect(inc.ids.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
    expect(await adapter.count(request)).toBe(inc.ids.length);
    expect(inc.items.filter((i) => (i as { active: boolean }).active === false)).toHaveLength(2);

    // with the default 60 s overlap the run starts a minute before the cursor: the newest record is read again
    const overlapping = odooAdapter(fake, { protocol });
    const again = await collect(overlapping.pages(pageRequest('customer', { ...request, pageSize: 100 })));
    expect(again.ids).toContain(Number(newest.externalId));
    expect(again.ids).toEqual(expect.arrayContaining(inc.ids));
  });
});

describe.each(PROTOCOLS)('id scan and embedded children over %s', (protocol) => {
  test('scanIds lists every id of the entity, archived included, by id keyset, resumable', async () => {
    const fake = await start({ customers: 120, archivedCustomers: 5, seed: 2 });
    const adapter = odooAdapter(fake, { protocol });
    fake.db.unlink('res.partner', [fake.db.search('res.partner', [['customer_rank', '>', 0]])[0]!.id]);
    const expected = fake.db
      .search('res.partner', [['customer_rank', '>', 0]], { order: 'id', activeTest: false })
      .map((r) => String(r.id));
    expect(expected).toHaveLength(119);
    expect(await collectIds(adapter.scanIds('customer'))).toEqual(expected);
    const searches = dataCalls(fake, 'search');
    expect(searches[0]!.kwargs).toMatchObject({
      order: 'id asc',
      domain: [
        ['customer_rank', '>', 0],
        ['id', '>', 0],
      ],
    });
    const resumed = await collectIds(
      adapter.scanIds('customer', undefined, { v: 1, walk: 'ids', lastId: Number(expected[59]) }),
    );
    expect(resumed).toEqual(expected.slice(60));
  });

  test('orders embed their lines (one read per page); a line unlinked in between is just absent', async () => {
    const fake = await start({ orders: 30, seed: 3 });
    const victim = fake.db.search('sale.order.line', [['display_type', '=', false]], { order: 'id' })[0]!;
    fake.behaviour.onRequest = (r) => {
      if (r.model === 'sale.order.line' && r.method === 'read')
        fake.db.unlink('sale.order.line', [victim.id]);
    };
    const adapter = odooAdapter(fake, { protocol });
    const { items } = await collect(adapter.pages(pageRequest('order', { pageSize: 100 })));
    expect(items).toHaveLength(30);
    expect(dataCalls(fake, 'read')).toHaveLength(1);
    const owner = items.find((o) => (o as { id: number }).id === (victim.order_id as number)) as Record<
      string,
      unknown
    >;
    const lines = owner.__lines as { id: number }[];
    expect(lines.map((l) => l.id)).not.toContain(victim.id);
    expect(lines).toHaveLength((owner.order_line as number[]).length - 1);
  });

  test('invoices and inventory send their own domains: no vendor bills, no virtual locations', async () => {
    const fake = await start({ invoices: 12, quants: 9 });
    const adapter = odooAdapter(fake, { protocol });
    const invoices = await collect(adapter.pages(pageRequest('invoice')));
    expect(
      invoices.items.every((i) =>
        ['out_invoice', 'out_refund'].includes((i as { move_type: string }).move_type),
      ),
    ).toBe(true);
    expect(invoices.ids).toHaveLength(12);
    const quants = await collect(adapter.pages(pageRequest('inventory')));
    expect(quants.items.every((q) => (q as { location_id: unknown[] }).location_id[1] === 'WH/Stock')).toBe(
      true,
    );
    expect(quants.ids).toHaveLength(9);
    expect(dataCalls(fake, 'search_read').map((r) => (r.kwargs!.domain as unknown[])[0])).toEqual([
      ['move_type', 'in', ['out_invoice', 'out_refund']],
      ['location_id.usage', 'in', ['internal', 'transit']],
    ]);
  });
});
