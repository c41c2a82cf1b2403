package main

import (
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// Garbage-collector defaults for serve. Delivering live events allocates
// per subscriber and per event, and with Go's default GOGC=100 collection
// was about a sixth of the server's CPU under a large fan-out; GOGC=400 cut
// instance CPU per mark by about a quarter (BENCHMARKS.md) at the cost of a
// larger heap, which the soft memory limit keeps in bounds.
const (
	gcPercent = 400
	// defaultMemoryLimit applies when the container's limit is unknown.
	defaultMemoryLimit = 1 << 30
)

// cgroupMemoryMax is cgroup v2's memory limit file.
var cgroupMemoryMax = "/sys/fs/cgroup/memory.max"

// tuneGC sets GOGC and GOMEMLIMIT unless the environment sets them: the
// soft limit is three quarters of the container's memory limit, or 1 GiB.
func tuneGC(log *slog.Logger) {
	gogc := os.Getenv("GOGC")
	if gogc == "" {
		debug.SetGCPercent(gcPercent)
		gogc = strconv.Itoa(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit())
	}
	log.Info("garbage collector", "gogc", gogc, "memory_limit_bytes", debug.SetMemoryLimit(-1)) // a negative limit only reads it
}

func memoryLimit() int64 {
	b, err := os.ReadFile(cgroupMemoryMax)
	if err != nil {
		return defaultMemoryLimit
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n <= 0 || n == math.MaxInt64 { // "max": no limit
		return defaultMemoryLimit
	}
	return n / 4 * 3
}
