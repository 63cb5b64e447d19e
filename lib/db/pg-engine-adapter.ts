import { PrismaPg } from "@prisma/adapter-pg";
import { ColumnTypeEnum, type SqlDriverAdapter, type SqlQuery, type SqlQueryable, type SqlResultSet } from "@prisma/driver-adapter-utils";

/**
 * @prisma/adapter-pg for the schema engine. The engine describes a database by reading catalog
 * columns of PostgreSQL's internal "char" type (OID 18: pg_constraint.contype, pg_class.relkind…)
 * and expects them typed as Character; adapter-pg rejects that type. This wrapper lets adapter-pg
 * map every other column as usual and types the "char" ones itself.
 *
 * It relies on adapter-pg's (private) `performIO`, which returns pg's result with its fields; the
 * package is pinned, and test/integration/migrations.test.ts exercises this on PostgreSQL.
 */
const CHAR_OID = 18;
const TEXT_OID = 25;

interface PgResult {
  fields: { dataTypeID: number }[];
  rows: unknown[][];
}
type WithPerformIO = SqlQueryable & { performIO(query: SqlQuery): Promise<PgResult> };

export async function connectPgForEngine(url: string): Promise<SqlDriverAdapter> {
  const adapter = await new PrismaPg({ connectionString: url, max: 1 }).connect();
  return charAware(adapter);
}

function charAware<T extends SqlQueryable>(queryable: T): T {
  const inner = queryable as unknown as WithPerformIO;
  if (typeof inner.performIO !== "function") throw new Error("@prisma/adapter-pg changed: performIO is gone (see pg-engine-adapter.ts)");
  const queryRaw = async (query: SqlQuery): Promise<SqlResultSet> => {
    const result = await inner.performIO(query);
    const isChar = result.fields.map((f) => f.dataTypeID === CHAR_OID);
    if (!isChar.includes(true)) return inner.queryRaw.call(withResult(inner, result), query);
    const asText = { ...result, fields: result.fields.map((f) => (f.dataTypeID === CHAR_OID ? { ...f, dataTypeID: TEXT_OID } : f)) };
    const mapped = await inner.queryRaw.call(withResult(inner, asText), query);
    return { ...mapped, columnTypes: mapped.columnTypes.map((t, i) => (isChar[i] ? ColumnTypeEnum.Character : t)) };
  };
  return new Proxy(queryable, {
    get(target, key, receiver) {
      if (key === "queryRaw") return queryRaw;
      if (key === "startTransaction") {
        return async (...args: unknown[]) =>
          charAware(await (target as unknown as { startTransaction(...a: unknown[]): Promise<SqlQueryable> }).startTransaction(...args));
      }
      const value = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The queryable, answering its next performIO with an already fetched result. */
function withResult(inner: WithPerformIO, result: PgResult): WithPerformIO {
  return Object.create(inner, { performIO: { value: async () => result } }) as WithPerformIO;
}
