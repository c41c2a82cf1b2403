package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// dist summarises a set of durations.
type dist struct {
	n             int
	p50, p99, max time.Duration
}

func summarise(ds []time.Duration) dist {
	if len(ds) == 0 {
		return dist{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return dist{n: len(s), p50: quantile(s, 0.50), p99: quantile(s, 0.99), max: s[len(s)-1]}
}

// quantile is the nearest-rank quantile of sorted s.
func quantile(s []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// metrics reads a server's /metrics into "name{labels}" → value.
func metrics(ctx context.Context, base string) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	// Servers answer /metrics to loopback callers unless a token is set; a
	// spawned server inherits this environment, so the token is the same.
	if t := os.Getenv("APNET_METRICS_TOKEN"); t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s/metrics: HTTP %d", base, resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out, sc.Err()
}

// metric reads one value from a server's /metrics.
func metric(ctx context.Context, base, name string) (float64, error) {
	m, err := metrics(ctx, base)
	if err != nil {
		return 0, err
	}
	return m[name], nil
}

// waitMetric polls until ok(value) holds or timeout passes.
func waitMetric(ctx context.Context, base, name string, timeout time.Duration, ok func(float64) bool) (float64, error) {
	deadline := time.Now().Add(timeout)
	for {
		v, err := metric(ctx, base, name)
		if err == nil && ok(v) {
			return v, nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return v, err
			}
			return v, fmt.Errorf("%s %s is %v after %s", base, name, v, timeout)
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// cpuMeter measures CPU seconds used by the servers (from their
// process_cpu_seconds_total) and by this tool over a phase.
type cpuMeter struct {
	servers []string
	start   map[string]float64
	self    float64
	machine float64
	wall    time.Time
}

func startCPU(ctx context.Context, servers ...string) *cpuMeter {
	c := &cpuMeter{servers: slices.Compact(slices.Clone(servers)), start: map[string]float64{}, self: selfCPU(), machine: machineCPU(), wall: time.Now()}
	for _, s := range c.servers {
		c.start[s], _ = metric(ctx, s, "process_cpu_seconds_total")
	}
	return c
}

// stop reports the CPU each process used: cores busy on average ("0.85"
// is 85% of one core) and CPU time per unit of work (n of them).
func (c *cpuMeter) stop(ctx context.Context, names map[string]string, n int, unit string) string {
	wall := time.Since(c.wall).Seconds()
	var cores, per []string
	add := func(name string, secs float64) {
		cores = append(cores, fmt.Sprintf("%s %.2f", name, secs/wall))
		per = append(per, fmt.Sprintf("%s %.2f ms", name, 1000*secs/float64(max(n, 1))))
	}
	for _, s := range c.servers {
		if v, err := metric(ctx, s, "process_cpu_seconds_total"); err == nil {
			add("server "+names[s], v-c.start[s])
		}
	}
	add("apnet-load", selfCPU()-c.self)
	out := "CPU, cores busy: " + strings.Join(cores, ", ")
	if m := machineCPU(); m > 0 {
		// The rest is the database, Redis, and anything else running:
		// a busy machine skews the figures.
		out += fmt.Sprintf(", whole machine %.2f of %d", (m-c.machine)/wall, runtime.NumCPU())
	}
	return out + "; per " + unit + ": " + strings.Join(per, ", ")
}

// machineCPU is the CPU seconds all processes have used since boot, from
// Linux's /proc/stat (0 elsewhere).
func machineCPU() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var ticks float64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		v, _ := strconv.ParseFloat(f[i], 64)
		ticks += v
	}
	return ticks / 100 // USER_HZ is 100 on Linux
}

func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
