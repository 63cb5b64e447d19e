/**
 * What of the development registry's (Distribution's) log reaches `npm run dev`'s terminal. Its
 * routine lines are dropped: every client's first request is refused to be asked for a token
 * ("error authorizing context"), and every push asks for blobs and manifests that aren't there yet
 * ("blob unknown", "manifest unknown"). Everything else — failed notifications to the portal,
 * storage errors, its start-up failures — is passed on.
 */
const ROUTINE = [/msg="error authorizing context: /, /err\.code="blob unknown"/, /err\.code="manifest unknown"/, /msg="No HTTP secret provided/];

export const isRoutineRegistryLine = (line: string) => line.trim() === "" || ROUTINE.some((r) => r.test(line));

/** Passes a stream's lines on to `write`, without the routine ones. */
export function filterRegistryOutput(input: NodeJS.ReadableStream, write: (line: string) => void) {
  let rest = "";
  input.setEncoding("utf8");
  input.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) if (!isRoutineRegistryLine(line)) write(line + "\n");
  });
  input.on("end", () => {
    if (rest && !isRoutineRegistryLine(rest)) write(rest + "\n");
  });
}
