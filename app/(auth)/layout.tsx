export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <div className="mb-8 flex items-center gap-2 text-lg font-semibold text-brand-900">
        <span aria-hidden className="grid size-8 place-items-center rounded-md bg-brand-600 text-white">P</span>
        Portcullis
      </div>
      <div className="w-full max-w-md">{children}</div>
    </main>
  );
}
