-- An app's images, and which apps may pull from a registry.

-- AlterTable: existing apps keep pulling what they pulled (off), new apps get the check (on)
ALTER TABLE "App" ADD COLUMN "onlyListedImages" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "App" ALTER COLUMN "onlyListedImages" SET DEFAULT true;

-- AlterTable
ALTER TABLE "Registry" ADD COLUMN "allApps" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN "appIds" UUID[] DEFAULT ARRAY[]::UUID[];

-- CreateTable
CREATE TABLE "AppImage" (
    "id" UUID NOT NULL,
    "teamId" UUID NOT NULL,
    "appId" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "registryHost" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdByEmail" TEXT,

    CONSTRAINT "AppImage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AppImage_teamId_idx" ON "AppImage"("teamId");

-- CreateIndex
CREATE UNIQUE INDEX "AppImage_appId_source_registryHost_repository_key" ON "AppImage"("appId", "source", "registryHost", "repository");

-- AddForeignKey
ALTER TABLE "AppImage" ADD CONSTRAINT "AppImage_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppImage" ADD CONSTRAINT "AppImage_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;
