import type { EcrTutorialState } from "@/lib/tutorials/ecr";

type StepProgress = { done?: boolean; status?: React.ReactNode };

const when = (iso: string) => new Date(iso).toLocaleString("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";

function testStatus(lastTest: { ok: boolean; at: string; summary: string }) {
  if (lastTest.ok) return `Last test passed ${when(lastTest.at)}.`;
  return (
    <span className="text-red-700">
      Last test failed {when(lastTest.at)}: {lastTest.summary}
    </span>
  );
}

/**
 * How far the team is along the ECR tutorial's tracked steps: each step's done (undefined when
 * not signed in) and the line that says what Portcullis sees.
 */
export function ecrProgress(state: EcrTutorialState | null): Record<"registry" | "test" | "license" | "pull", StepProgress> {
  if (!state) return { registry: {}, test: {}, license: {}, pull: {} };
  const { registry, license, firstPull, otherRegistries } = state;
  const noRegistry = otherRegistries > 0 ? `Your team has ${otherRegistries} other registr${otherRegistries === 1 ? "y" : "ies"}, but no Amazon ECR registry yet.` : undefined;
  const noApp = state.apps.length === 0 ? "Create an app first: its slug is part of every image path." : undefined;
  const reference = firstPull?.reference ? ` (${firstPull.reference.slice(0, 19)})` : "";
  return {
    registry: {
      done: !!registry,
      status: registry ? (
        <>
          Your team has the ECR registry <code className="font-mono">{registry.host}</code>
          {registry.name ? ` (named ${registry.name})` : ""}.
        </>
      ) : (
        noRegistry
      ),
    },
    test: { done: registry?.lastTest?.ok === true, status: registry?.lastTest ? testStatus(registry.lastTest) : registry ? "Not tested yet." : undefined },
    license: { done: !!license, status: license ? `Active license …${license.hint} of ${license.customer} for ${license.appSlug}.` : noApp },
    pull: { done: !!firstPull, status: firstPull && `First pull through the proxy: ${firstPull.image}${reference}, ${when(firstPull.at)}.` },
  };
}
