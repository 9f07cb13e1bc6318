import { sleep } from '@freshen/runtime';
import type { Fixture } from './fixture.ts';

export interface HttpWorkloadCounts {
  reads: number;
  writes: number;
  /** Responses other than 2xx/404/409 (a 404 or 409 is an expected answer here), or network errors. */
  errors: number;
}

/**
 * A small mixed workload against the example API over HTTP: readers fetch profiles, email
 * lookups, member lists, products, category listings, the leaderboard and member ids; writers
 * change emails, prices, categories, memberships, and place orders. Every loop pauses between requests, so the load stays gentle.
 */
export async function runHttpWorkload(options: {
  baseUrl: string;
  fixture: Fixture;
  readers: number;
  writers: number;
  /** Pause between one loop's requests, ms (random up to this). */
  pauseMs: number;
  signal: AbortSignal;
  counts?: HttpWorkloadCounts;
}): Promise<HttpWorkloadCounts> {
  const { baseUrl, fixture, signal } = options;
  const counts = options.counts ?? { reads: 0, writes: 0, errors: 0 };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
  let version = 0;

  const request = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      signal,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    await response.arrayBuffer();
    if (response.status >= 300 && response.status !== 404 && response.status !== 409)
      counts.errors++;
  };
  const read = () => {
    const choice = Math.random();
    if (choice < 0.4) return request('GET', `/users/${pick(fixture.userIds)}`);
    if (choice < 0.55)
      return request('GET', `/users/by-email/${encodeURIComponent(pick(fixture.emails))}`);
    if (choice < 0.65) return request('GET', `/teams/${pick(fixture.teamIds)}/members`);
    if (choice < 0.8) return request('GET', `/products/${pick(fixture.productIds)}`);
    if (choice < 0.85) return request('GET', `/products/by-sku/${pick(fixture.skus)}`);
    if (choice < 0.93) return request('GET', `/categories/${pick(fixture.categoryIds)}/products`);
    if (choice < 0.97) return request('GET', '/leaderboard?top=10');
    return request('GET', `/teams/${pick(fixture.teamIds)}/member-ids`);
  };
  const write = () => {
    const choice = Math.random();
    if (choice < 0.3) {
      const email = `user-${++version}-${Date.now()}@example.com`;
      fixture.emails.push(email);
      return request('PUT', `/users/${pick(fixture.userIds)}/email`, { email });
    }
    if (choice < 0.5)
      return request('PUT', `/products/${pick(fixture.productIds)}`, {
        price: (1 + Math.random() * 99).toFixed(2),
      });
    if (choice < 0.55)
      return request('PUT', `/products/${pick(fixture.productIds)}/category`, {
        category_id: pick(fixture.categoryIds),
      });
    if (choice < 0.75)
      return request('POST', `/teams/${pick(fixture.teamIds)}/members`, {
        user_id: pick(fixture.userIds),
      });
    return request('POST', '/orders', {
      user_id: pick(fixture.userIds),
      product_id: pick(fixture.productIds),
      qty: 1,
    });
  };
  const loop = async (step: () => Promise<void>, counter: 'reads' | 'writes') => {
    while (!signal.aborted) {
      try {
        await step();
        counts[counter]++;
        await sleep(Math.random() * options.pauseMs, signal);
      } catch {
        if (!signal.aborted) counts.errors++;
      }
    }
  };
  await Promise.all([
    ...Array.from({ length: options.readers }, () => loop(read, 'reads')),
    ...Array.from({ length: options.writers }, () => loop(write, 'writes')),
  ]);
  return counts;
}
