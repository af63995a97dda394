#include "api/dispatcher.h"

#include <stdexcept>

namespace cognate::api {

void HandlerRegistry::Register(std::string operation, JsonHandler handler) {
  auto [it, inserted] = handlers_.emplace(std::move(operation), std::move(handler));
  if (!inserted) throw std::logic_error("operation registered twice: " + it->first);
}

const JsonHandler* HandlerRegistry::Find(std::string_view operation) const {
  auto it = handlers_.find(operation);
  return it == handlers_.end() ? nullptr : &it->second;
}

}  // namespace cognate::api
