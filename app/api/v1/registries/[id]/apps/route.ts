import { apiHandler } from "@/lib/api/handler";

export const PATCH = apiHandler("PATCH /registries/{id}/apps");
