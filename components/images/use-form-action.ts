"use client";

import { useState, useTransition } from "react";
import type { ActionState } from "@/lib/server/action-state";

/** Runs a server action from a form, keeping its answer and whether it is still running. */
export function useFormAction<S extends ActionState<unknown>>(action: (fd: FormData) => Promise<S>, onOk?: (s: S) => void) {
  const [state, setState] = useState<S | null>(null);
  const [pending, startTransition] = useTransition();
  const submit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    const data = new FormData(e.currentTarget);
    startTransition(async () => {
      const next = await action(data);
      setState(next);
      if (next.status === "ok") onOk?.(next);
    });
  };
  return { state, pending, submit, fields: state?.status === "error" ? state.fields : undefined, reset: () => setState(null) };
}
