import Link from "next/link";
import { EcrTutorial } from "@/components/tutorials/ecr-tutorial";
import { Notice } from "@/components/ui/notice";
import { env } from "@/lib/config/env";
import { publicHost } from "@/lib/registries/instructions";
import { currentTeamContext } from "@/lib/server/request";
import { ecrTutorialState } from "@/lib/tutorials/ecr-state";

export const metadata = { title: "Tutorial: from Amazon ECR to a pulled image" };

/** Public; signed in, the commands carry the team's values and the steps show its progress. */
export default async function EcrTutorialPage({ searchParams }: { searchParams: Promise<{ app?: string | string[] }> }) {
  const ctx = await currentTeamContext();
  const app = (await searchParams).app;
  const e = env();
  const proxyHost = publicHost(e.PROXY_URL, e.PROXY_PORT);
  const registryHost = publicHost(e.REGISTRY_URL, e.REGISTRY_PORT);
  const state = ctx ? await ecrTutorialState(ctx, { app: typeof app === "string" ? app : undefined }) : null;

  return (
    <div className="max-w-4xl">
      <p className="text-sm font-medium text-brand-700">Tutorial</p>
      <h1 className="mt-1 text-2xl font-semibold tracking-tight">From an Amazon ECR repository to a pulled image</h1>
      <p className="mt-2 max-w-3xl text-sm text-slate-600">
        Deliver an image from your private ECR repository to a customer without giving them AWS credentials: Portcullis keeps a read-only key, and your
        customer pulls through the Portcullis proxy with nothing but a license. About fifteen minutes.
      </p>
      {!ctx && (
        <Notice className="mt-4">
          <Link href="/sign-in" className="font-medium underline">
            Sign in
          </Link>{" "}
          to see the commands with your own app and license, and which steps your team has done.
        </Notice>
      )}
      <div className="mt-6">
        <EcrTutorial proxyHost={proxyHost} registryHost={registryHost} state={state} />
      </div>
    </div>
  );
}
