import { z } from "zod";
import "@/lib/validations/zod-config";

export const twoFactorCodeSchema = z.object({ code: z.string().trim().min(1, "Enter the code.").max(64, "That code is too long.") });
