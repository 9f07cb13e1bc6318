/** One way the rules do not fit the live database, with the SQL (or edit) that fixes it. */
export interface ValidationProblem {
  /** `schema.table` the problem is about (or the publication name for publication-wide problems). */
  readonly table: string;
  readonly column?: string;
  /** The rule that needs what is missing, if one rule does. */
  readonly rule?: string;
  /** What is wrong, in one sentence. */
  readonly problem: string;
  /** The SQL (or edit) that fixes it. */
  readonly fix: string;
  /** The whole problem as one line: table, column, what, fix. */
  readonly message: string;
}

export function validationProblem(fields: Omit<ValidationProblem, 'message'>): ValidationProblem {
  const where =
    fields.column === undefined ? fields.table : `${fields.table} column ${fields.column}`;
  const by = fields.rule === undefined ? '' : ` (rule '${fields.rule}')`;
  return { ...fields, message: `${where}${by}: ${fields.problem}. Fix: ${fields.fix}` };
}
