-- Per-team OpenID Connect single sign-on and the email domains teams claim for it.
CREATE TABLE "TeamSso" (
    "id" UUID NOT NULL,
    "teamId" UUID NOT NULL,
    "issuer" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "enforce" BOOLEAN NOT NULL DEFAULT false,
    "defaultRole" "Role" NOT NULL DEFAULT 'read_only',
    "groupsClaim" TEXT,
    "groupRoles" JSONB NOT NULL DEFAULT '{}',
    "testedAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedByEmail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TeamSso_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "TeamSso_teamId_key" ON "TeamSso"("teamId");
ALTER TABLE "TeamSso" ADD CONSTRAINT "TeamSso_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "SsoDomain" (
    "id" UUID NOT NULL,
    "teamId" UUID NOT NULL,
    "domain" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "verifiedAt" TIMESTAMP(3),
    "verifiedBy" TEXT,
    "verifiedDomain" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SsoDomain_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "SsoDomain_verifiedDomain_key" ON "SsoDomain"("verifiedDomain");
CREATE INDEX "SsoDomain_domain_idx" ON "SsoDomain"("domain");
CREATE UNIQUE INDEX "SsoDomain_teamId_domain_key" ON "SsoDomain"("teamId", "domain");
ALTER TABLE "SsoDomain" ADD CONSTRAINT "SsoDomain_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;
