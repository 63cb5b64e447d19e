import { describe, expect, it } from "vitest";
import { createLogger, type LogLevel } from "./logger";

function capture(format: "json" | "pretty", level?: LogLevel) {
  const lines: { line: string; level: LogLevel }[] = [];
  const log = createLogger({ format, level, write: (line, l) => lines.push({ line, level: l }), now: () => new Date("2026-01-02T03:04:05Z") });
  return { log, lines, text: () => lines.map((l) => l.line).join("\n") };
}

const secrets = {
  password: "hunter2-very-secret",
  token: "pcs_4kTq9ZrXbW2mN7vLp0aYcE8dF1gH3jK5",
  authorization: "Basic dXNlcjpwYXNzd29yZA==",
  credentials: { username: "robot", secretAccessKey: "wJalrXUtnFEMI/K7MDENGbPxRfiCY" },
  licenseToken: "pcl_Zx81Qw0PlmNb5rT2yU7iO9",
};

describe("the logger", () => {
  it.each(["json", "pretty"] as const)("never writes a secret-shaped field or token (%s)", (format) => {
    const { log, text } = capture(format);
    log.error(`lookup failed for ${secrets.licenseToken} with Authorization: Bearer abcdefghijklmnopqrstu`, {
      password: secrets.password,
      token: secrets.token,
      authorization: secrets.authorization,
      credentials: secrets.credentials,
      request: { headers: { Authorization: secrets.authorization, cookie: "portcullis_session=s3ss10nv4lue" } },
      detail: `postgresql://app:${secrets.password}@db:5432/portcullis`,
      cause: new Error(`upstream refused token=${secrets.token}`),
    });
    const out = text();
    for (const s of [secrets.password, secrets.token, secrets.authorization, "dXNlcjpwYXNzd29yZA", secrets.credentials.secretAccessKey, secrets.licenseToken, "abcdefghijklmnopqrstu", "s3ss10nv4lue"]) {
      expect(out).not.toContain(s);
    }
    expect(out).toContain("lookup failed for");
  });

  it("writes one JSON object per line in production, with time, level and message", () => {
    const { log, lines } = capture("json");
    log.info("portal listening", { port: 3000, host: "0.0.0.0" });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!.line)).toEqual({ time: "2026-01-02T03:04:05.000Z", level: "info", msg: "portal listening", port: 3000, host: "0.0.0.0" });
  });

  it("writes a readable line in development", () => {
    const { log, lines } = capture("pretty");
    log.warn("proxy exited", { code: 1 });
    expect(lines[0]).toEqual({ line: "[portcullis] warn: proxy exited code=1", level: "warn" });
  });

  it("drops lines below its level", () => {
    const { log, lines } = capture("json", "warn");
    log.debug("noise");
    log.info("noise");
    log.error("kept");
    expect(lines.map((l) => JSON.parse(l.line).msg)).toEqual(["kept"]);
  });
});
