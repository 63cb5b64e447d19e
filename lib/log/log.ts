import { runtimeMode } from "@/lib/config/env";
import { createLogger, type Logger } from "./logger";

let instance: Logger | undefined;

/** This process's logger (lib/log/logger.ts): JSON lines in production, readable lines otherwise. */
export function logger(): Logger {
  instance ??= createLogger({ format: runtimeMode() === "production" ? "json" : "pretty" });
  return instance;
}
