"use client";

import Link from "next/link";
import { useState } from "react";
import { ScrollingCode } from "@/components/ui/code-block";
import { CopyButton } from "@/components/ui/copy-button";
import { Field } from "@/components/ui/field";
import { proxyReference, pushCommands, type TeamRegistryRef } from "@/lib/registries/instructions";

function Command({ value, label }: { value: string; label: string }) {
  return (
    <div className="flex items-center gap-2 rounded-md bg-slate-900 py-1.5 pl-3 pr-1.5">
      <ScrollingCode label={label.replace(/^Copy /, "")} className="min-w-0 flex-1 py-1">
        {value}
      </ScrollingCode>
      <CopyButton value={value} label={label} />
    </div>
  );
}

/** An image reference to fill the commands in: no spell-check or autofill. */
function ImageField({ onChange, ...props }: { label: string; value: string; onChange: (value: string) => void; placeholder: string }) {
  return <Field compact {...props} onChange={(e) => onChange(e.target.value)} spellCheck={false} autoComplete="off" />;
}

export interface AppInfo {
  id: string;
  name: string;
  slug: string;
}

/** One app's push commands and proxy-reference converter (the Images page's push instructions). */
export function AppInstructions({
  app,
  first,
  registryHost,
  proxyHost,
  dockerHubRegistry,
  registries,
  username,
}: {
  app: AppInfo;
  first: boolean;
  registryHost: string;
  proxyHost: string;
  dockerHubRegistry: string;
  registries: TeamRegistryRef[];
  username: string;
}) {
  const [image, setImage] = useState("");
  const [upstream, setUpstream] = useState("");
  const cmd = pushCommands({ registryHost, slug: app.slug, image, username });
  const converted = upstream.trim() ? proxyReference({ image: upstream, slug: app.slug, proxyHost, dockerHubRegistry, registries }) : null;

  return (
    <div className="relative">
      <details open={first} className="group rounded-lg border border-slate-200 bg-white shadow-sm" data-testid={`push-${app.slug}`}>
        {/* The copy button sits over the summary, not in it: a button inside <summary> is unreachable for assistive technology. */}
        <summary className="flex cursor-pointer list-none items-center gap-3 py-3 pl-5 pr-24 [&::-webkit-details-marker]:hidden">
          <span aria-hidden className="text-slate-500 transition-transform group-open:rotate-90">
            ▸
          </span>
          <span className="font-medium">{app.name}</span>
          <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700 [overflow-wrap:anywhere]">{app.slug}</code>
        </summary>
        <div className="grid gap-6 border-t border-slate-200 px-5 py-4 lg:grid-cols-2">
          <div className="min-w-0 space-y-2">
            <h3 className="text-sm font-semibold">Push to the Portcullis registry</h3>
            <ImageField label="Local image" value={image} onChange={setImage} placeholder="my-image:1.0" />
            <ol className="space-y-1.5">
              <li>
                <Command value={cmd.login} label="Copy login" />
              </li>
              <li>
                <Command value={cmd.tag} label="Copy tag" />
              </li>
              <li>
                <Command value={cmd.push} label="Copy push" />
              </li>
            </ol>
            <p className="text-xs text-slate-500">
              Sign in with your email and password, or with a token from{" "}
              <Link href="/tokens" className="text-brand-700 underline underline-offset-2">
                Tokens
              </Link>{" "}
              as the password — a user, service-account or team token, with any username. In CI:
            </p>
            <Command value={cmd.loginWithToken} label="Copy CI login" />
          </div>
          <div className="min-w-0 space-y-2">
            <h3 className="text-sm font-semibold">Pull through the proxy</h3>
            <ImageField label="Upstream image" value={upstream} onChange={setUpstream} placeholder="quay.io/acme/api:1.2" />
            {!converted && (
              <p className="text-xs text-slate-500">
                Paste an image as your manifests name it; customers pull <code className="font-mono">{proxyHost}/proxy/{app.slug}/&lt;image&gt;</code> with their license.
              </p>
            )}
            {converted && !converted.ok && (
              <p role="alert" className="text-xs font-medium text-red-600">
                {converted.error}
              </p>
            )}
            {converted?.ok && (
              <div className="space-y-1.5" data-testid="proxy-reference">
                <Command value={converted.reference} label="Copy proxy image" />
                {converted.byName && (
                  <>
                    <p className="text-xs text-slate-500">Or through the registry&apos;s name, which hides the upstream host:</p>
                    <Command value={converted.byName} label="Copy proxy image by name" />
                  </>
                )}
                {!converted.known && (
                  <p className="text-xs text-amber-700">
                    This team has no external registry for {converted.upstreamHost} yet: add it above, or the proxy will refuse this image.
                  </p>
                )}
              </div>
            )}
          </div>
        </div>
      </details>
      <div className="absolute right-5 top-2.5">
        <CopyButton value={app.slug} label={`Copy slug ${app.slug}`} />
      </div>
    </div>
  );
}
