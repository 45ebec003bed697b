/* virtio-blk. Each request is a chain: a device-readable header, the data
 * pages (physically contiguous runs of the caller's buffer, no copies) and a
 * device-written status byte. Header and status live in a per-slot DMA area.
 * Locking: each disk has one request queue, and its lock (struct vblk's
 * lock) covers the queue, the slots, the owner table and the dead flag,
 * from threads on any CPU and from the interrupt handler on any CPU. A
 * submit that finds the ring full drops the lock to wait for progress: the
 * handler sets progress before it wakes the waiters, so a completion
 * between the unlock and the wait is not missed. */
#include <drivers/virtio/virtio_blk.h>
#include <drivers/block/blockdev.h>
#include <drivers/pci_msi.h>
#include <drivers/virtio/virtio_pci.h>
#include <cosmos/errno.h>
#include <hal/cpu.h>
#include <hal/dma.h>
#include <kernel/log.h>
#include <kernel/sync/spinlock.h>

#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_RO       5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9

#define CFG_CAPACITY 0
#define CFG_SIZE_MAX 8
#define CFG_SEG_MAX  12
#define CFG_BLK_SIZE 20

#define T_IN    0
#define T_OUT   1
#define T_FLUSH 4
#define S_OK     0

#define VBLK_MAX_DISKS 8
#define VBLK_MAX_SEGS  (BLOCKDEV_MAX_TRANSFER / 4096 + 1)
#define VBLK_MAX_CAPACITY (1ull << 48)   /* 128 PiB of 512-byte sectors: beyond is a lie */
#define PAGE 4096u

struct vblk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk_slot {
	struct vblk_hdr hdr;
	uint8_t status;
	uint8_t pad[15];
};

struct vblk {
	struct spinlock lock;         /* the fields below (not bd's, not vdev's setup) */
	struct blockdev bd;
	struct virtio_dev vdev;
	struct virtq q;
	struct vblk_slot *slots;      /* DMA: one per possible request */
	uint64_t slots_phys;
	struct blockdev_req *owner[VIRTQ_MAX_SIZE];  /* slot -> its request */
	uint16_t free_slot[VIRTQ_MAX_SIZE];
	unsigned nfree_slots;
	unsigned max_segs;            /* data segments per request */
	uint32_t size_max;            /* bytes per segment */
	volatile bool progress;       /* set by the handler: room may have appeared */
	bool dead;
	unsigned shift;               /* log2(sector_size / 512) */
};

static struct vblk disks[VBLK_MAX_DISKS];
static unsigned ndisks;
static unsigned irq_modes = PCI_IRQ_ALLOW_ALL;
static unsigned long long irqs;   /* handler calls, all disks: atomics */

static const struct pci_id vblk_ids[] = {
	{ 0x1af4, 0x1001 },   /* transitional */
	{ 0x1af4, 0x1042 },   /* modern */
	{ 0, 0 },
};

static void finish(struct vblk *d, unsigned slot, int status)
{
	struct blockdev_req *r = d->owner[slot];

	d->owner[slot] = 0;
	d->free_slot[d->nfree_slots++] = (uint16_t)slot;
	blockdev_note_inflight(&d->bd, d->q.size - d->nfree_slots);
	if (r) {
		r->status = status;
		__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
	}
}

static void abort_locked(struct vblk *d);

/* Harvests the used ring. d->lock held. */
static void reap(struct vblk *d)
{
	void *cookie;
	uint32_t len;
	int r;

	while ((r = virtq_get(&d->q, &cookie, &len)) == 1) {
		unsigned slot = (unsigned)((struct vblk_slot *)cookie - d->slots);
		uint8_t st = d->slots[slot].status;

		finish(d, slot, st == S_OK ? 0 : -EIO);
	}
	if (r < 0 && !d->dead) {
		log_err("%s: device corrupted its used ring; stopping it", d->bd.name);
		abort_locked(d);
	}
	d->progress = true;
	blockdev_wake_waiters();
}

