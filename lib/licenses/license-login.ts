/**
 * The license login, in one place for everything that writes or reads it: the registry proxy, the
 * hosted registry's token service, the portal's internal API and the installer's pull secrets.
 * Framework-free (the proxy bundles it): no Next.js, no Prisma, no configuration.
 *
 * A customer logs in with the user name `LICENSE_ID` and the license ID as the password. The user
 * name is matched in any ASCII case, since Docker clients send what the user typed and the password
 * is the credential. A license ID is what lib/licenses/license-id.ts generates (160 random bits in
 * base64url: 27 characters); anything of 20 to 64 base64url characters passes the syntax check, so
 * bad input is refused before any lookup.
 */
export const LICENSE_USERNAME = "LICENSE_ID";

const LICENSE_USERNAME_PATTERN = new RegExp(`^${LICENSE_USERNAME}$`, "i");

/** Is `username` the license login's user name (`LICENSE_ID`, any ASCII case)? */
export const isLicenseUsername = (username: string): boolean => LICENSE_USERNAME_PATTERN.test(username);

/** The syntax of a license ID: 20 to 64 letters, digits, `-` and `_`. */
export const LICENSE_ID_PATTERN = /^[A-Za-z0-9_-]{20,64}$/;

/** Syntactic check before any lookup: bad input never reaches the database or the portal. */
export const looksLikeLicenseId = (value: string): boolean => LICENSE_ID_PATTERN.test(value);

/** `base64("LICENSE_ID:<license id>")`: the `auth` of a Docker config entry and of HTTP Basic. */
export const licenseBasicCredentials = (licenseId: string): string => Buffer.from(`${LICENSE_USERNAME}:${licenseId}`, "utf8").toString("base64");
