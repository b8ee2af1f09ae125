package store

import (
	"sync"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
)

// pinSQLiteAllocator keeps one small allocation in each size class of the pure-Go SQLite's C allocator
// (modernc.org/libc over modernc.org/memory), for the life of the process.
//
// That allocator serves each size class from 1 MiB pages it maps with mmap and unmaps as soon as their last
// slot is freed. SQLite allocates a statement's planner and virtual machine (several KiB) for every query and
// frees them when it ends, so on a quiet connection every query mapped, faulted in and unmapped fresh pages:
// over half of a warm contact card's CPU was these system calls. A pinned slot keeps each class's first page
// mapped, so queries reuse its memory.
var pinSQLiteAllocator = sync.OnceFunc(func() {
	tls := libc.NewTLS()
	defer tls.Close()
	// Size classes are powers of two from 16 bytes up to the allocator's largest slot (a quarter of a page).
	for size := 16; size <= 256<<10; size <<= 1 {
		libc.Xmalloc(tls, types.Size_t(size))
	}
})
