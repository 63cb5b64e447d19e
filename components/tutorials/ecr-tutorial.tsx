"use client";

import Link from "next/link";
import { useState } from "react";
import { buttonClass } from "@/components/ui/button-class";
import { Notice } from "@/components/ui/notice";
import { ecrCommands, IAM_USER, type EcrTutorialState } from "@/lib/tutorials/ecr";
import { CommandBlock } from "./command-block";
import { ecrProgress } from "./ecr-progress";
import { TutorialStep } from "./tutorial-step";

function ValueInput({ label, value, onChange, hint }: { label: string; value: string; onChange: (v: string) => void; hint?: string }) {
  return (
    <label className="block text-sm">
      <span className="font-medium text-slate-800">{label}</span>
      <input
        value={value}
        onChange={(e) => onChange(e.target.value.trim())}
        spellCheck={false}
        autoComplete="off"
        className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-1.5 font-mono text-sm shadow-sm outline-none focus:border-brand-600 focus:ring-2 focus:ring-brand-100"
      />
      {hint && <span className="mt-0.5 block text-xs text-slate-500">{hint}</span>}
    </label>
  );
}

function Fixed({ label, value, testId, className = "" }: { label: string; value: string; testId: string; className?: string }) {
  return (
    <div className={`min-w-0 text-sm ${className}`}>
      <dt className="font-medium text-slate-800">{label}</dt>
      <dd className="mt-1 truncate rounded-md bg-slate-100 px-3 py-1.5 font-mono text-slate-800" data-testid={testId} title={value}>
        {value}
      </dd>
    </div>
  );
}

