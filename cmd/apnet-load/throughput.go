package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apnet/apnet/internal/gqlclient"
)

const recordRegister = `mutation($in: RecordRegisterInput!) {
  recordRegister(input: $in) { created unchanged amended alerts { id kind } }
}`

type throughputConfig struct {
	writers  int
	marks    []mark
	register int           // 0: one recordAttendance per mark; n: recordRegister with n entries
	duration time.Duration // stop early after this long
	course   int
}

type throughputResult struct {
	marks    int64 // saved (CREATED)
	requests dist  // mutation round trips
	errors   int64
	firstErr error
	elapsed  time.Duration
	cpu      string
}

// request is one mutation: one mark, or one register of marks sharing a slot.
type request []mark

// requests groups marks into requests of at most size marks of one slot.
func requests(ms []mark, size int) []request {
	var out []request
	for i := 0; i < len(ms); {
		j := i + 1
		for j < len(ms) && j-i < size && ms[j].slot == ms[i].slot {
			j++
		}
		out = append(out, request(ms[i:j]))
		i = j
	}
	return out
}

// runThroughput has cfg.writers clients send the marks as fast as the server
// answers, each taking the next request when its last one returns.
func runThroughput(ctx context.Context, cfg throughputConfig, gql *gqlclient.Client, url string, names map[string]string) *throughputResult {
	ctx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	reqs := requests(cfg.marks, max(cfg.register, 1))
	var (
		next    atomic.Int64
		res     throughputResult
		mu      sync.Mutex
		latency []time.Duration
		wg      sync.WaitGroup
	)
	cpu := startCPU(ctx, url)
	start := time.Now()
	for range cfg.writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(len(reqs)) {
					break
				}
				t := time.Now()
				n, err := send(ctx, gql, reqs[i], cfg)
				if err != nil {
					if ctx.Err() != nil {
						break // the time limit, not the server
					}
					mu.Lock()
					res.errors++
					if res.firstErr == nil {
						res.firstErr = err
					}
					mu.Unlock()
					continue
				}
				mine = append(mine, time.Since(t))
				atomic.AddInt64(&res.marks, int64(n))
			}
			mu.Lock()
			latency = append(latency, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.cpu = cpu.stop(context.WithoutCancel(ctx), names, int(res.marks), "mark")
	res.requests = summarise(latency)
	return &res
}

// send records one request and returns how many marks it created.
func send(ctx context.Context, gql *gqlclient.Client, r request, cfg throughputConfig) (int, error) {
	if cfg.register == 0 {
		var out struct{ RecordAttendance struct{ Outcome string } }
		m := r[0]
		err := gql.MustData(ctx, recordAttendance, map[string]any{"p": m.Placement, "d": m.Date, "s": m.Session, "m": absent}, &out)
		if err != nil {
			return 0, err
		}
		if out.RecordAttendance.Outcome != "CREATED" {
			return 0, fmt.Errorf("mark %s: outcome %s, want CREATED", m.key(), out.RecordAttendance.Outcome)
		}
		return 1, nil
	}
	entries := make([]any, len(r))
	for i, m := range r {
		entries[i] = map[string]any{"placementID": m.Placement, "mark": absent}
	}
	in := map[string]any{"courseID": cfg.course, "date": r[0].Date, "session": r[0].Session, "entries": entries}
	var out struct{ RecordRegister struct{ Created int } }
	if err := gql.MustData(ctx, recordRegister, map[string]any{"in": in}, &out); err != nil {
		return 0, err
	}
	if out.RecordRegister.Created != len(r) {
		return out.RecordRegister.Created, fmt.Errorf("register %s %s: %d created, want %d", r[0].Date, r[0].Session, out.RecordRegister.Created, len(r))
	}
	return len(r), nil
}
