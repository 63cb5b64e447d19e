import Link from "next/link";
import { Card } from "@/components/ui/card";
import { Notice } from "@/components/ui/notice";
import { OpenLinkForm } from "@/components/customer-portal/open-link-form";
import { getDb } from "@/lib/db/client";
import { peekPortalLink } from "@/lib/customer-portal/links";

export const metadata = { title: "Customer portal" };

/** A portal link's page: says what it opens; the button uses the link up. */
export default async function OpenPortalLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const link = await peekPortalLink(await getDb(), token);
  return (
    <div className="mx-auto max-w-md">
      <Card>
        {link ? (
          <>
            <h1 className="text-xl font-semibold">{link.appName}</h1>
            <p className="mb-5 mt-1 text-sm text-slate-600">
              The customer portal of {link.customerName}: your images, install instructions, license file and pull history. This link works once.
            </p>
            <OpenLinkForm token={token} />
          </>
        ) : (
          <>
            <h1 className="text-xl font-semibold">This link can&apos;t be used</h1>
            <Notice tone="warning" className="mt-3">
              It has been used or has expired (or its license is no longer active). Ask your vendor for a new link, or sign in with your license ID.
            </Notice>
            <Link href="/portal/sign-in" className="mt-4 inline-block text-sm font-medium text-brand-600 hover:underline">
              Sign in with your license ID
            </Link>
          </>
        )}
      </Card>
    </div>
  );
}