static void vblk_irq(void *ctx)
{
	struct vblk *d = ctx;
	uint64_t f;

	__atomic_add_fetch(&irqs, 1, __ATOMIC_RELAXED);
	/* reading the ISR deasserts INTx; MSI-X needs no acknowledgement */
	if (d->vdev.irq.mode != PCI_IRQ_MSIX)
		virtio_isr(&d->vdev);
	f = spin_lock_irqsave(&d->lock);
	reap(d);
	spin_unlock_irqrestore(&d->lock, f);
}

/* Splits buf into physically contiguous segments. */
static int map_buffer(struct vblk *d, void *buf, size_t len, struct virtq_seg *segs, unsigned *n, bool dev_writes)
{
	uintptr_t va = (uintptr_t)buf;

	while (len) {
		size_t chunk = PAGE - (va & (PAGE - 1));
		uint64_t pa = dma_virt_to_phys((void *)va);

		if (chunk > len)
			chunk = len;
		if (!pa)
			return -EINVAL;
		if (*n && segs[*n - 1].addr + segs[*n - 1].len == pa &&
		    segs[*n - 1].len + chunk <= d->size_max) {
			segs[*n - 1].len += (uint32_t)chunk;
		} else {
			if (*n >= 1 + d->max_segs)
				return -EINVAL;
			segs[(*n)++] = (struct virtq_seg){ pa, (uint32_t)chunk, dev_writes };
		}
		va += chunk;
		len -= chunk;
	}
	return 0;
}

static int vblk_submit(struct blockdev *bd, struct blockdev_req *r)
{
	struct vblk *d = bd->priv;
	struct virtq_seg segs[VBLK_MAX_SEGS + 3];
	unsigned n = 1, slot;
	uint64_t flags;
	struct vblk_slot *s;
	int e;

	if (r->op == BLOCKDEV_FLUSH && !virtio_has(&d->vdev, VIRTIO_BLK_F_FLUSH)) {
		/* without FLUSH the device writes through */
		r->status = 0;
		r->done = true;
		return 0;
	}
	if (r->op != BLOCKDEV_FLUSH) {
		e = map_buffer(d, r->buf, (size_t)r->count << (9 + d->shift), segs, &n, r->op == BLOCKDEV_READ);
		if (e)
			return e;
	}
	flags = spin_lock_irqsave(&d->lock);
	for (;;) {
		if (d->dead) {
			spin_unlock_irqrestore(&d->lock, flags);
			return -EIO;
		}
		if (d->nfree_slots && virtq_num_free(&d->q) >= n + 1)
			break;
		/* the ring is full: wait for a completion to make room */
		d->progress = false;
		reap(d);
		if (d->nfree_slots && virtq_num_free(&d->q) >= n + 1)
			break;
		spin_unlock_irqrestore(&d->lock, flags);
		e = blockdev_wait_done(&d->progress, BLOCKDEV_TIMEOUT_NS);
		flags = spin_lock_irqsave(&d->lock);
		if (e != 0) {
			spin_unlock_irqrestore(&d->lock, flags);
			log_err("%s: no request completed for %llu s; stopping the device", bd->name,
				BLOCKDEV_TIMEOUT_NS / 1000000000ull);
			bd->ops->abort(bd);
			return -EIO;
		}
	}
	slot = d->free_slot[--d->nfree_slots];
	blockdev_note_inflight(&d->bd, d->q.size - d->nfree_slots);
	s = &d->slots[slot];
	s->hdr.type = r->op == BLOCKDEV_READ ? T_IN : r->op == BLOCKDEV_WRITE ? T_OUT : T_FLUSH;
	s->hdr.reserved = 0;
	s->hdr.sector = r->lba << d->shift;
	s->status = 0xff;
	segs[0] = (struct virtq_seg){ d->slots_phys + slot * sizeof(*s), sizeof(s->hdr), false };
	segs[n++] = (struct virtq_seg){ d->slots_phys + slot * sizeof(*s) + sizeof(s->hdr), 1, true };
	d->owner[slot] = r;
	r->slot = slot;
	e = virtq_add(&d->q, segs, n, s);
	if (e) {
		finish(d, slot, e);
		spin_unlock_irqrestore(&d->lock, flags);
		return e;
	}
	if (virtq_should_notify(&d->q))
		virtio_notify(&d->vdev, 0);
	spin_unlock_irqrestore(&d->lock, flags);
	return 0;
}

