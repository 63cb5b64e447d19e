-- AlterTable
ALTER TABLE "Registry" ADD COLUMN     "lastTestImage" TEXT,
ADD COLUMN     "lastTestManifest" JSONB;
