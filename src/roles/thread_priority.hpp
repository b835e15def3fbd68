// The scheduling class of the pipeline's threads. Ingress answers senders while they wait and a delivery is
// durable in the bus before its 202, so the parser and reports threads, which only work through the backlog,
// can run in the background: on CPU time that ingress and API requests leave idle.
#pragma once

namespace chorus::roles {

enum class ThreadPriority {
  normal,
  background,  // Linux SCHED_IDLE: runs whenever no normal thread wants the CPU, and barely when one does
};

// Applies `priority` to the calling thread. Returns false when the system refuses (the thread keeps its class).
bool set_this_thread_priority(ThreadPriority priority);

}  // namespace chorus::roles
