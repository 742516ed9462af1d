// The registry of reproductions. Adding one (docs/reproduce.md): write src/reproduce/<id>.cpp
// defining `Reproduction <id>_reproduction()`, ship experiments/<ID>.toml and
// scripts/figures/<ID>.py, and add one X(<id>) line below.
#include <plnet/reproduce/reproduce.hpp>

#define PLNET_REPRODUCTIONS(X) \
  X(r1)                        \
  X(r2)                        \
  X(r3)                        \
  X(r4)                        \
  X(r5)                        \
  X(r6)                        \
  X(r7)                        \
  X(r8)                        \
  X(r9)                        \
  X(r10)                       \
  X(r11)                       \
  X(r12)                       \
  X(r13)                       \
  X(r14)                       \
  X(r15)                       \
  X(r16)                       \
  X(r17)                       \
  X(r18)

namespace plnet::reproduce {

#define PLNET_DECLARE_REPRODUCTION(name) Reproduction name##_reproduction();
PLNET_REPRODUCTIONS(PLNET_DECLARE_REPRODUCTION)
#undef PLNET_DECLARE_REPRODUCTION

const std::vector<Reproduction>& reproductions() {
#define PLNET_LIST_REPRODUCTION(name) name##_reproduction(),
  static const std::vector<Reproduction> all = {PLNET_REPRODUCTIONS(PLNET_LIST_REPRODUCTION)};
#undef PLNET_LIST_REPRODUCTION
  return all;
}

}  // namespace plnet::reproduce
