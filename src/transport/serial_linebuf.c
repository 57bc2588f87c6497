/* A model of Zephyr's uart_mcumgr receive path: a pool of fixed-size line buffers filled from
 * the UART ISR and handed to the application at '\n'. Lines that do not fit, or that start
 * while every buffer waits for the application, are lost; that is how a fast client overruns
 * a real device, so the simulator reproduces it. */
#include "dfukit/err.h"
#include "dfukit/serial_frame.h"

int serial_linebuf_init(struct serial_linebuf *lb, uint8_t *mem, size_t size, size_t count)
{
    if (size == 0 || size > UINT32_MAX || count == 0 || count > SERIAL_LINEBUF_MAX_COUNT) {
        return DFU_EINVAL;
    }
    *lb = (struct serial_linebuf){0};
    lb->mem = mem;
    lb->size = (uint32_t)size;
    lb->count = (uint32_t)count;
    return 0;
}

/* Index of the buffer being filled (the one after the ready ones). */
static uint32_t fill_slot(const struct serial_linebuf *lb)
{
    return (lb->head + lb->ready) % lb->count;
}

static void push_byte(struct serial_linebuf *lb, uint8_t b)
{
    if (!lb->ignoring && !lb->filling) {
        if (lb->ready == lb->count) {
            lb->stats.no_buffer++;
            lb->ignoring = true;
        } else {
            lb->filling = true;
            lb->fill = 0;
        }
    }
    if (!lb->ignoring) {
        if (lb->fill >= lb->size) {
            lb->stats.too_long++;
            lb->filling = false; /* the buffer goes back to the pool */
            lb->ignoring = true;
        } else {
            lb->mem[(size_t)fill_slot(lb) * lb->size + lb->fill++] = b;
        }
    }
    if (b == '\n') {
        if (lb->ignoring) {
            lb->ignoring = false;
        } else {
            lb->len[fill_slot(lb)] = lb->fill;
            lb->ready++;
            lb->filling = false;
            lb->stats.lines++;
        }
    }
}

void serial_linebuf_push(struct serial_linebuf *lb, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        push_byte(lb, in[i]);
    }
}

bool serial_linebuf_peek(const struct serial_linebuf *lb, const uint8_t **line, size_t *len)
{
    if (lb->ready == 0) {
        return false;
    }
    *line = lb->mem + (size_t)lb->head * lb->size;
    *len = lb->len[lb->head];
    return true;
}

void serial_linebuf_release(struct serial_linebuf *lb)
{
    if (lb->ready == 0) {
        return;
    }
    lb->head = (lb->head + 1) % lb->count;
    lb->ready--;
}
