import { apiHandler } from "@/lib/api/handler";

export const PATCH = apiHandler("PATCH /apps/{id}");
export const DELETE = apiHandler("DELETE /apps/{id}");
