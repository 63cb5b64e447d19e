-- Pull activity that says what happened: the result and reason of each proxy attempt, refused attempts aggregated per minute.
ALTER TABLE "PullEvent" ADD COLUMN "result" TEXT;
ALTER TABLE "PullEvent" ADD COLUMN "reason" TEXT;
ALTER TABLE "PullEvent" ADD COLUMN "digest" TEXT;
ALTER TABLE "PullEvent" ADD COLUMN "count" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "PullEvent" ADD COLUMN "refusalKey" TEXT;
ALTER TABLE "PullEvent" ADD COLUMN "refusalScope" TEXT;
CREATE UNIQUE INDEX "PullEvent_refusalKey_key" ON "PullEvent"("refusalKey");
CREATE INDEX "PullEvent_refusalScope_idx" ON "PullEvent"("refusalScope");
CREATE INDEX "PullEvent_customerId_createdAt_idx" ON "PullEvent"("customerId", "createdAt");

-- Earlier proxy events: an answer below 400 was a pull, anything else was not.
UPDATE "PullEvent" SET "result" = CASE WHEN "status" < 400 THEN 'pulled' ELSE 'refused' END WHERE "source" = 'proxy';
