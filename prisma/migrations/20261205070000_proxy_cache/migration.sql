-- The proxy cache: per-registry settings, copies in the store, last confirmed tags, traffic totals.
ALTER TABLE "Registry" ADD COLUMN "cacheEnabled" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "Registry" ADD COLUMN "cacheMaxBytes" BIGINT;
ALTER TABLE "Registry" ADD COLUMN "cacheMaxStaleSeconds" INTEGER NOT NULL DEFAULT 86400;
ALTER TABLE "PullEvent" ADD COLUMN "cache" TEXT;

CREATE TABLE "CacheEntry" (
    "id" UUID NOT NULL,
    "registryId" UUID NOT NULL,
    "repository" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "storedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CacheEntry_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "CacheEntry_registryId_repository_digest_key" ON "CacheEntry"("registryId", "repository", "digest");
CREATE INDEX "CacheEntry_registryId_lastUsedAt_idx" ON "CacheEntry"("registryId", "lastUsedAt");
ALTER TABLE "CacheEntry" ADD CONSTRAINT "CacheEntry_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "Registry"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "CacheTag" (
    "id" UUID NOT NULL,
    "registryId" UUID NOT NULL,
    "repository" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "mediaType" TEXT NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "CacheTag_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "CacheTag_registryId_repository_tag_key" ON "CacheTag"("registryId", "repository", "tag");
ALTER TABLE "CacheTag" ADD CONSTRAINT "CacheTag_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "Registry"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "RegistryCacheStats" (
    "registryId" UUID NOT NULL,
    "hits" BIGINT NOT NULL DEFAULT 0,
    "misses" BIGINT NOT NULL DEFAULT 0,
    "stale" BIGINT NOT NULL DEFAULT 0,
    "cacheBytes" BIGINT NOT NULL DEFAULT 0,
    "upstreamBytes" BIGINT NOT NULL DEFAULT 0,
    "since" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "RegistryCacheStats_pkey" PRIMARY KEY ("registryId")
);
ALTER TABLE "RegistryCacheStats" ADD CONSTRAINT "RegistryCacheStats_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "Registry"("id") ON DELETE CASCADE ON UPDATE CASCADE;
