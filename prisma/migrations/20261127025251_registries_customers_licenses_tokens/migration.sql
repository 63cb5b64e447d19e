-- CreateEnum
CREATE TYPE "RegistryProvider" AS ENUM ('other', 'ecr', 'gcr');

-- CreateEnum
CREATE TYPE "LicenseType" AS ENUM ('trial', 'paid', 'dev');

-- CreateEnum
CREATE TYPE "ApiTokenKind" AS ENUM ('user', 'service_account', 'team');

-- CreateTable
CREATE TABLE "Registry" (
    "id" UUID NOT NULL,
    "teamId" UUID NOT NULL,
    "provider" "RegistryProvider" NOT NULL,
    "name" TEXT,
    "endpoint" TEXT NOT NULL,
    "endpointInput" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "createdById" UUID,
    "createdByEmail" TEXT,
    "credentialsUpdatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "credentialsUpdatedBy" TEXT,
    "credentialsVersion" INTEGER NOT NULL DEFAULT 1,
    "lastTestOk" BOOLEAN,
    "lastTestAt" TIMESTAMP(3),
    "lastTestSummary" TEXT,
    "lastTestSteps" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Registry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Customer" (
    "id" UUID NOT NULL,
    "teamId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "archivedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "License" (
    "id" UUID NOT NULL,
    "teamId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "appId" UUID NOT NULL,
    "type" "LicenseType" NOT NULL,
    "licenseIdHash" TEXT NOT NULL,
    "licenseIdHint" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "License_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" UUID NOT NULL,
    "teamId" UUID NOT NULL,
    "kind" "ApiTokenKind" NOT NULL,
    "name" TEXT NOT NULL,
    "userId" UUID,
    "role" "Role" NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "tokenHint" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PullEvent" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "teamId" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "licenseId" UUID,
    "customerId" UUID,
    "appId" UUID,
    "actor" TEXT,
    "image" TEXT NOT NULL,
    "reference" TEXT,
    "action" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PullEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Registry_teamId_idx" ON "Registry"("teamId");

-- CreateIndex
CREATE UNIQUE INDEX "Registry_teamId_endpoint_key" ON "Registry"("teamId", "endpoint");

-- CreateIndex
CREATE UNIQUE INDEX "Registry_teamId_name_key" ON "Registry"("teamId", "name");

-- CreateIndex
CREATE INDEX "Customer_teamId_idx" ON "Customer"("teamId");

-- CreateIndex
CREATE UNIQUE INDEX "License_licenseIdHash_key" ON "License"("licenseIdHash");

-- CreateIndex
CREATE INDEX "License_teamId_idx" ON "License"("teamId");

-- CreateIndex
CREATE INDEX "License_customerId_idx" ON "License"("customerId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_teamId_idx" ON "ApiToken"("teamId");

-- CreateIndex
CREATE UNIQUE INDEX "PullEvent_seq_key" ON "PullEvent"("seq");

-- CreateIndex
CREATE INDEX "PullEvent_teamId_seq_idx" ON "PullEvent"("teamId", "seq");

-- CreateIndex
CREATE INDEX "PullEvent_licenseId_seq_idx" ON "PullEvent"("licenseId", "seq");

-- AddForeignKey
ALTER TABLE "Registry" ADD CONSTRAINT "Registry_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Customer" ADD CONSTRAINT "Customer_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "License" ADD CONSTRAINT "License_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "License" ADD CONSTRAINT "License_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "License" ADD CONSTRAINT "License_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PullEvent" ADD CONSTRAINT "PullEvent_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;
