import { z } from "zod";
import { licenseDtoSchema } from "@/lib/licenses/dto";

/** A customer with its licenses, as the operations return it (and, with dates as strings, as the REST API answers it). */
export const customerDtoSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string().nullable(),
  archivedAt: z.date().nullable(),
  createdAt: z.date(),
  licenses: z.array(licenseDtoSchema),
});

export type CustomerDto = z.infer<typeof customerDtoSchema>;
