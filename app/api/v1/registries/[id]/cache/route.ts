import { apiHandler } from "@/lib/api/handler";

export const GET = apiHandler("GET /registries/{id}/cache");
export const PATCH = apiHandler("PATCH /registries/{id}/cache");
