-- Receipts of the pull-log batches the portal stored, so that a batch the proxy sends again adds nothing.
-- CreateTable
CREATE TABLE "PullEventBatch" (
    "id" UUID NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PullEventBatch_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PullEventBatch_receivedAt_idx" ON "PullEventBatch"("receivedAt");
