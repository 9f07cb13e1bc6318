import { CloseList } from '../../src/index.ts';

describe('CloseList', () => {
  it('runs steps last-first, keeps going past failures, and reports them together', async () => {
    const order: string[] = [];
    const list = new CloseList()
      .add('pool', () => order.push('pool'))
      .add('producer', () => {
        order.push('producer');
        throw new Error('broker gone');
      })
      .add('consumer', async () => order.push('consumer'));
    const error = await list.close().catch((caught: unknown) => caught);
    expect(order).toEqual(['consumer', 'producer', 'pool']);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors[0].message).toBe(
      'close step "producer" failed: broker gone',
    );
  });

  it('is idempotent: repeated close calls share one run', async () => {
    let runs = 0;
    const list = new CloseList().add('once', () => runs++);
    await Promise.all([list.close(), list.close()]);
    await list.close();
    expect(runs).toBe(1);
  });
});
