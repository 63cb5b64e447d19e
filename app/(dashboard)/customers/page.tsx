import { ComingSoon } from "@/components/shell/coming-soon";

export const metadata = { title: "Customers" };

export default function CustomersPage() {
  return (
    <ComingSoon
      title="Customers"
      description="The companies that install your apps, and their licenses."
      what="Here you will create customers and issue trial, paid or dev licenses whose IDs let their clusters pull your images — and revoke them."
    />
  );
}
