"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";

/**
 * A link of the portal's frame (on every page): prefetched when the pointer or focus comes to it,
 * not as soon as it scrolls into view. Every page is rendered per request, so prefetching all the
 * frame's links on each page load had the server render a dozen layouts while the page was still
 * starting up.
 */
export function IntentLink({ href, ...props }: Omit<React.ComponentProps<typeof Link>, "href" | "prefetch"> & { href: string }) {
  const router = useRouter();
  const prefetch = () => router.prefetch(href);
  return <Link href={href} prefetch={false} onPointerEnter={prefetch} onFocus={prefetch} onTouchStart={prefetch} {...props} />;
}
