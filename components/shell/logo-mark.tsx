import Link from "next/link";

/** The Portcullis mark: a gate's grille on the brand colour. Decorative; the name beside it says what it is. */
export function LogoMark({ className = "size-7" }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden focusable="false" className={className}>
      <rect width="32" height="32" rx="7" fill="#1d5fd1" />
      <path d="M7 9.5h18M7 15h18M7 20.5h18" stroke="#d9eaff" strokeWidth="2" strokeLinecap="round" />
      <path d="M11 7v18M16 7v18M21 7v18" stroke="#fff" strokeWidth="2.4" strokeLinecap="round" />
      <path d="M9 25l2 2 2-2M14 25l2 2 2-2M19 25l2 2 2-2" stroke="#fff" strokeWidth="1.6" fill="none" strokeLinejoin="round" />
    </svg>
  );
}

/** The mark and the product name, linking home. */
export function Brand({ href }: { href: string }) {
  return (
    <Link href={href} className="flex items-center gap-2 rounded-md text-base font-semibold text-brand-900">
      <LogoMark />
      Portcullis
    </Link>
  );
}
