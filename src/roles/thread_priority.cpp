// set_this_thread_priority.
#include "roles/thread_priority.hpp"

#include <sched.h>

namespace chorus::roles {

bool set_this_thread_priority(ThreadPriority priority) {
  sched_param param{};
  param.sched_priority = 0;
  // Pid 0 is the calling thread: on Linux the policy belongs to each thread, not to the whole process.
  return sched_setscheduler(0, priority == ThreadPriority::background ? SCHED_IDLE : SCHED_OTHER, &param) == 0;
}

}  // namespace chorus::roles
