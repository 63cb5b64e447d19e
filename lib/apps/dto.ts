import { z } from "zod";

/** An app as the operations return it (and, with dates as strings, as the REST API answers it). */
export const appDtoSchema = z.object({ id: z.uuid(), name: z.string(), slug: z.string(), createdAt: z.date() });

export type AppDto = z.infer<typeof appDtoSchema>;
