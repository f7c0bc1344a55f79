#ifndef TOWNHALL_EV_SHIM_H
#define TOWNHALL_EV_SHIM_H
/* libev, for the event loop libwebsockets runs on (epoll instead of poll(2)). The
   loop is ours ("foreign" to lws): we create, run, break and destroy it. */
#include <ev.h>
#endif
