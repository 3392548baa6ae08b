#pragma once
// onehop.toml's sections, as parsed and validated by the config module, turned into the API's
// run-time configuration: listen addresses and endpoint URLs parsed, the JWKS file read.

#include <boost/system/result.hpp>
#include <string>

#include "api/app_config.hpp"
#include "config/config.hpp"

namespace onehop::api {

// Errors are one line naming the key ("[storage] endpoint: ...").
boost::system::result<app_config, std::string> app_config_from(const config::onehop_config& c);

// Sets the logger from [log]. Errors name the bad value.
boost::system::result<void, std::string> logging_from(const config::log_section& log);

}  // namespace onehop::api
