-- AlterTable
ALTER TABLE "Registry" ADD COLUMN     "allowedRealmHosts" TEXT[] DEFAULT ARRAY[]::TEXT[];
