-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "signInMethod" TEXT;
