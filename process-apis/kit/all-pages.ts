// Reads a paged system API listing to the end: the one page loop every journey uses, by cursor or over a bulk read.

/** Master-data listings (legal entities, rate cards, a client's projects and invoices) are small: past this many pages something is wrong. */
export const MASTER_DATA_MAX_PAGES = 50;

/** Every page of a cursor-paged list, up to `maxPages` pages (unbounded by default). */
export async function allPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
  maxPages = Number.POSITIVE_INFINITY,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await fetchPage(cursor);
    items.push(...answer.items);
    if (!answer.nextCursor) break;
    cursor = answer.nextCursor;
  }
  return items;
}

/** Every item of a system API's bulk read (an async sequence of pages), in order. */
export async function collectPages<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const items: T[] = [];
  for await (const page of pages) for (const item of page) items.push(item);
  return items;
}
