import { loginLine, pullLine, rewriteLine } from "@/lib/licenses/instructions/build";
import { formatProxyReference } from "@/lib/oci/proxy-path";

/**
 * The ECR tutorial's values and commands, as pure functions: the page renders them on the server
 * and again in the browser as the reader changes the account, region, repository or tag. The
 * customer's lines (login, pull, rewrite) are the install instructions' own
 * (lib/licenses/instructions/build.ts).
 */

export interface EcrTutorialValues {
  accountId: string;
  region: string;
  repository: string;
  tag: string;
  proxyHost: string;
  registryHost: string;
  appSlug: string;
  licenseId: string;
  namespace: string;
}

/** What the signed-in team has done (lib/tutorials/ecr-state.ts fills it on the server). */
export interface EcrTutorialState {
  teamName: string;
  apps: Array<{ slug: string; name: string }>;
  appSlug?: string;
  registry?: { host: string; accountId?: string; region?: string; name: string | null; lastTest: { ok: boolean; at: string; summary: string } | null };
  otherRegistries: number;
  license?: { hint: string; customer: string; appSlug: string; licenseId?: string };
  firstPull?: { at: string; image: string; reference: string | null };
}

export const IAM_USER = "portcullis-pull";
export const IAM_POLICY_NAME = "portcullis-ecr-pull";

export const ecrHost = (v: Pick<EcrTutorialValues, "accountId" | "region">) => `${v.accountId}.dkr.ecr.${v.region}.amazonaws.com`;

/** The minimal read-only policy: a token for the account, and pulls of the one repository. */
export function iamPolicy(v: Pick<EcrTutorialValues, "accountId" | "region" | "repository">) {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "PortcullisToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Sid: "PortcullisPull",
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        Resource: `arn:aws:ecr:${v.region}:${v.accountId}:repository/${v.repository}`,
      },
    ],
  };
}

export function ecrCommands(v: EcrTutorialValues) {
  const host = ecrHost(v);
  const image = `${host}/${v.repository}:${v.tag}`;
  const proxied = formatProxyReference({ proxyHost: v.proxyHost, appSlug: v.appSlug, image });
  const policy = JSON.stringify(iamPolicy(v), null, 2);
  return {
    host,
    image,
    proxied,
    policy,
    push: [
      `aws ecr create-repository --repository-name ${v.repository} --region ${v.region}`,
      `aws ecr get-login-password --region ${v.region} | docker login --username AWS --password-stdin ${host}`,
      `docker tag ${v.repository}:${v.tag} ${image}`,
      `docker push ${image}`,
    ].join("\n"),
    policyFile: `${IAM_POLICY_NAME}.json`,
    iamUser: [
      `aws iam create-user --user-name ${IAM_USER}`,
      `aws iam put-user-policy --user-name ${IAM_USER} --policy-name ${IAM_POLICY_NAME} --policy-document file://${IAM_POLICY_NAME}.json`,
    ].join("\n"),
    accessKey: `aws iam create-access-key --user-name ${IAM_USER} --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text`,
    pull: [loginLine("docker", v.proxyHost, v.licenseId), pullLine(proxied)].join("\n"),
    skopeo: `skopeo inspect --creds 'LICENSE_ID:${v.licenseId}' docker://${proxied}`,
    rewrite: [rewriteLine({ ...v, additionalNamespaces: [] }), "kubectl apply -k ./manifests/overlays/midstream"].join("\n"),
  };
}
