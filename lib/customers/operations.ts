import { defineOperation } from "@/lib/server/operation";
import { findOr404 } from "@/lib/server/find-or-404";
import { defineTeamChange } from "@/lib/server/team-change";
import { revokeLicensesOf } from "@/lib/licenses/revoke";
import { createCustomerSchema, customerRefSchema, listCustomersSchema } from "@/lib/customers/schemas";
import { licenseRowSelect, toLicenseDto } from "@/lib/licenses/dto";
import type { CustomerDto } from "@/lib/customers/dto";


const CUSTOMER_NOT_FOUND = "That customer does not exist.";

/** What a customer's audit events name: the customer, by name. */
const customerTarget = (c: { id: string; name: string }) => ({ targetType: "customer", targetId: c.id, targetLabel: c.name });

const customerInclude = { licenses: { select: licenseRowSelect, orderBy: { createdAt: "desc" as const } } };

type CustomerRow = { id: string; name: string; email: string | null; archivedAt: Date | null; createdAt: Date; licenses: Parameters<typeof toLicenseDto>[0][] };

const toDto = (c: CustomerRow): CustomerDto => ({
  id: c.id,
  name: c.name,
  email: c.email,
  archivedAt: c.archivedAt,
  createdAt: c.createdAt,
  licenses: c.licenses.map(toLicenseDto),
});

/** The team's customers with their licenses (no license IDs), newest first; archived ones on request; by name or email on request. */
export const listCustomers = defineOperation({
  name: "customers.list", permission: "read", input: listCustomersSchema,
  async run(ctx, input) {
    const rows = await ctx.db.customer.findMany({
      where: {
        teamId: ctx.teamId,
        ...(input.includeArchived ? {} : { archivedAt: null }),
        ...(input.q && { OR: [{ name: { contains: input.q, mode: "insensitive" as const } }, { email: { contains: input.q, mode: "insensitive" as const } }] }),
      },
      include: customerInclude,
      orderBy: { createdAt: "desc" },
    });
    return rows.map(toDto);
  },
});

export const getCustomer = defineOperation({
  name: "customers.get", permission: "read", input: customerRefSchema,
  async run(ctx, input) {
    const row = await findOr404(ctx.db.customer.findFirst({ where: { id: input.id, teamId: ctx.teamId }, include: customerInclude }), CUSTOMER_NOT_FOUND);
    return toDto(row);
  },
});

export const createCustomer = defineTeamChange({
  name: "customers.create", permission: "write", input: createCustomerSchema,
  async change(tx, ctx, input) {
    const customer = await tx.customer.create({ data: { teamId: ctx.teamId, name: input.name, email: input.email ?? null } });
    const metadata = customer.email ? { email: customer.email } : undefined;
    return { result: toDto({ ...customer, licenses: [] }), audit: { action: "customer.create", ...customerTarget(customer), metadata } };
  },
});

/**
 * Archives a customer and revokes its active licenses in the same transaction: an archived
 * customer pulls nothing. Archiving an archived customer changes nothing.
 */
export const archiveCustomer = defineTeamChange({
  name: "customers.archive", permission: "write", input: customerRefSchema,
  async change(tx, ctx, input) {
    const customer = await findOr404(tx.customer.findFirst({ where: { id: input.id, teamId: ctx.teamId } }), CUSTOMER_NOT_FOUND);
    const claimed = await tx.customer.updateMany({ where: { id: customer.id, archivedAt: null }, data: { archivedAt: new Date() } });
    const revokedLicenses = claimed.count === 1 ? await revokeLicensesOf(tx, ctx, { customerId: customer.id }, "customer archived", new Date()) : null;
    const result = toDto(await tx.customer.findUniqueOrThrow({ where: { id: customer.id }, include: customerInclude }));
    if (revokedLicenses === null) return { result };
    return { result, audit: { action: "customer.archive", ...customerTarget(customer), metadata: { revokedLicenses } } };
  },
});
