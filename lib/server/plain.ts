/**
 * A value as server components hand it to client components: every Date (at any depth) an ISO
 * 8601 string, everything else as it is. Views of DTOs are `Plain<…Dto>`, not copies of them.
 */
export type Plain<T> = T extends Date ? string : T extends readonly (infer U)[] ? Plain<U>[] : T extends object ? { [K in keyof T]: Plain<T[K]> } : T;
