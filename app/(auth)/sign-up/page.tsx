import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { currentSession } from "@/lib/server/request";

export const metadata = { title: "Create your account" };

export default async function SignUpPage() {
  if (await currentSession()) redirect("/apps");
  return (
    <Card>
      <h1 className="text-xl font-semibold">Create your account</h1>
      <p className="mb-5 mt-1 text-sm text-slate-600">Start delivering private images to your customers.</p>
      <SignUpForm />
      <p className="mt-5 text-center text-sm text-slate-600">
        Already have an account?{" "}
        <Link href="/sign-in" className="font-medium text-brand-600 hover:underline">
          Sign in
        </Link>
      </p>
    </Card>
  );
}
