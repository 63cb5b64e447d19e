/**
 * The first-run path of a vendor's team, from an app to a customer's first pull, as pure data:
 * lib/onboarding/state.ts says which steps are done, components/onboarding renders them.
 */

export const onboardingStepIds = ["app", "registry", "test", "customer", "license", "pull"] as const;
export type OnboardingStepId = (typeof onboardingStepIds)[number];

export interface OnboardingFacts {
  app?: { name: string; slug: string };
  registry?: { host: string };
  /** The registry whose last test shows its credentials work (a failed image check still counts). */
  tested?: { host: string };
  customer?: { name: string };
  license?: { hint: string; customer: string; appSlug: string };
  pull?: { image: string; at: string };
}

export interface OnboardingStep {
  id: OnboardingStepId;
  title: string;
  done: boolean;
  /** What Portcullis sees when done; what the step is for when not. */
  detail: string;
  href: string;
  action: string;
}

/**
 * Each step: where it is done, what it is for (`todo`), and what Portcullis saw once it is done
 * (`seen`, undefined while it isn't).
 */
interface StepDefinition extends Pick<OnboardingStep, "id" | "title" | "href" | "action"> {
  todo: string;
  seen: (f: OnboardingFacts) => string | undefined;
}

const definitions: StepDefinition[] = [
  {
    id: "app",
    title: "Create an app",
    seen: ({ app }) => app && `${app.name} (${app.slug}).`,
    todo: "An app is what you sell: its slug starts every image path your customers pull.",
    href: "/apps",
    action: "Create an app",
  },
  {
    id: "registry",
    title: "Add the registry your images live in",
    seen: ({ registry }) => registry && `${registry.host}.`,
    todo: "Docker Hub, Amazon ECR, Artifact Registry, GHCR, Quay or any OCI registry: its credentials are encrypted and never shown again.",
    href: "/images",
    action: "Add a registry",
  },
  {
    id: "test",
    title: "Pass a connection test",
    seen: ({ tested }) => tested && `Portcullis signed in to ${tested.host}.`,
    todo: "Proves the proxy can reach the registry and sign in with its credentials.",
    href: "/images",
    action: "Test the registry",
  },
  {
    id: "customer",
    title: "Add a customer",
    seen: ({ customer }) => customer && `${customer.name}.`,
    todo: "The company you deliver to.",
    href: "/customers",
    action: "Add a customer",
  },
  {
    id: "license",
    title: "Issue a license",
    seen: ({ license }) => license && `License …${license.hint} of ${license.customer} for ${license.appSlug}.`,
    todo: "Its ID is all your customer needs to pull; revoke it and pulls stop.",
    href: "/customers",
    action: "Issue a license",
  },
  {
    id: "pull",
    title: "First pull through the proxy",
    seen: ({ pull }) => pull && `${pull.image}.`,
    todo: "Your customer (or you, with the license ID) runs docker login and docker pull against the proxy.",
    href: "/tutorials/ecr#step-pull",
    action: "See the pull commands",
  },
];

/** The steps in the order of the work, each with what the team has done and where to do it. */
export function onboardingSteps(f: OnboardingFacts): OnboardingStep[] {
  return definitions.map(({ seen, todo, ...step }) => {
    const detail = seen(f);
    return { ...step, done: detail !== undefined, detail: detail ?? todo };
  });
}

/** The first step not done yet, or undefined when the path is complete. */
export const nextStep = (steps: OnboardingStep[]) => steps.find((s) => !s.done);
