import { isFreshenError } from '@freshen/runtime';
import { rowView, type ReadTracker } from '../../src/evaluate/row-view.ts';

function view(row: Record<string, unknown>, declared: string[], unavailable: string[] = []) {
  const tracker: ReadTracker = { readUnavailable: false };
  const result = rowView(
    row,
    new Set(declared),
    new Set(unavailable),
    tracker,
    "rule 'r' for public.t",
  )!;
  return { row: result, tracker };
}

describe('rowView', () => {
  it('shows exactly the declared columns, to property reads, spread and JSON', () => {
    const { row } = view({ id: 1, email: 'a', secret: 'x' }, ['id', 'email', 'name']);
    expect(row.id).toBe(1);
    expect(row.name).toBeUndefined();
    expect({ ...row }).toEqual({ id: 1, email: 'a', name: undefined });
    expect(JSON.stringify(row)).toBe('{"id":1,"email":"a"}');
    expect(Object.keys(row)).toEqual(['id', 'email', 'name']);
    expect('secret' in row).toBe(false);
  });

  it('fails the rule when it reads an undeclared column', () => {
    const { row } = view({ id: 1, secret: 'x' }, ['id']);
    let caught: unknown;
    try {
      void row.secret;
    } catch (error) {
      caught = error;
    }
    expect(isFreshenError(caught, 'RULE_FAILED') && caught.message).toBe(
      "rule 'r' for public.t read column secret, which it does not declare; add it to the rule's column list",
    );
  });

  it('records a read of an unavailable (unchanged TOAST) column, also through spread and JSON', () => {
    const direct = view({ id: 1 }, ['id', 'bio'], ['bio']);
    void direct.row.id;
    expect(direct.tracker.readUnavailable).toBe(false);
    void direct.row.bio;
    expect(direct.tracker.readUnavailable).toBe(true);
    const spread = view({ id: 1 }, ['id', 'bio'], ['bio']);
    void { ...spread.row };
    expect(spread.tracker.readUnavailable).toBe(true);
    const json = view({ id: 1 }, ['id', 'bio'], ['bio']);
    JSON.stringify(json.row);
    expect(json.tracker.readUnavailable).toBe(true);
  });

  it('is read-only', () => {
    const { row } = view({ id: 1 }, ['id']);
    expect(() => {
      (row as Record<string, unknown>).id = 2;
    }).toThrow(TypeError);
  });

  it('is null for a row Postgres did not send', () => {
    expect(rowView(null, new Set(['id']), new Set(), { readUnavailable: false }, 'r')).toBeNull();
  });
});
