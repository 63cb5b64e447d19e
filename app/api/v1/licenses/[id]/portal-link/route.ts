import { apiHandler } from "@/lib/api/handler";

export const POST = apiHandler("POST /licenses/{id}/portal-link");
