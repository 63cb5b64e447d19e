import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-2 px-4 text-center">
      <h1 className="text-xl font-semibold">Page not found</h1>
      <p className="text-sm text-slate-600">The page you asked for does not exist.</p>
      <Link href="/" className="text-sm font-medium text-brand-700 underline underline-offset-2">
        Go to Portcullis
      </Link>
    </main>
  );
}
