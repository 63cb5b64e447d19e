import { z } from "zod";
import "@/lib/validations/zod-config";
import { emailSchema } from "@/lib/accounts/schemas";

const customerNameSchema = z.string().trim().min(1, "Enter a name.").max(120, "Use at most 120 characters.");

export const createCustomerSchema = z.object({
  name: customerNameSchema.meta({ description: "The customer's name, e.g. the company.", example: "Globex Corporation" }),
  email: z
    .union([z.literal(""), emailSchema])
    .optional()
    .transform((v) => (v ? v : undefined))
    .meta({ description: "Optional contact address.", example: "ops@globex.example" }),
});

export const customerRefSchema = z.object({ id: z.uuid("Unknown customer.") });

export const listCustomersSchema = z.object({
  includeArchived: z
    .union([z.boolean(), z.enum(["true", "false", "1", "0", ""])])
    .optional()
    .transform((v) => v === true || v === "true" || v === "1")
    .meta({ description: "Also list archived customers." }),
  q: z
    .string()
    .trim()
    .max(120, "Use at most 120 characters.")
    .optional()
    .transform((v) => v || undefined)
    .meta({ description: "Only customers whose name or contact email contains this text (any case)." }),
});
