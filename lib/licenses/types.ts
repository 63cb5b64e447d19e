/** The types of license, with their labels: plain data, safe to import in client components (no zod). */
export const licenseTypes = ["trial", "paid", "dev"] as const;
export type LicenseTypeName = (typeof licenseTypes)[number];
export const licenseTypeLabels: Record<LicenseTypeName, string> = { trial: "Trial", paid: "Paid", dev: "Development" };
