import { apiHandler } from "@/lib/api/handler";

export const GET = apiHandler("GET /apps/{id}/images/{imageId}/details");
