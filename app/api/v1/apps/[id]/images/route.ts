import { apiHandler } from "@/lib/api/handler";

export const GET = apiHandler("GET /apps/{id}/images");
export const POST = apiHandler("POST /apps/{id}/images");
export const PATCH = apiHandler("PATCH /apps/{id}/images");
