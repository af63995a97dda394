-- Cognate schema v2 for PostgreSQL: signing keys, token families and ephemeral rows (sign-in
-- and tokens). Keys and families cascade with their pool; a user's families and a pool's
-- ephemeral rows are deleted by the store itself (families may name a sub before or after its
-- user row, and ephemeral rows need not belong to a pool).

CREATE TABLE signing_keys (
  kid                text COLLATE "C" NOT NULL,
  pool_id            text COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  sealed_private_key bytea  NOT NULL,  -- SecretBox output (any bytes)
  created_ms         bigint NOT NULL,
  retired_ms         bigint NOT NULL,  -- 0 while the key may sign
  CONSTRAINT signing_keys_pkey PRIMARY KEY (kid)
);
CREATE INDEX signing_keys_by_pool ON signing_keys (pool_id, created_ms DESC, kid);

CREATE TABLE token_families (
  family_id               text COLLATE "C" NOT NULL,
  pool_id                 text COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  client_id               text   NOT NULL,
  sub                     text COLLATE "C" NOT NULL,
  refresh_hash            text   NOT NULL,
  previous_refresh_hash   text   NOT NULL,
  previous_valid_until_ms bigint NOT NULL,
  doc                     text   NOT NULL,
  created_ms              bigint NOT NULL,
  expires_ms              bigint NOT NULL,
  revoked_ms              bigint NOT NULL,  -- 0 while live
  version                 bigint NOT NULL,
  CONSTRAINT token_families_pkey PRIMARY KEY (family_id)
);
CREATE INDEX token_families_by_user ON token_families (pool_id, sub);
CREATE INDEX token_families_by_expiry ON token_families (expires_ms);

CREATE TABLE ephemeral (
  kind       text COLLATE "C" NOT NULL,
  key        text COLLATE "C" NOT NULL,
  pool_id    text COLLATE "C" NOT NULL,
  doc        text   NOT NULL,
  expires_ms bigint NOT NULL,
  version    bigint NOT NULL,
  CONSTRAINT ephemeral_pkey PRIMARY KEY (kind, key)
);
CREATE INDEX ephemeral_by_expiry ON ephemeral (expires_ms);
CREATE INDEX ephemeral_by_pool ON ephemeral (pool_id);
