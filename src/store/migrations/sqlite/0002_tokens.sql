-- Cognate schema v2 for SQLite: signing keys, token families and ephemeral rows (sign-in and
-- tokens). Keys and families cascade with their pool; a user's families and a pool's ephemeral
-- rows are deleted by the store itself (families may name a sub before or after its user row,
-- and ephemeral rows need not belong to a pool).

CREATE TABLE signing_keys (
  kid                TEXT    NOT NULL COLLATE BINARY PRIMARY KEY,
  pool_id            TEXT    NOT NULL COLLATE BINARY REFERENCES pools (id) ON DELETE CASCADE,
  sealed_private_key BLOB    NOT NULL,  -- SecretBox output (any bytes)
  created_ms         INTEGER NOT NULL,
  retired_ms         INTEGER NOT NULL   -- 0 while the key may sign
);
CREATE INDEX signing_keys_by_pool ON signing_keys (pool_id, created_ms DESC, kid);

CREATE TABLE token_families (
  family_id               TEXT    NOT NULL COLLATE BINARY PRIMARY KEY,
  pool_id                 TEXT    NOT NULL COLLATE BINARY REFERENCES pools (id) ON DELETE CASCADE,
  client_id               TEXT    NOT NULL,
  sub                     TEXT    NOT NULL COLLATE BINARY,
  refresh_hash            TEXT    NOT NULL,
  previous_refresh_hash   TEXT    NOT NULL,
  previous_valid_until_ms INTEGER NOT NULL,
  doc                     TEXT    NOT NULL,
  created_ms              INTEGER NOT NULL,
  expires_ms              INTEGER NOT NULL,
  revoked_ms              INTEGER NOT NULL,  -- 0 while live
  version                 INTEGER NOT NULL
);
CREATE INDEX token_families_by_user ON token_families (pool_id, sub);
CREATE INDEX token_families_by_expiry ON token_families (expires_ms);

CREATE TABLE ephemeral (
  kind       TEXT    NOT NULL COLLATE BINARY,
  key        TEXT    NOT NULL COLLATE BINARY,
  pool_id    TEXT    NOT NULL COLLATE BINARY,
  doc        TEXT    NOT NULL,
  expires_ms INTEGER NOT NULL,
  version    INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE INDEX ephemeral_by_expiry ON ephemeral (expires_ms);
CREATE INDEX ephemeral_by_pool ON ephemeral (pool_id);
