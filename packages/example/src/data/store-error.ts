/**
 * A write the example schema refuses for a reason the caller caused: a value already taken, a
 * referenced row missing, not enough stock. The example API answers these with 409 or 404; the
 * harness's writers count them as conflicts.
 */
export class StoreError extends Error {
  readonly kind: 'conflict' | 'missing';

  constructor(kind: 'conflict' | 'missing', message: string) {
    super(message);
    this.name = 'StoreError';
    this.kind = kind;
  }
}
