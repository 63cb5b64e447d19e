import { EVENT_ID, getScalarValue, loadAll, parseEvents, YAMLException, type Event } from "js-yaml";
import { InstallerError } from "./errors";

/**
 * YAML documents with their source lines. js-yaml's event stream carries offsets, so each value
 * can be traced back to its line: errors then name `file:line` the way an editor shows it.
 */

export type YamlPath = ReadonlyArray<string | number>;

export interface SourceDocument {
  /** As given (relative to the manifests folder), for messages. */
  file: string;
  /** Position in the file, from 0. */
  index: number;
  /** 1-based line where the document's content starts. */
  line: number;
  value: unknown;
  /** 1-based line of the value at `path` (or of the closest ancestor the source has). */
  lineAt(path: YamlPath): number;
}

const pathKey = (path: YamlPath) => path.join("\u0000");

function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

interface Frame {
  kind: "map" | "seq";
  path: (string | number)[];
  index: number;
  /** Maps: the key just read, waiting for its value. */
  key?: string;
}

function nodeOffset(e: Event): number {
  switch (e.type) {
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE:
      return e.start;
    case EVENT_ID.SCALAR:
      return e.valueStart;
    case EVENT_ID.ALIAS:
      return e.anchorStart;
    default:
      return -1;
  }
}

/** Offsets of every value by path, one map per document. */
function positions(text: string, events: Event[]): Array<Map<string, number>> {
  const docs: Array<Map<string, number>> = [];
  let current: Map<string, number> | undefined;
  const stack: Frame[] = [];
  for (const e of events) {
    if (e.type === EVENT_ID.DOCUMENT) {
      current = new Map();
      docs.push(current);
      continue;
    }
    if (e.type === EVENT_ID.POP) {
      stack.pop();
      continue;
    }
    if (!current) continue;
    const parent = stack[stack.length - 1];
    let path: (string | number)[];
    if (!parent) {
      path = [];
    } else if (parent.kind === "seq") {
      path = [...parent.path, parent.index++];
    } else if (parent.key === undefined) {
      // A mapping key. Keys of manifests are scalars; a complex key just gets an opaque name.
      parent.key = e.type === EVENT_ID.SCALAR ? getScalarValue(text, e) : `#${parent.index}`;
      parent.index++;
      if (e.type === EVENT_ID.MAPPING || e.type === EVENT_ID.SEQUENCE) stack.push({ kind: e.type === EVENT_ID.MAPPING ? "map" : "seq", path: [...parent.path, "#key"], index: 0 });
      continue;
    } else {
      path = [...parent.path, parent.key];
      parent.key = undefined;
    }
    const offset = nodeOffset(e);
    if (offset >= 0 && !current.has(pathKey(path))) current.set(pathKey(path), offset);
    if (e.type === EVENT_ID.MAPPING) stack.push({ kind: "map", path, index: 0 });
    else if (e.type === EVENT_ID.SEQUENCE) stack.push({ kind: "seq", path, index: 0 });
  }
  return docs;
}

/** Parses a (multi-document) YAML file. Throws InstallerError with the file and line on bad YAML. */
export function parseYamlDocuments(text: string, file: string): SourceDocument[] {
  let values: unknown[];
  let events: Event[];
  try {
    events = parseEvents(text, { filename: file });
    values = loadAll(text, { filename: file });
  } catch (e) {
    if (e instanceof YAMLException) throw new InstallerError(`invalid YAML: ${e.reason}`, file, e.mark ? e.mark.line + 1 : undefined);
    throw e;
  }
  const toLine = lineIndex(text);
  const maps = positions(text, events);
  return values.map((value, index) => {
    const offsets = maps[index] ?? new Map<string, number>();
    const lineAt = (path: YamlPath): number => {
      for (let n = path.length; n >= 0; n--) {
        const offset = offsets.get(pathKey(path.slice(0, n)));
        if (offset !== undefined) return toLine(offset);
      }
      return 1;
    };
    return { file, index, line: lineAt([]), value, lineAt };
  });
}
