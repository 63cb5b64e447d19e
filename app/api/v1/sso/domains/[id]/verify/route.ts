import { apiHandler } from "@/lib/api/handler";

export const POST = apiHandler("POST /sso/domains/{id}/verify");
