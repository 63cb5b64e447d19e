"use client";

import { usePathname } from "next/navigation";
import { IntentLink } from "./intent-link";

const navItems = [
  { href: "/", label: "Home" },
  { href: "/apps", label: "Apps" },
  { href: "/images", label: "Images" },
  { href: "/customers", label: "Customers" },
  { href: "/tokens", label: "Tokens" },
  { href: "/audit", label: "Audit log" },
  { href: "/settings", label: "Team settings" },
  { href: "/api-reference", label: "API reference" },
  { href: "/tutorials/ecr", label: "ECR tutorial" },
] as const;

export function NavLinks() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex flex-col gap-0.5">
      {navItems.map((item) => {
        const active = pathname === item.href || (item.href !== "/" && pathname.startsWith(item.href + "/"));
        return (
          <IntentLink
            key={item.href}
            href={item.href}
            aria-current={active ? "page" : undefined}
            className={`flex min-h-10 items-center rounded-md px-3 py-2 text-sm font-medium ${
              active ? "bg-brand-50 text-brand-700" : "text-slate-700 hover:bg-slate-100"
            }`}
          >
            {item.label}
          </IntentLink>
        );
      })}
    </nav>
  );
}
