import { apiHandler } from "@/lib/api/handler";

export const GET = apiHandler("GET /sso/domains");
export const POST = apiHandler("POST /sso/domains");
