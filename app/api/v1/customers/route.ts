import { apiHandler } from "@/lib/api/handler";

export const GET = apiHandler("GET /customers");
export const POST = apiHandler("POST /customers");
