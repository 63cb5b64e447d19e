import { apiHandler } from "@/lib/api/handler";

export const DELETE = apiHandler("DELETE /sso/domains/{id}");
