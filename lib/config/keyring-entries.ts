import { ConfigError } from "./env";

/**
 * The `id:value` lists that configure keyrings (LOCAL_KMS_KEYS and its key file, TOKEN_HASH_KEYS):
 * entries separated by commas or newlines, "#" starting a comment line. Each keyring then checks
 * its values; the ids are checked here, once: letters, digits, ".", "_", "-", at most 64, no
 * id twice. Messages name the variable and the entry, never an invalid id or a value: either
 * could be a secret pasted into the wrong place.
 */
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface KeyringEntry {
  id: string;
  value: string;
}

/** `valueName` says what the value is in the "is not id:…" message ("secret", "base64key"). */
export function parseKeyringEntries(text: string, variable: string, valueName: string): KeyringEntry[] {
  const entries = text
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith("#"))
    .flatMap((line) => line.split(","))
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new ConfigError(`Invalid configuration: ${variable} lists no keys`);
  const parsed: KeyringEntry[] = [];
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(":");
    if (colon <= 0) throw new ConfigError(`Invalid configuration: ${variable} entry ${i + 1} is not "id:${valueName}"`);
    const id = entry.slice(0, colon);
    if (!KEY_ID.test(id)) throw new ConfigError(`Invalid configuration: ${variable} entry ${i + 1} has an invalid key id (letters, digits, ".", "_", "-"; at most 64)`);
    if (parsed.some((k) => k.id === id)) throw new ConfigError(`Invalid configuration: ${variable} lists key "${id}" twice`);
    parsed.push({ id, value: entry.slice(colon + 1).trim() });
  });
  return parsed;
}
