/** Command-line options of the benchmark scripts: `--name VALUE` numbers and `--flag` switches. */
export const numberArg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

export const flag = (name: string): boolean => process.argv.includes(`--${name}`);

/** `--name VALUE` as given, or undefined. */
export const argOf = (name: string): string | undefined => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : undefined);
