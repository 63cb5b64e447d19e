import { apiHandler } from "@/lib/api/handler";

export const POST = apiHandler("POST /customers/{id}/archive");
