import { apiHandler } from "@/lib/api/handler";

export const GET = apiHandler("GET /sso");
export const PUT = apiHandler("PUT /sso");
