import { booleanFlags, requireFlag, stringFlags } from "@/cli/args";
import { defineCommand, type Command } from "@/cli/command";
import { UsageError, UserError } from "@/cli/errors";
import { onePositional, REST_CLIENT_HELP, restClient, UUID, type RestClient, type RestClientDeps } from "@/cli/rest-client";

/**
 * `portcullis apps images list|add|remove`: an app's images through the vendor REST API
 * (`/api/v1/apps/{id}/images`, cli/rest-client.ts). `--app` takes the app's id or slug.
 */

const COMMON = `Options:
  --app ID|SLUG      the app (its id or its slug)
${REST_CLIENT_HELP}; add and remove need the developer role`;

const LIST_USAGE = `Usage: portcullis apps images list --app ID|SLUG [--portal-url URL] [--json]

Lists the app's images and the reference a customer pulls each by, with their license.

${COMMON}`;

const ADD_USAGE = `Usage: portcullis apps images add --app ID|SLUG [--portal-url URL] REFERENCE

Adds an image to the app: an image of one of the team's registries as your manifests name it
(quay.io/acme/api:1.4, <registry name>/<repository>:<tag>), or REGISTRY_HOST/<slug>/<image>:<tag>
of the hosted registry. Prints the reference customers pull, and what the registry holds there
now (reading it also records a Helm chart, for the install instructions' helm install line).

${COMMON}`;

const REMOVE_USAGE = `Usage: portcullis apps images remove --app ID|SLUG [--portal-url URL] IMAGE_ID

Removes an image (its id, from \`list\`) from the app.

${COMMON}`;

/** The app's id: as given, or looked up by slug. */
async function appIdOf(api: RestClient, app: string): Promise<string> {
  if (UUID.test(app)) return app;
  const { data } = (await api.call("GET", "/apps")) as { data: Array<{ id: string; slug: string }> };
  const found = data.find((a) => a.slug === app);
  if (!found) throw new UserError(`no app with the slug "${app}" in this token's team`);
  return found.id;
}

interface ImageAnswer {
  id: string;
  image: string;
  pullFrom: string;
  pullReference: string | null;
  problem: string | null;
}

const pullText = (i: ImageAnswer) => i.pullReference ?? `(no pull reference: ${i.problem})`;

interface DetailsAnswer {
  ok: boolean;
  digest: string | null;
  platforms: string[];
  helmChart: boolean;
  problem: string | null;
}

/** One line on what the registry holds at the image's reference now; a failure to read it doesn't undo the add. */
async function nowText(api: RestClient, appId: string, imageId: string): Promise<string> {
  try {
    const d = (await api.call("GET", `/apps/${appId}/images/${imageId}/details`)) as DetailsAnswer;
    if (!d.ok) return `not readable now: ${d.problem}`;
    const what = d.helmChart ? "a Helm chart" : d.platforms.length ? `an image for ${d.platforms.join(", ")}` : "an image";
    return `now: ${what}, ${d.digest}`;
  } catch (e) {
    if (e instanceof UserError) return `not readable now: ${e.message}`;
    throw e;
  }
}

export function appsImagesCommands(deps: RestClientDeps = {}): Command[] {
  return [
    defineCommand({
      path: ["apps", "images", "list"],
      summary: "List an app's images and the references customers pull",
      usage: LIST_USAGE,
      flags: { ...stringFlags("app", "portal-url"), ...booleanFlags("json") },
      async run({ values }, io) {
        const app = requireFlag(values, "app");
        const api = restClient(values, deps);
        const answer = (await api.call("GET", `/apps/${await appIdOf(api, app)}/images`)) as { app: { slug: string; onlyListedImages: boolean }; images: ImageAnswer[] };
        if (values.json) return io.out(JSON.stringify(answer, null, 2));
        if (answer.images.length === 0) return io.out(`${answer.app.slug} lists no images: its licenses pull any repository of the team's registries.`);
        for (const i of answer.images) io.out(`${i.id}  ${i.image}\n    customers pull: ${pullText(i)}`);
        io.out(answer.app.onlyListedImages ? "Only these images can be pulled with the app's licenses." : "\"Only listed images\" is off: the app's licenses pull any repository of its registries.");
      },
    }),
    defineCommand({
      path: ["apps", "images", "add"],
      summary: "Add an image to an app",
      usage: ADD_USAGE,
      flags: stringFlags("app", "portal-url"),
      positionals: true,
      async run({ values, positionals }, io) {
        const app = requireFlag(values, "app");
        const reference = onePositional(positionals, "image reference");
        const api = restClient(values, deps);
        const appId = await appIdOf(api, app);
        const added = (await api.call("POST", `/apps/${appId}/images`, { reference })) as ImageAnswer;
        io.out(`added ${added.image} (${added.id})\ncustomers pull: ${pullText(added)}\n${await nowText(api, appId, added.id)}`);
      },
    }),
    defineCommand({
      path: ["apps", "images", "remove"],
      summary: "Remove an image from an app",
      usage: REMOVE_USAGE,
      flags: stringFlags("app", "portal-url"),
      positionals: true,
      async run({ values, positionals }, io) {
        const app = requireFlag(values, "app");
        const imageId = onePositional(positionals, "image id");
        if (!UUID.test(imageId)) throw new UsageError(`"${imageId}" is not an image id (see \`portcullis apps images list\`)`);
        const api = restClient(values, deps);
        await api.call("DELETE", `/apps/${await appIdOf(api, app)}/images/${imageId}`);
        io.out(`removed ${imageId}`);
      },
    }),
  ];
}
