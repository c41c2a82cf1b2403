package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The soft memory limit follows the container's (cgroup v2) limit.
func TestMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	defer func(old string) { cgroupMemoryMax = old }(cgroupMemoryMax)
	for content, want := range map[string]int64{
		"":             defaultMemoryLimit, // no file
		"max\n":        defaultMemoryLimit,
		"2147483648\n": 3 << 29,
		"junk":         defaultMemoryLimit,
	} {
		cgroupMemoryMax = filepath.Join(dir, "missing")
		if content != "" {
			cgroupMemoryMax = filepath.Join(dir, "memory.max")
			if err := os.WriteFile(cgroupMemoryMax, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if got := memoryLimit(); got != want {
			t.Errorf("memory.max %q: limit %d, want %d", content, got, want)
		}
	}
}
