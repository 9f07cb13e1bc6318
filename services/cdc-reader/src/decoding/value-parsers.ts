import type { Pgoutput } from 'pg-logical-replication';

/**
 * Column values as they go on the wire. pgoutput sends every value in Postgres's text form.
 * Types whose text form converts to a JavaScript value exactly become numbers/booleans;
 * everything else keeps its text form (int8 and numeric would lose precision as numbers,
 * timestamps would lose microseconds and their zone as Date, json would lose big numbers).
 * Type OIDs from Postgres's pg_type.dat.
 */
const INT2 = 21;
const INT4 = 23;
const OID = 26;
const BOOL = 16;

const asText = (text: string): string => text;
const asNumber = (text: string): number => Number(text);
const asBoolean = (text: string): boolean => text === 't';

/** Makes the library parse the relation's later tuples into wire values (call on every relation message). */
export function useWireParsers(relation: Pgoutput.MessageRelation): void {
  for (const column of relation.columns) column.parser = valueParser(column.typeOid);
}

function valueParser(typeOid: number): (text: string) => unknown {
  switch (typeOid) {
    case INT2:
    case INT4:
    case OID:
      return asNumber;
    case BOOL:
      return asBoolean;
    default:
      return asText;
  }
}