/** The ECR walkthrough: eight steps with the reader's values filled in, and the team's progress. */
export function EcrTutorial({ proxyHost, registryHost, state }: { proxyHost: string; registryHost: string; state: EcrTutorialState | null }) {
  const [accountId, setAccountId] = useState(state?.registry?.accountId ?? "123456789012");
  const [region, setRegion] = useState(state?.registry?.region ?? "us-east-1");
  const [repository, setRepository] = useState("my-app");
  const [tag, setTag] = useState("1.0");
  const appSlug = state?.appSlug ?? "<app-slug>";
  const [namespace, setNamespace] = useState(state?.appSlug ?? "default");
  const licenseId = state?.license?.licenseId ?? "<license-id>";
  const c = ecrCommands({ accountId, region, repository, tag, proxyHost, registryHost, appSlug, licenseId, namespace });
  const tracked = state !== null;
  const progress = ecrProgress(state);

  return (
    <>
      <section aria-labelledby="values-heading" className="mb-8 rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h2 id="values-heading" className="text-base font-semibold">
          Your values
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          Every command below uses these. {tracked ? "Portcullis filled in your team's hosts, app and license;" : "Sign in to fill in your app and license;"} change the AWS
          values to match your account.
        </p>
        <div className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <ValueInput label="AWS account ID" value={accountId} onChange={setAccountId} />
          <ValueInput label="Region" value={region} onChange={setRegion} />
          <ValueInput label="Repository" value={repository} onChange={setRepository} />
          <ValueInput label="Tag" value={tag} onChange={setTag} />
        </div>
        <dl className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-5">
          <Fixed label="Proxy host" value={proxyHost} testId="value-proxy-host" />
          <Fixed label="Registry host" value={registryHost} testId="value-registry-host" />
          <Fixed label="App slug" value={appSlug} testId="value-app-slug" />
          <Fixed className="sm:col-span-2" label="License" value={state?.license ? (state.license.licenseId ?? `…${state.license.hint} (ask a developer to show it)`) : "<license-id>"} testId="value-license" />
        </dl>
        {state && state.apps.length > 1 && (
          <p className="mt-3 text-xs text-slate-600">
            Another app:{" "}
            {state.apps
              .filter((a) => a.slug !== state.appSlug)
              .map((a, i) => (
                <span key={a.slug}>
                  {i > 0 && ", "}
                  <Link className="font-medium text-brand-700 underline underline-offset-2" href={`/tutorials/ecr?app=${encodeURIComponent(a.slug)}`}>
                    {a.name}
                  </Link>
                </span>
              ))}
          </p>
        )}
      </section>

      <ol className="list-none" aria-label="Steps">
        <TutorialStep n={1} id="push" title="Create an ECR repository and push an image">
          <p>
            With the AWS CLI signed in to your account, create the repository, log Docker in to ECR and push the image you want to deliver (here{" "}
            <code className="font-mono">
              {repository}:{tag}
            </code>{" "}
            from your machine).
          </p>
          <CommandBlock value={c.push} label="push commands" testId="cmd-push" />
        </TutorialStep>

        <TutorialStep n={2} id="iam" title="Create an IAM user with a read-only policy">
          <p>
            Portcullis needs to pull, nothing else. This policy allows exactly that: an authorization token for the account (
            <code className="font-mono">ecr:GetAuthorizationToken</code> can only be granted on <code className="font-mono">*</code>) and the three read
            actions on this one repository.
          </p>
          <CommandBlock value={c.policy} label="IAM policy" title={c.policyFile} testId="iam-policy" />
          <p>
            Save it as <code className="font-mono">{c.policyFile}</code>, then create the user and attach the policy:
          </p>
          <CommandBlock value={c.iamUser} label="IAM commands" testId="cmd-iam" />
        </TutorialStep>

        <TutorialStep n={3} id="key" title="Create its access key">
          <p>
            The answer is the access key ID and the secret access key of <code className="font-mono">{IAM_USER}</code>. AWS shows the secret only once: keep it
            for the next step.
          </p>
          <CommandBlock value={c.accessKey} label="access key command" testId="cmd-key" />
        </TutorialStep>

        <TutorialStep n={4} id="registry" title="Add the registry on the Images page" {...progress.registry}>
          <p>
            Open the dialog on its Amazon ECR tab and enter the endpoint <code className="font-mono">{c.host}</code> with the access key ID and secret from step
            3. Portcullis encrypts the secret; nobody can read it back.
          </p>
          <Link href="/images?add=ecr" className={buttonClass("primary")}>
            Open the Amazon ECR dialog
          </Link>
        </TutorialStep>

        <TutorialStep n={5} id="test" title="Test it" {...progress.test}>
          <p>
            On the Images page, press <strong>Test</strong> on the registry and enter the image{" "}
            <code className="font-mono">
              {repository}:{tag}
            </code>
            . The test shows each request the proxy will make — the token exchange with AWS, the registry login and the manifest — and says which one failed
            and why.
          </p>
          <Link href="/images" className={buttonClass("secondary")}>
            Go to Images
          </Link>
        </TutorialStep>

        <TutorialStep n={6} id="license" title="Create a customer and a license" {...progress.license}>
          <p>A license ID is your customer&apos;s only credential. Revoke the license and their pulls stop.</p>
          <div className="flex flex-wrap gap-2">
            {tracked && state.apps.length === 0 && (
              <Link href="/apps" className={buttonClass("secondary")}>
                Create an app
              </Link>
            )}
            <Link href="/customers" className={buttonClass("secondary")}>
              Go to Customers
            </Link>
          </div>
        </TutorialStep>

        <TutorialStep n={7} id="pull" title="Pull through the proxy" {...progress.pull}>
          <p>
            Your customer logs in to the proxy with the user name <code className="font-mono">LICENSE_ID</code> and the license ID as password, and pulls the
            ECR image under <code className="font-mono">/proxy/{appSlug}/</code>:
          </p>
          <CommandBlock value={c.pull} label="pull commands" testId="cmd-pull" />
          <p>Or without Docker:</p>
          <CommandBlock value={c.skopeo} label="skopeo command" testId="cmd-skopeo" />
        </TutorialStep>

        <TutorialStep n={8} id="deploy" title="Deploy with portcullis images rewrite">
          <p>
            In the folder with the application&apos;s Kubernetes manifests, <code className="font-mono">portcullis images rewrite</code> finds the private images
            (it asks each registry anonymously and prints why it decided), writes a Kustomize overlay that points them at the proxy, and adds the pull secret{" "}
            <code className="font-mono">{appSlug}-registry</code> to every workload.
          </p>
          <div className="grid gap-3 sm:max-w-xs">
            <ValueInput label="Namespace" value={namespace} onChange={setNamespace} />
          </div>
          <CommandBlock value={c.rewrite} label="deploy commands" testId="cmd-rewrite" />
        </TutorialStep>
      </ol>
      {tracked && state.firstPull && (
        <Notice tone="success">That&apos;s the whole path: an image in your ECR repository, pulled by a licensed customer through Portcullis.</Notice>
      )}
    </>
  );
}
