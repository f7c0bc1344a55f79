#ifndef TOWNHALL_LWS_SHIM_H
#define TOWNHALL_LWS_SHIM_H
/* Re-exports what Swift cannot see in libwebsockets: macros become constants or
   static inline functions. No logic lives here. */
#include <libwebsockets.h>

static const int th_lws_pre = LWS_PRE;

/* A timer that knows its owner: lws hands the sul back to the callback, and the
   owner pointer sits right behind it (sul is the first member). */
typedef struct th_timer {
    lws_sorted_usec_list_t sul;
    void *owner;
} th_timer;

static inline void *th_timer_owner(lws_sorted_usec_list_t *sul) {
    return ((th_timer *)sul)->owner;
}

#endif
