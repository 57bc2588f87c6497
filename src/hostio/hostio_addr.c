/* "host:port" / "[v6]:port" parsing and printing over getaddrinfo. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/err.h"
#include "dfukit/hostio.h"

/* Splits text into host and port strings; the port stays "" when absent. */
static int split_host_port(const char *text, char *host, size_t host_cap, char *port,
                           size_t port_cap)
{
    const char *h = text, *h_end, *p = "";
    if (text[0] == '[') {
        h = text + 1;
        h_end = strchr(h, ']');
        if (!h_end) {
            return DFU_EINVAL;
        }
        if (h_end[1] == ':') {
            p = h_end + 2;
            if (*p == '\0') {
                return DFU_EINVAL;
            }
        } else if (h_end[1] != '\0') {
            return DFU_EINVAL;
        }
    } else {
        const char *colon = strchr(text, ':');
        if (colon && strchr(colon + 1, ':')) {
            h_end = text + strlen(text); /* a bare IPv6 literal, no port */
        } else if (colon) {
            h_end = colon;
            p = colon + 1;
            if (*p == '\0') {
                return DFU_EINVAL;
            }
        } else {
            h_end = text + strlen(text);
        }
    }
    size_t hl = (size_t)(h_end - h);
    if (hl == 0 || hl >= host_cap || strlen(p) >= port_cap) {
        return DFU_EINVAL;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    strcpy(port, p);
    return 0;
}

static int parse_port(const char *s, uint16_t *out)
{
    if (s[0] == '\0' || strlen(s) > 5) {
        return DFU_EINVAL;
    }
    unsigned long v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9') {
            return DFU_EINVAL;
        }
        v = v * 10 + (unsigned long)(*c - '0');
    }
    if (v > 65535) {
        return DFU_EINVAL;
    }
    *out = (uint16_t)v;
    return 0;
}

int hostio_addr_parse(struct hostio_addr *out, const char *text, uint16_t default_port,
                      int family)
{
    char host[256], port_s[8];
    if (text == NULL || (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)) {
        return DFU_EINVAL;
    }
    int err = split_host_port(text, host, sizeof(host), port_s, sizeof(port_s));
    if (err) {
        return err;
    }
    uint16_t port = default_port;
    if (port_s[0] != '\0' && parse_port(port_s, &port) != 0) {
        return DFU_EINVAL;
    }
    if (text[0] == '[' && family == AF_INET) {
        return DFU_EINVAL; /* brackets mean IPv6 */
    }
    struct addrinfo hints = {.ai_family = text[0] == '[' ? AF_INET6 : family,
                             .ai_socktype = SOCK_DGRAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || res == NULL) {
        return rc == EAI_NONAME || rc == EAI_FAMILY || rc == EAI_ADDRFAMILY ? DFU_ENOENT : DFU_EIO;
    }
    memset(out, 0, sizeof(*out));
    memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
    out->len = res->ai_addrlen;
    freeaddrinfo(res);
    if (out->ss.ss_family == AF_INET) {
        ((struct sockaddr_in *)&out->ss)->sin_port = htons(port);
    } else if (out->ss.ss_family == AF_INET6) {
        ((struct sockaddr_in6 *)&out->ss)->sin6_port = htons(port);
    } else {
        return DFU_ENOTSUP;
    }
    return 0;
}

int hostio_addr_format(char *out, size_t cap, const struct hostio_addr *a)
{
    char ip[INET6_ADDRSTRLEN];
    int n;
    if (a->ss.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&a->ss;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
        n = snprintf(out, cap, "%s:%u", ip, (unsigned)ntohs(in->sin_port));
    } else if (a->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a->ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        n = snprintf(out, cap, "[%s]:%u", ip, (unsigned)ntohs(in6->sin6_port));
    } else {
        return DFU_ENOTSUP;
    }
    return (n < 0 || (size_t)n >= cap) ? DFU_ENOMEM : 0;
}

uint16_t hostio_addr_port(const struct hostio_addr *a)
{
    if (a->ss.ss_family == AF_INET) {
        return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
    }
    if (a->ss.ss_family == AF_INET6) {
        return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
    }
    return 0;
}

int hostio_addr_family(const struct hostio_addr *a)
{
    return a->ss.ss_family;
}

int hostio_addr_equal(const struct hostio_addr *a, const struct hostio_addr *b)
{
    if (a->ss.ss_family != b->ss.ss_family) {
        return 0;
    }
    if (a->ss.ss_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)&a->ss;
        const struct sockaddr_in *y = (const struct sockaddr_in *)&b->ss;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)&a->ss;
        const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&b->ss;
        return x->sin6_port == y->sin6_port &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
    }
    return 0;
}
