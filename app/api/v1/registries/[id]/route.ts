import { apiHandler } from "@/lib/api/handler";

export const GET = apiHandler("GET /registries/{id}");
export const PATCH = apiHandler("PATCH /registries/{id}");
export const DELETE = apiHandler("DELETE /registries/{id}");
