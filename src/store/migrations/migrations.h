#pragma once
// Numbered SQL migrations embedded into the binary at build time from
// src/store/migrations/<backend>/NNNN_name.sql (embed_migrations.cmake writes the definitions).

#include <span>
#include <string_view>

namespace cognate::store::migrations {

struct Migration {
  int version;            // NNNN from the file name; applied in increasing order
  std::string_view name;  // the file name without ".sql"
  std::string_view sql;   // the file's text, possibly several statements
};

// Defined in the generated source of cognate_store_sqlite.
std::span<const Migration> SqliteMigrations();
// Defined in the generated source of cognate_store_postgres.
std::span<const Migration> PostgresMigrations();

}  // namespace cognate::store::migrations