/* Bus mastering goes off first: a device that is broken enough to need
 * this may also ignore the reset, and the buffers in flight go back to
 * their owners below, so it must not be able to write into them any more.
 * Then the reset (reported if it fails) and everything in flight fails. */
static void abort_locked(struct vblk *d)
{
	struct blockdev *bd = &d->bd;

	d->dead = true;
	pci_stop_dma(d->vdev.pci);
	virtio_fail(&d->vdev);
	if (virtio_pci_reset(&d->vdev) != 0)
		log_err("%s: the device ignores the reset; its bus mastering stays off", bd->name);
	for (unsigned i = 0; i < d->q.size; i++)
		if (d->owner[i])
			finish(d, i, -EIO);
	d->progress = true;
	blockdev_wake_waiters();
}

static void vblk_abort(struct blockdev *bd)
{
	struct vblk *d = bd->priv;
	uint64_t flags = spin_lock_irqsave(&d->lock);

	abort_locked(d);
	spin_unlock_irqrestore(&d->lock, flags);
}

static const struct blockdev_ops vblk_ops = { vblk_submit, vblk_abort };

static int refuse(struct vblk *d, const char *why, unsigned long long val)
{
	log_warn("virtio-blk: %02x:%02x.%x refused: %s (%#llx)", d->vdev.pci->bus, d->vdev.pci->dev,
		 d->vdev.pci->fn, why, val);
	virtio_fail(&d->vdev);
	return -ENODEV;
}

