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

/** The steps in the order of the work, each with what the team has done and where to do it. */
export function onboardingSteps(f: OnboardingFacts): OnboardingStep[] {
  return [
    {
      id: "app",
      title: "Create an app",
      done: !!f.app,
      detail: f.app ? `${f.app.name} (${f.app.slug}).` : "An app is what you sell: its slug starts every image path your customers pull.",
      href: "/apps",
      action: "Create an app",
    },
    {
      id: "registry",
      title: "Add the registry your images live in",
      done: !!f.registry,
      detail: f.registry ? `${f.registry.host}.` : "Docker Hub, Amazon ECR, Artifact Registry, GHCR, Quay or any OCI registry: its credentials are encrypted and never shown again.",
      href: "/images",
      action: "Add a registry",
    },
    {
      id: "test",
      title: "Pass a connection test",
      done: !!f.tested,
      detail: f.tested ? `Portcullis signed in to ${f.tested.host}.` : "Proves the proxy can reach the registry and sign in with its credentials.",
      href: "/images",
      action: "Test the registry",
    },
    {
      id: "customer",
      title: "Add a customer",
      done: !!f.customer,
      detail: f.customer ? `${f.customer.name}.` : "The company you deliver to.",
      href: "/customers",
      action: "Add a customer",
    },
    {
      id: "license",
      title: "Issue a license",
      done: !!f.license,
      detail: f.license ? `License …${f.license.hint} of ${f.license.customer} for ${f.license.appSlug}.` : "Its ID is all your customer needs to pull; revoke it and pulls stop.",
      href: "/customers",
      action: "Issue a license",
    },
    {
      id: "pull",
      title: "First pull through the proxy",
      done: !!f.pull,
      detail: f.pull ? `${f.pull.image}.` : "Your customer (or you, with the license ID) runs docker login and docker pull against the proxy.",
      href: "/tutorials/ecr#step-pull",
      action: "See the pull commands",
    },
  ];
}

/** The first step not done yet, or undefined when the path is complete. */
export const nextStep = (steps: OnboardingStep[]) => steps.find((s) => !s.done);
