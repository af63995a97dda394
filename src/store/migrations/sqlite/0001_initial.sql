-- Cognate schema v1 for SQLite. Every text key is COLLATE BINARY (memcmp order); every lookup and
-- every ListUsers filter is an index seek or range. Deleting a pool cascades to everything in it.

CREATE TABLE pools (
  id          TEXT    NOT NULL COLLATE BINARY PRIMARY KEY,
  name        TEXT    NOT NULL,
  doc         TEXT    NOT NULL,
  created_ms  INTEGER NOT NULL,
  modified_ms INTEGER NOT NULL,
  version     INTEGER NOT NULL
);

CREATE TABLE clients (
  client_id   TEXT    NOT NULL COLLATE BINARY PRIMARY KEY,
  pool_id     TEXT    NOT NULL COLLATE BINARY REFERENCES pools (id) ON DELETE CASCADE,
  name        TEXT    NOT NULL,
  doc         TEXT    NOT NULL,
  created_ms  INTEGER NOT NULL,
  modified_ms INTEGER NOT NULL,
  version     INTEGER NOT NULL
);
CREATE INDEX clients_by_pool ON clients (pool_id, client_id);

CREATE TABLE users (
  pool_id      TEXT    NOT NULL COLLATE BINARY REFERENCES pools (id) ON DELETE CASCADE,
  sub          TEXT    NOT NULL COLLATE BINARY,
  username     TEXT    NOT NULL,
  username_key TEXT    NOT NULL COLLATE BINARY,
  status       TEXT    NOT NULL,
  enabled      INTEGER NOT NULL,
  unique_keys  TEXT    NOT NULL,  -- denormalised copy ("<len>:<bytes>"...) so reads are one row
  indexed      TEXT    NOT NULL,  -- same for the indexed attributes (name, value pairs)
  doc          TEXT    NOT NULL,
  created_ms   INTEGER NOT NULL,
  modified_ms  INTEGER NOT NULL,
  version      INTEGER NOT NULL,
  PRIMARY KEY (pool_id, sub),
  UNIQUE (pool_id, username_key)
);

-- Keys unique in a pool besides the username (verified alias emails, phone numbers, ...).
CREATE TABLE user_keys (
  pool_id TEXT NOT NULL COLLATE BINARY,
  key     TEXT NOT NULL COLLATE BINARY,
  sub     TEXT NOT NULL COLLATE BINARY,
  PRIMARY KEY (pool_id, key),
  FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX user_keys_by_user ON user_keys (pool_id, sub);

-- ListUsers filters: equals is a seek on (pool, name, value), prefix a range on value.
CREATE TABLE user_attrs (
  pool_id TEXT NOT NULL COLLATE BINARY,
  name    TEXT NOT NULL COLLATE BINARY,
  value   TEXT NOT NULL COLLATE BINARY,
  sub     TEXT NOT NULL COLLATE BINARY,
  PRIMARY KEY (pool_id, name, value, sub),
  FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX user_attrs_by_user ON user_attrs (pool_id, sub);

CREATE TABLE pool_groups (
  pool_id     TEXT    NOT NULL COLLATE BINARY REFERENCES pools (id) ON DELETE CASCADE,
  name        TEXT    NOT NULL COLLATE BINARY,
  doc         TEXT    NOT NULL,
  created_ms  INTEGER NOT NULL,
  modified_ms INTEGER NOT NULL,
  version     INTEGER NOT NULL,
  PRIMARY KEY (pool_id, name)
);

CREATE TABLE group_members (
  pool_id    TEXT NOT NULL COLLATE BINARY,
  group_name TEXT NOT NULL COLLATE BINARY,
  sub        TEXT NOT NULL COLLATE BINARY,
  PRIMARY KEY (pool_id, group_name, sub),
  FOREIGN KEY (pool_id, group_name) REFERENCES pool_groups (pool_id, name) ON DELETE CASCADE,
  FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX group_members_by_user ON group_members (pool_id, sub, group_name);

CREATE TABLE credentials (
  access_key_id    TEXT    NOT NULL COLLATE BINARY PRIMARY KEY,
  encrypted_secret TEXT    NOT NULL,
  description      TEXT    NOT NULL,
  created_ms       INTEGER NOT NULL
);

CREATE TABLE settings (
  name  TEXT NOT NULL COLLATE BINARY PRIMARY KEY,
  value TEXT NOT NULL
);
