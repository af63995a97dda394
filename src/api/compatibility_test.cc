// Keeps docs/compatibility.md and the handler registries in step: every operation of the embedded
// models has exactly one row whose auth kind matches the model, a registered handler's row says
// `done`, and a `done` row has a registered handler.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "api/cognito_idp/register.h"
#include "api/dispatcher.h"
#include "api/model/model.h"

#if __has_include("store/memory/memory_store.h")
#include "store/memory/memory_store.h"
#define COGNATE_HAVE_MEMORY_STORE 1
#endif

namespace cognate::api {
namespace {

struct Row {
  std::string auth, since, status, notes;
};

// (service, operation) -> row.
std::map<std::pair<std::string, std::string>, Row> ReadDoc(std::vector<std::string>& problems) {
  std::ifstream in(std::string(COGNATE_SOURCE_DIR) + "/docs/compatibility.md");
  EXPECT_TRUE(in.good()) << "docs/compatibility.md not found";
  std::map<std::pair<std::string, std::string>, Row> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| ", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    std::string cell;
    while (std::getline(ss, cell, '|')) {
      auto b = cell.find_first_not_of(' ');
      auto e = cell.find_last_not_of(' ');
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    }
    if (cells.size() < 6 || cells[0] == "Operation") continue;
    auto key = std::make_pair(cells[1], cells[0]);
    if (rows.count(key)) problems.push_back("duplicate row " + cells[1] + " " + cells[0]);
    rows[key] = Row{cells[2], cells[3], cells[4], cells[5]};
  }
  return rows;
}

class Registries {
 public:
  Registries() {
#ifdef COGNATE_HAVE_MEMORY_STORE
    ctx_ = std::make_unique<domain::ServiceContext>(
        domain::ServiceContext{store_, clock_, box_, sink_, domain::DeploymentConfig{}});
    cognito_idp::RegisterAll(idp, *ctx_);
#endif
  }
  HandlerRegistry idp;
  HandlerRegistry identity;  // no cognito-identity handlers are registered yet

 private:
#ifdef COGNATE_HAVE_MEMORY_STORE
  store::MemoryStore store_;
  FakeClock clock_;
  crypto::SecretBox box_{std::string(crypto::SecretBox::kKeySize, 'k')};
  domain::RecordingMessageSink sink_;
  std::unique_ptr<domain::ServiceContext> ctx_;
#endif
};

TEST(CompatibilityTest, DocMatchesModelsAndRegistries) {
  std::vector<std::string> problems;
  auto rows = ReadDoc(problems);
  Registries reg;
  struct Svc {
    const model::ServiceModel* model;
    const HandlerRegistry* registry;
  };
  for (Svc svc : {Svc{&model::ServiceModel::CognitoIdp(), &reg.idp},
                  Svc{&model::ServiceModel::CognitoIdentity(), &reg.identity}}) {
    const std::string& service = svc.model->service();
    for (const auto& [name, op] : svc.model->operations()) {
      auto it = rows.find({service, name});
      if (it == rows.end()) {
        problems.push_back("no row for " + service + " " + name + " (run tools/gen_compat.py)");
        continue;
      }
      const Row& row = it->second;
      if (row.auth != model::AuthKindName(op.auth)) {
        problems.push_back(service + " " + name + ": auth is " + row.auth + ", model says " +
                           std::string(model::AuthKindName(op.auth)));
      }
      if (row.status != "done" && row.status != "missing") {
        problems.push_back(service + " " + name + ": status must be done or missing, is " +
                           row.status);
      }
      bool registered = svc.registry->Find(name) != nullptr;
      if (registered && row.status != "done") {
        problems.push_back(service + " " + name + " has a handler but its row says " + row.status);
      }
      if (!registered && row.status == "done") {
        problems.push_back(service + " " + name + " is marked done but has no handler");
      }
      rows.erase(it);
    }
    for (const auto& [op, handler] : svc.registry->All()) {
      if (!svc.model->FindOperation(op)) {
        problems.push_back("handler for " + op + ", which " + service + "'s model does not have");
      }
    }
  }
  for (const auto& [key, row] : rows) {
    problems.push_back("row for " + key.first + " " + key.second + ", which no model has");
  }
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  EXPECT_TRUE(problems.empty()) << all;
}

}  // namespace
}  // namespace cognate::api
