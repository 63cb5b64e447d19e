-- License IDs and API tokens get their own hash keys (lib/auth/hash-keys.ts). Every existing
-- hash was keyed with AUTH_SECRET: mark it as the legacy key "auth-secret" so it keeps working.

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "tokenHashKey" TEXT NOT NULL DEFAULT 'auth-secret';
ALTER TABLE "ApiToken" ALTER COLUMN "tokenHashKey" DROP DEFAULT;

-- AlterTable
ALTER TABLE "License" ADD COLUMN     "licenseIdHashKey" TEXT NOT NULL DEFAULT 'auth-secret';
ALTER TABLE "License" ALTER COLUMN "licenseIdHashKey" DROP DEFAULT;

-- Sign-in counters are reserved before each check and refused past the limit within the window
-- (lib/auth/rate-limit.ts), with no separate lock time.
-- AlterTable
ALTER TABLE "LoginAttempt" DROP COLUMN "lockedUntil";
