-- Whether an app's image is a Helm chart (its manifest's config media type), as last read live.

-- AlterTable
ALTER TABLE "AppImage" ADD COLUMN     "helmChart" BOOLEAN NOT NULL DEFAULT false;
