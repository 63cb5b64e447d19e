/**
 * Tables of the portal: a head of column labels over rows. Server and client components alike.
 * Either pass `columns` with a `cell` each and `rows` (the table renders the rows), or column
 * labels alone and the rows as children (row components with state of their own).
 */

/** A column: its label (a string, or `actions` for a row-actions column without a visible label), the head cell's classes and, when the table renders the rows, the cell. */
export type Column<Row = never> = {
  label: string | typeof actions;
  className?: string;
  cell?: (row: Row) => React.ReactNode;
  cellClassName?: string;
};

/** The label of a column of row actions: read out as "Actions", not shown. */
export const actions = Symbol("actions");

const heads = {
  /** A table filling a card: a grey head band with a line below. */
  band: "border-b border-slate-200 bg-slate-50 text-xs uppercase text-slate-500",
  /** Under a heading inside a card: lines above and below the band. */
  framed: "border-y border-slate-200 bg-slate-50 text-xs uppercase text-slate-500",
  /** Inside a bordered section: the band without lines. */
  plain: "bg-slate-50 text-xs uppercase text-slate-500",
  /** Inside running text: labels only. */
  bare: "text-xs uppercase text-slate-500",
} as const;

export function Table<Row>({
  label,
  columns,
  rows,
  rowKey,
  head = "band",
  headCellClassName = "px-4 py-2",
  className = "",
  bodyClassName = "",
  children,
}: {
  /** The table's accessible name. */
  label?: string;
  columns: readonly Column<Row>[];
  rows?: readonly Row[];
  rowKey?: (row: Row) => string;
  head?: keyof typeof heads;
  /** Classes of every head cell, before the column's own. */
  headCellClassName?: string;
  className?: string;
  bodyClassName?: string;
  children?: React.ReactNode;
}) {
  return (
    <table className={`w-full text-left text-sm ${className}`} aria-label={label}>
      <thead className={heads[head]}>
        <tr>
          {columns.map((c, i) => (
            <th key={i} scope="col" className={`${headCellClassName} ${c.className ?? ""}`}>
              {c.label === actions ? <span className="sr-only">Actions</span> : c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className={`divide-y divide-slate-100 ${bodyClassName}`}>
        {rows && rowKey
          ? rows.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((c, i) => (
                  <td key={i} className={c.cellClassName}>
                    {c.cell?.(row)}
                  </td>
                ))}
              </tr>
            ))
          : children}
      </tbody>
    </table>
  );
}

/** Column labels alone, for a table whose rows are components of their own. */
export const labels = (...names: (string | typeof actions)[]): Column[] => names.map((label) => (label === actions ? { label, className: "text-right" } : { label }));
