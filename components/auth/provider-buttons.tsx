"use client";

import { useState } from "react";
import { signIn } from "next-auth/react";
import { buttonClass } from "@/components/ui/button-class";

/** Sign-in buttons of the external providers the server has configured (none: nothing is shown). */
export function ProviderButtons({ providers }: { providers: Array<{ id: string; name: string }> }) {
  const [pending, setPending] = useState<string | null>(null);
  if (providers.length === 0) return null;
  return (
    <div className="mt-5 space-y-2 border-t border-slate-200 pt-5">
      {providers.map((p) => (
        <button
          key={p.id}
          type="button"
          disabled={pending !== null}
          aria-busy={pending === p.id}
          className={buttonClass("secondary", "w-full")}
          onClick={() => {
            setPending(p.id);
            void signIn(p.id, { callbackUrl: "/apps" });
          }}
        >
          {pending === p.id ? `Opening ${p.name}…` : `Sign in with ${p.name}`}
        </button>
      ))}
    </div>
  );
}
