/* The one interrupt interface drivers use: request a legacy IRQ, a GSI or an
 * MSI/MSI-X vector with a handler and context, free it. End-of-interrupt is
 * sent in one place (irq_dispatch), never by drivers. */
#ifndef HAL_IRQ_H
#define HAL_IRQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cosmos/compiler.h>

#define IRQ_VECTOR_FIRST 0x30   /* 0x20-0x2f: where the masked PICs point */
#define IRQ_VECTOR_LAST  0xef   /* 0xf0-0xff: LAPIC timer, error, spurious */

typedef void (*irq_handler_fn)(void *ctx);

/* Masks the PICs, enables this CPU's LAPIC and the I/O APICs platform
 * discovery found (their registers mapped through hal/mmio). 0 or -ENODEV. */
int irq_init(void) __must_check;

/* Each returns the vector (>= IRQ_VECTOR_FIRST) or a negative errno. */
int irq_request_legacy(unsigned isa_irq, irq_handler_fn fn, void *ctx) __must_check;
int irq_request_gsi(uint32_t gsi, bool level, bool active_low, irq_handler_fn fn, void *ctx) __must_check;
/* A vector with no device behind it (IPIs, tests). */
int irq_request_vector(irq_handler_fn fn, void *ctx) __must_check;
/* For MSI/MSI-X: the device must write *data to *addr. */
int irq_request_msi(irq_handler_fn fn, void *ctx, uint64_t *addr, uint32_t *data) __must_check;
/* Installs fn on a fixed system vector (the LAPIC timer). */
int irq_set_system_handler(unsigned vector, irq_handler_fn fn, void *ctx) __must_check;
void irq_free(int vector);

/* Called by the kernel's trap handler for interrupt vectors; runs the
 * handler and sends the EOI. False if nothing was registered there. */
bool irq_dispatch(unsigned vector);
/* Raises vector on the running CPU (an IPI to itself): pending until
 * interrupts are on. 0, -EINVAL, or -ETIMEDOUT when the controller is stuck. */
int irq_raise_self(int vector) __must_check;
uint64_t irq_count(unsigned vector);

#endif
