import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { Notice } from "@/components/ui/notice";
import { LicenseSignInForm } from "@/components/customer-portal/sign-in-form";
import { currentCustomer } from "@/lib/customer-portal/request";

export const metadata = { title: "Customer portal: sign in" };

export default async function CustomerSignInPage({ searchParams }: { searchParams: Promise<{ signedOut?: string }> }) {
  if (await currentCustomer()) redirect("/portal");
  const { signedOut } = await searchParams;
  return (
    <div className="mx-auto max-w-md">
      <Card>
        <h1 className="text-xl font-semibold">Sign in with your license</h1>
        <p className="mb-5 mt-1 text-sm text-slate-600">See your app&apos;s images, install instructions, license file and pull history.</p>
        {signedOut && <Notice className="mb-4">You have signed out.</Notice>}
        <LicenseSignInForm />
        <p className="mt-5 text-sm text-slate-600">Your vendor can also send you a portal link, which signs you in once.</p>
      </Card>
    </div>
  );
}
