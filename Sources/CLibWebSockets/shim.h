#ifndef TOWNHALL_LWS_SHIM_H
#define TOWNHALL_LWS_SHIM_H
/* Re-exports what Swift cannot see in libwebsockets: macros become constants or
   static inline functions. No logic lives here. */
#include <libwebsockets.h>

#include <openssl/ssl.h>
#include <arpa/inet.h>

static const int th_lws_pre = LWS_PRE;

/* TLS 1.2 or newer only. */
static const long th_ssl_no_old_tls = SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1;

/* The peer address of an accepted socket, as text ("" when unknown). */
static inline void th_address_text(const struct sockaddr_storage *address, char *out, socklen_t size) {
    out[0] = 0;
    if (address->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)address)->sin_addr, out, size);
    else if (address->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)address)->sin6_addr, out, size);
}

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
