import type { Row } from '@freshen/change-event';
import { FreshenError } from '@freshen/runtime';

/** Records whether a rule read a column whose new value Postgres did not send. */
export interface ReadTracker {
  readUnavailable: boolean;
}

// Names that JSON.stringify, console.log, promises and test matchers probe on any object.
const PROBES = new Set([
  'toJSON',
  'then',
  'constructor',
  'valueOf',
  'toString',
  'asymmetricMatch',
  '$$typeof',
  'nodeType',
]);

/**
 * The row a rule sees: exactly its declared columns. Reading an undeclared column throws (the
 * declared list is what validation checks, so it must be complete); reading an unavailable
 * (unchanged TOAST) column gives undefined and is recorded, so refreshes become deletes.
 */
export function rowView(
  row: Row | null,
  declared: ReadonlySet<string>,
  unavailable: ReadonlySet<string>,
  tracker: ReadTracker,
  where: string,
): Readonly<Record<string, unknown>> | null {
  if (row === null) return null;
  const columns: Record<string, unknown> = Object.create(null);
  for (const column of declared) if (Object.hasOwn(row, column)) columns[column] = row[column];
  return new Proxy(columns, new RowViewHandler(declared, unavailable, tracker, where));
}

/** The view's traps, as one object per row (methods shared): rules run on every change. */
class RowViewHandler implements ProxyHandler<Record<string, unknown>> {
  private readonly declared: ReadonlySet<string>;
  private readonly unavailable: ReadonlySet<string>;
  private readonly tracker: ReadTracker;
  private readonly where: string;

  constructor(
    declared: ReadonlySet<string>,
    unavailable: ReadonlySet<string>,
    tracker: ReadTracker,
    where: string,
  ) {
    this.declared = declared;
    this.unavailable = unavailable;
    this.tracker = tracker;
    this.where = where;
  }

  get(target: Record<string, unknown>, name: string | symbol): unknown {
    if (typeof name !== 'string' || PROBES.has(name)) return undefined;
    if (!this.declared.has(name)) {
      throw new FreshenError(
        'RULE_FAILED',
        `${this.where} read column ${name}, which it does not declare; add it to the rule's column list`,
      );
    }
    if (this.unavailable.has(name)) this.tracker.readUnavailable = true;
    return target[name];
  }

  has(_target: Record<string, unknown>, name: string | symbol): boolean {
    return typeof name === 'string' && this.declared.has(name);
  }

  ownKeys(): string[] {
    return [...this.declared];
  }

  getOwnPropertyDescriptor(
    target: Record<string, unknown>,
    name: string | symbol,
  ): PropertyDescriptor | undefined {
    if (typeof name !== 'string' || !this.declared.has(name)) return undefined;
    if (this.unavailable.has(name)) this.tracker.readUnavailable = true;
    return { value: target[name], enumerable: true, configurable: true, writable: false };
  }

  set(): boolean {
    return false;
  }

  deleteProperty(): boolean {
    return false;
  }
}
