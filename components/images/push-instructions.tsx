import Link from "next/link";
import { EmptyState } from "@/components/ui/card";
import type { TeamRegistryRef } from "@/lib/registries/instructions";
import { AppInstructions, type AppInfo } from "./app-instructions";

/** Per app: its slug, the commands to push to the hosted registry, and the proxy-reference converter. */
export function PushInstructions({
  apps,
  registryHost,
  proxyHost,
  dockerHubRegistry,
  registries,
  username,
}: {
  apps: AppInfo[];
  registryHost: string;
  proxyHost: string;
  dockerHubRegistry: string;
  registries: TeamRegistryRef[];
  username: string;
}) {
  return (
    <section aria-labelledby="apps-heading">
      <h2 id="apps-heading" className="text-lg font-semibold">
        Application slugs and push instructions
      </h2>
      <p className="mb-3 mt-0.5 max-w-2xl text-sm text-slate-600">
        No registry of your own? Push to the Portcullis registry at <code className="font-mono text-xs">{registryHost}</code> under an app&apos;s slug. Images in your
        own registries reach customers through the proxy at <code className="font-mono text-xs">{proxyHost}</code>.
      </p>
      {apps.length === 0 ? (
        <EmptyState title="No apps yet">
          Image paths start with an app&apos;s slug.{" "}
          <Link href="/apps" className="font-medium text-brand-700 underline underline-offset-2">
            Create an app
          </Link>{" "}
          to get push commands and proxy image names.
        </EmptyState>
      ) : (
        <div className="space-y-3">
          {apps.map((app, i) => (
            <AppInstructions key={app.id} app={app} first={i === 0} {...{ registryHost, proxyHost, dockerHubRegistry, registries, username }} />
          ))}
        </div>
      )}
    </section>
  );
}

