import { apiHandler } from "@/lib/api/handler";

export const GET = apiHandler("GET /apps");
export const POST = apiHandler("POST /apps");
