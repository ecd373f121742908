// Whether idle OpenMP threads spin or sleep, chosen before the OpenMP runtime starts.
#pragma once

namespace pldr {

// Makes idle OpenMP threads spin only briefly (3,000 rounds) before they sleep, unless the user
// chose (OMP_WAIT_POLICY or GOMP_SPINCOUNT set). By default libgomp spins a waiting thread for up
// to 300,000 rounds; on a machine whose cores are busy with another process, the spinning threads
// take the time the working ones need (on two cores shared with other work, the bundled small
// model generated 5 to 20 tokens/s spinning against 700 to 1,160 sleeping). A short spin keeps the
// idle machine's speed (wait_policy.cpp has the measurement). libgomp reads these variables once,
// when it is loaded, before main; so this sets GOMP_SPINCOUNT and runs the program again
// (/proc/self/exe) with the same arguments, once (PLDR_WAIT_POLICY_SET guards against a loop). It returns where the
// program already runs with a policy, or where running it again failed (it then keeps OpenMP's default). Applications
// call it first thing in main, before they start threads or print; a library never does. Without OpenMP it does
// nothing.
void sleep_idle_threads(char** argv);

}  // namespace pldr
