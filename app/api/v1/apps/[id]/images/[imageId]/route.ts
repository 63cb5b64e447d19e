import { apiHandler } from "@/lib/api/handler";

export const DELETE = apiHandler("DELETE /apps/{id}/images/{imageId}");
