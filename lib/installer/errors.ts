/**
 * A problem with the installer's input (a manifest, a flag value, an image): the CLI prints it as
 * one line, `file:line: message` when it points into a manifest, and exits 1.
 */
export class InstallerError extends Error {
  constructor(
    readonly reason: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    const where = file ? `${file}${line ? `:${line}` : ""}: ` : "";
    super(`${where}${reason}`.replace(/\s*\n\s*/g, " "));
    this.name = "InstallerError";
  }
}
