import { describe, expect, it } from "vitest";
import { namespaceFieldValues, pullSecretQuery, readNamespaceQuery } from "./namespace-query";

describe("the namespace fields of the install instructions", () => {
  const rendered = { namespace: "default", additionalNamespaces: ["jobs", "monitoring"] };

  it("a valid choice: the instructions' values in the fields, and the pull-secret link carries the choice", () => {
    const query = { namespace: "shop", additionalNamespaces: "jobs,monitoring" };
    const { choice, errors } = readNamespaceQuery(query);
    expect(errors).toEqual({});
    expect(choice).toEqual({ namespace: "shop", additionalNamespaces: ["jobs", "monitoring"] });
    expect(pullSecretQuery(choice)).toBe("?namespace=shop&additionalNamespaces=jobs%2Cmonitoring");
    expect(namespaceFieldValues(query, errors, { ...rendered, namespace: "shop" })).toEqual({ namespace: "shop", additionalNamespaces: "jobs, monitoring" });
  });

  it("no choice: no query on the link, the defaults in the fields", () => {
    const { choice, errors } = readNamespaceQuery({});
    expect(pullSecretQuery(choice)).toBe("");
    expect(namespaceFieldValues({}, errors, rendered)).toEqual({ namespace: "default", additionalNamespaces: "jobs, monitoring" });
  });

  it("a refused value stays in its field beside its message; the link and the instructions keep the defaults", () => {
    const query = { namespace: "Not A Namespace!", additionalNamespaces: "jobs" };
    const { choice, errors } = readNamespaceQuery(query);
    expect(errors.namespace).toBeTruthy();
    expect(pullSecretQuery(choice)).toBe("");
    expect(namespaceFieldValues(query, errors, rendered)).toEqual({ namespace: "Not A Namespace!", additionalNamespaces: "jobs, monitoring" });
  });
});