static int vblk_probe(struct pci_dev *p, const struct pci_id *id)
{
	struct vblk *d;
	uint64_t capacity;
	uint32_t bs = 512;
	uint16_t vector = VIRTIO_NO_VECTOR;
	int e;

	(void)id;
	if (ndisks >= VBLK_MAX_DISKS)
		return -ENOSPC;
	d = &disks[ndisks];
	*d = (struct vblk){ 0 };
	spin_init(&d->lock, "virtio-blk queue");
	if (virtio_pci_open(&d->vdev, p, "virtio-blk") != 0)
		return -ENODEV;
	if (virtio_negotiate(&d->vdev, 1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX |
				       1ull << VIRTIO_BLK_F_RO | 1ull << VIRTIO_BLK_F_BLK_SIZE |
				       1ull << VIRTIO_BLK_F_FLUSH, "virtio-blk") != 0)
		return -ENODEV;

	capacity = virtio_cfg_read64(&d->vdev, CFG_CAPACITY);
	if (virtio_has(&d->vdev, VIRTIO_BLK_F_BLK_SIZE))
		bs = virtio_cfg_read32(&d->vdev, CFG_BLK_SIZE);
	if (bs < 512 || bs > 65536 || (bs & (bs - 1)))
		return refuse(d, "logical block size", bs);
	d->shift = (unsigned)__builtin_ctz(bs) - 9;
	if (capacity == 0 || capacity > VBLK_MAX_CAPACITY || (capacity & ((1ull << d->shift) - 1)))
		return refuse(d, "capacity", capacity);
	d->size_max = BLOCKDEV_MAX_TRANSFER;
	if (virtio_has(&d->vdev, VIRTIO_BLK_F_SIZE_MAX)) {
		uint32_t sm = virtio_cfg_read32(&d->vdev, CFG_SIZE_MAX);

		if (sm < PAGE)
			return refuse(d, "segment size below a page", sm);
		if (sm < d->size_max)
			d->size_max = sm;
	}
	d->max_segs = VBLK_MAX_SEGS;
	/* the largest transfer on an unaligned buffer must fit one request */
	if (virtio_has(&d->vdev, VIRTIO_BLK_F_SEG_MAX) &&
	    virtio_cfg_read32(&d->vdev, CFG_SEG_MAX) < VBLK_MAX_SEGS)
		return refuse(d, "segment limit", virtio_cfg_read32(&d->vdev, CFG_SEG_MAX));

	e = pci_irq_setup(p, &d->vdev.irq, irq_modes, vblk_irq, d);
	if (e) {
		virtio_fail(&d->vdev);
		log_warn("virtio-blk: no interrupt for %02x:%02x.%x", p->bus, p->dev, p->fn);
		return -ENODEV;
	}
	if (d->vdev.irq.mode == PCI_IRQ_MSIX) {
		d->vdev.msix_on = true;
		vector = 0;
	}
	virtio_config_vector(&d->vdev, VIRTIO_NO_VECTOR);
	if ((e = virtio_queue_setup(&d->vdev, 0, &d->q, VIRTQ_MAX_SIZE, vector)) != 0) {
		pci_irq_release(p, &d->vdev.irq);
		return refuse(d, "request queue unusable", (unsigned long long)(-e));
	}
	/* a request needs header + data + status descriptors */
	if (d->q.size < VBLK_MAX_SEGS + 2) {
		pci_irq_release(p, &d->vdev.irq);
		return refuse(d, "queue too small", d->q.size);
	}
	d->slots = dma_alloc(d->q.size * sizeof(struct vblk_slot), &d->slots_phys);
	if (!d->slots) {
		pci_irq_release(p, &d->vdev.irq);
		return refuse(d, "no memory for request slots", 0);
	}
	for (unsigned i = 0; i < d->q.size; i++)
		d->free_slot[i] = (uint16_t)(d->q.size - 1 - i);
	d->nfree_slots = d->q.size;
	virtio_driver_ok(&d->vdev);
	if (virtio_status(&d->vdev) & (VIRTIO_STATUS_FAILED | VIRTIO_STATUS_NEEDS_RESET)) {
		pci_irq_release(p, &d->vdev.irq);
		return refuse(d, "device failed after DRIVER_OK", virtio_status(&d->vdev));
	}

	d->bd.sector_size = bs;
	d->bd.sectors = capacity >> d->shift;
	d->bd.read_only = virtio_has(&d->vdev, VIRTIO_BLK_F_RO);
	d->bd.ops = &vblk_ops;
	d->bd.priv = d;
	ndisks++;
	log_info("virtio-blk: %02x:%02x.%x %s, queue %u, %s, segments %u x %u bytes%s", p->bus, p->dev, p->fn,
		 d->vdev.modern ? "modern" : "legacy", d->q.size, pci_irq_mode_name(d->vdev.irq.mode),
		 d->max_segs, d->size_max, virtio_has(&d->vdev, VIRTIO_BLK_F_FLUSH) ? ", flush" : "");
	return 0;
}

static const struct pci_driver vblk_driver = { "virtio-blk", vblk_ids, vblk_probe };

void virtio_blk_init(unsigned irq_allowed)
{
	unsigned first = ndisks;

	irq_modes = irq_allowed;
	pci_register_driver(&vblk_driver);
	/* registered after probing, so that the partition scan (which needs
	 * interrupts and a working queue) runs on finished disks */
	for (unsigned i = first; i < ndisks; i++)
		if (blockdev_register_disk(&disks[i].bd) != 0)
			log_warn("virtio-blk: too many block devices");
}

struct pci_dev *virtio_blk_pci(const struct blockdev *bd)
{
	for (unsigned i = 0; i < ndisks; i++)
		if (&disks[i].bd == bd)
			return disks[i].vdev.pci;
	return 0;
}

unsigned long long virtio_blk_irq_count(void)
{
	return __atomic_load_n(&irqs, __ATOMIC_RELAXED);
}
