import { apiHandler } from "@/lib/api/handler";

export const GET = apiHandler("GET /licenses/{id}/instructions");
