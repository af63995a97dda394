-- Cognate schema v1 for PostgreSQL. Every text key is COLLATE "C" (byte order, so the btree
-- indexes serve prefix ranges); every lookup and ListUsers filter is an index seek or range.
-- Deleting a pool cascades to everything in it.

CREATE TABLE pools (
  id          text COLLATE "C" NOT NULL,
  name        text   NOT NULL,
  doc         text   NOT NULL,
  created_ms  bigint NOT NULL,
  modified_ms bigint NOT NULL,
  version     bigint NOT NULL,
  CONSTRAINT pools_pkey PRIMARY KEY (id)
);

CREATE TABLE clients (
  client_id   text COLLATE "C" NOT NULL,
  pool_id     text COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  name        text   NOT NULL,
  doc         text   NOT NULL,
  created_ms  bigint NOT NULL,
  modified_ms bigint NOT NULL,
  version     bigint NOT NULL,
  CONSTRAINT clients_pkey PRIMARY KEY (client_id)
);
CREATE INDEX clients_by_pool ON clients (pool_id, client_id);

CREATE TABLE users (
  pool_id      text COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  sub          text COLLATE "C" NOT NULL,
  username     text    NOT NULL,
  username_key text COLLATE "C" NOT NULL,
  status       text    NOT NULL,
  enabled      boolean NOT NULL,
  unique_keys  text    NOT NULL,  -- denormalised copy ("<len>:<bytes>"...) so reads are one row
  indexed      text    NOT NULL,  -- same for the indexed attributes (name, value pairs)
  doc          text    NOT NULL,
  created_ms   bigint  NOT NULL,
  modified_ms  bigint  NOT NULL,
  version      bigint  NOT NULL,
  CONSTRAINT users_pkey PRIMARY KEY (pool_id, sub),
  CONSTRAINT users_username_uq UNIQUE (pool_id, username_key)
);

CREATE TABLE user_keys (
  pool_id text COLLATE "C" NOT NULL,
  key     text COLLATE "C" NOT NULL,
  sub     text COLLATE "C" NOT NULL,
  CONSTRAINT user_keys_pkey PRIMARY KEY (pool_id, key),
  FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX user_keys_by_user ON user_keys (pool_id, sub);

CREATE TABLE user_attrs (
  pool_id text COLLATE "C" NOT NULL,
  name    text COLLATE "C" NOT NULL,
  value   text COLLATE "C" NOT NULL,
  sub     text COLLATE "C" NOT NULL,
  CONSTRAINT user_attrs_pkey PRIMARY KEY (pool_id, name, value, sub),
  FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX user_attrs_by_user ON user_attrs (pool_id, sub);

CREATE TABLE pool_groups (
  pool_id     text COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  name        text COLLATE "C" NOT NULL,
  doc         text   NOT NULL,
  created_ms  bigint NOT NULL,
  modified_ms bigint NOT NULL,
  version     bigint NOT NULL,
  CONSTRAINT pool_groups_pkey PRIMARY KEY (pool_id, name)
);

CREATE TABLE group_members (
  pool_id    text COLLATE "C" NOT NULL,
  group_name text COLLATE "C" NOT NULL,
  sub        text COLLATE "C" NOT NULL,
  CONSTRAINT group_members_pkey PRIMARY KEY (pool_id, group_name, sub),
  FOREIGN KEY (pool_id, group_name) REFERENCES pool_groups (pool_id, name) ON DELETE CASCADE,
  FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX group_members_by_user ON group_members (pool_id, sub, group_name);

CREATE TABLE credentials (
  access_key_id    text COLLATE "C" NOT NULL,
  encrypted_secret bytea  NOT NULL,  -- raw AEAD output (any bytes)
  description      text   NOT NULL,
  created_ms       bigint NOT NULL,
  CONSTRAINT credentials_pkey PRIMARY KEY (access_key_id)
);

CREATE TABLE settings (
  name  text COLLATE "C" NOT NULL,
  value text NOT NULL,
  CONSTRAINT settings_pkey PRIMARY KEY (name)
);
