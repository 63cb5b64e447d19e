import { apiHandler } from "@/lib/api/handler";

export const GET = apiHandler("GET /registries");
export const POST = apiHandler("POST /registries");
