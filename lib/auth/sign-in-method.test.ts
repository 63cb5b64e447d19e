import { describe, expect, it } from "vitest";
import { signInMethodLabel, signInMethodOfProvider } from "./sign-in-method";

describe("sign-in methods", () => {
  it("labels each method in plain words, and an unknown one as nothing", () => {
    expect(["password", "sso", "github", "google"].map(signInMethodLabel)).toEqual(["password", "single sign-on", "GitHub", "Google"]);
    expect(signInMethodLabel(null)).toBeNull();
    expect(signInMethodLabel("carrier-pigeon")).toBeNull();
  });

  it("maps the external providers' ids, and nothing else", () => {
    expect(signInMethodOfProvider("github")).toBe("github");
    expect(signInMethodOfProvider("google")).toBe("google");
    for (const other of ["credentials", "password", "sso", "gitlab"]) expect(signInMethodOfProvider(other)).toBeUndefined();
  });
});
