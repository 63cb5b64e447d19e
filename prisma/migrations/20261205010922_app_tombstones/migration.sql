-- DropForeignKey
ALTER TABLE "License" DROP CONSTRAINT "License_appId_fkey";

-- DropForeignKey
ALTER TABLE "License" DROP CONSTRAINT "License_customerId_fkey";

-- AlterTable
ALTER TABLE "App" ADD COLUMN     "deletedAt" TIMESTAMP(3),
ADD COLUMN     "deletedByEmail" TEXT,
ADD COLUMN     "deletedById" UUID;

-- AddForeignKey
ALTER TABLE "License" ADD CONSTRAINT "License_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "License" ADD CONSTRAINT "License_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE NO ACTION ON UPDATE CASCADE;
