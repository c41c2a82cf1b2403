package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/apnet/apnet/internal/gqlclient"
)

const subscription = `subscription($s: ID!) { attendanceRecorded(schoolID: $s) {
  outcome mark { id date session code status placement { id learner { upn } } } alert { kind } } }`

const recordAttendance = `mutation($p: ID!, $d: Date!, $s: AttendanceMarkSession!, $m: MarkInput!) {
  recordAttendance(input: {placementID: $p, date: $d, session: $s, mark: $m}) {
    outcome mark { id code status version } alert { id kind }
  }
}`

// absent is the mark the tool sends: the case the live feed exists for.
var absent = map[string]any{"status": "ABSENT", "absenceReason": "NO_REASON_YET"}

// latencyConfig is one latency run: subscribers on subURL, marks sent to writeURL.
type latencyConfig struct {
	subscribers  int
	marks        []mark // the first warmup are sent but not counted
	warmup       int
	gap          time.Duration // pause after each mark's last delivery
	markTimeout  time.Duration // how long to wait for every subscriber to get a mark
	readyTimeout time.Duration // how long to wait for the subscribers to be live
	school       int
	token        string // the school staff's session, sent in connection_init
}

type latencyResult struct {
	perMark     dist // send → last subscriber's receipt
	perDelivery dist // send → each subscriber's receipt
	mutation    dist // the recordAttendance round trip
	missing     int  // deliveries not received within markTimeout
	stray       int  // events for a mark other than the one being waited for
	dropped     float64
	cpu         string
	elapsed     time.Duration
}

// delivery is one subscriber receiving one event.
type delivery struct {
	key string
	at  time.Time
}

// runLatency opens the subscribers, records the marks one at a time and
// measures when each subscriber receives each.
func runLatency(ctx context.Context, cfg latencyConfig, gql *gqlclient.Client, writeURL, subURL string, names map[string]string) (*latencyResult, error) {
	base, err := metric(ctx, subURL, "apnet_live_subscribers")
	if err != nil {
		return nil, err
	}
	subCtx, cancelSubs := context.WithCancel(ctx)
	defer cancelSubs()
	deliveries := make(chan delivery, 4*cfg.subscribers)
	conns, readers, err := openSubscribers(subCtx, cfg, wsURL(subURL), deliveries)
	defer func() {
		cancelSubs()
		for _, c := range conns {
			_ = c.Close()
		}
		readers.Wait()
	}()
	if err != nil {
		return nil, err
	}
	want := base + float64(cfg.subscribers)
	if _, err := waitMetric(ctx, subURL, "apnet_live_subscribers", cfg.readyTimeout, func(v float64) bool { return v >= want }); err != nil {
		return nil, fmt.Errorf("waiting for %d live subscribers: %w", cfg.subscribers, err)
	}
	fmt.Printf("  %d subscribers live on %s\n", cfg.subscribers, names[subURL])

	droppedBefore, _ := metric(ctx, subURL, "apnet_events_dropped_total")
	var perMark, perDelivery, mutation []time.Duration
	res := &latencyResult{}
	var cpu *cpuMeter
	start := time.Now()
	for i, m := range cfg.marks {
		if i == cfg.warmup {
			cpu = startCPU(ctx, writeURL, subURL)
			start = time.Now()
		}
		counted := i >= cfg.warmup
		sent := time.Now()
		err := gql.MustData(ctx, recordAttendance, map[string]any{"p": m.Placement, "d": m.Date, "s": m.Session, "m": absent}, nil)
		if err != nil {
			return nil, fmt.Errorf("mark %d (%s): %w", i, m.key(), err)
		}
		if counted {
			mutation = append(mutation, time.Since(sent))
		}
		key, got, last := m.key(), 0, time.Duration(0)
		timeout := time.NewTimer(cfg.markTimeout)
	wait:
		for got < cfg.subscribers {
			select {
			case d := <-deliveries:
				if d.key != key {
					res.stray++
					continue
				}
				got++
				lat := d.at.Sub(sent)
				last = max(last, lat)
				if counted {
					perDelivery = append(perDelivery, lat)
				}
			case <-timeout.C:
				break wait
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		timeout.Stop()
		if counted {
			res.missing += cfg.subscribers - got
			if got == cfg.subscribers {
				perMark = append(perMark, last)
			}
		}
		time.Sleep(cfg.gap)
	}
	res.elapsed = time.Since(start)
	res.cpu = cpu.stop(ctx, names, len(cfg.marks)-cfg.warmup, "mark")
	droppedAfter, _ := metric(ctx, subURL, "apnet_events_dropped_total")
	res.dropped = droppedAfter - droppedBefore
	res.perMark, res.perDelivery, res.mutation = summarise(perMark), summarise(perDelivery), summarise(mutation)

	// Close the subscribers and let the server notice, so a later phase's
	// subscriber count starts from the same base.
	cancelSubs()
	for _, c := range conns {
		_ = c.Close()
	}
	conns = nil
	readers.Wait()
	if _, err := waitMetric(ctx, subURL, "apnet_live_subscribers", 30*time.Second, func(v float64) bool { return v <= base }); err != nil {
		fmt.Printf("  warning: subscribers not all gone: %v\n", err)
	}
	return res, nil
}

// openSubscribers dials the subscribers, 50 at a time, and starts a reader
// for each that reports every event it receives on deliveries. On error the
// connections opened so far are returned for closing.
func openSubscribers(ctx context.Context, cfg latencyConfig, url string, deliveries chan<- delivery) ([]*gqlclient.Conn, *sync.WaitGroup, error) {
	readers := &sync.WaitGroup{}
	conns := make([]*gqlclient.Conn, cfg.subscribers)
	errs := make([]error, cfg.subscribers)
	sem := make(chan struct{}, 50)
	var dialing sync.WaitGroup
	for i := range conns {
		dialing.Add(1)
		sem <- struct{}{}
		go func() {
			defer dialing.Done()
			defer func() { <-sem }()
			dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			c, err := gqlclient.Dial(dctx, url, gqlclient.TransportWS, map[string]any{"authorization": "Bearer " + cfg.token}, nil)
			if err == nil {
				err = c.Subscribe("1", subscription, map[string]any{"s": cfg.school})
				if err != nil {
					_ = c.Close()
				}
			}
			if err != nil {
				errs[i] = fmt.Errorf("subscriber %d: %w", i, err)
				return
			}
			conns[i] = c
			readers.Add(1)
			go func() {
				defer readers.Done()
				read(ctx, c, deliveries)
			}()
		}()
	}
	dialing.Wait()
	var open []*gqlclient.Conn
	for _, c := range conns {
		if c != nil {
			open = append(open, c)
		}
	}
	return open, readers, errors.Join(errs...)
}

// read reports each event's mark and arrival time until the connection
// ends. To keep the client's share of the machine small it does not decode
// the event: it finds the three values naming the mark (placement id, date,
// session) in the raw message (markKey), falling back to decoding it only
// when they are not where the subscription's selection puts them.
func read(ctx context.Context, c *gqlclient.Conn, deliveries chan<- delivery) {
	for {
		raw, msg, err := c.ReadNext(ctx) // answers the server's pings
		at := time.Now()
		if err != nil {
			if ctx.Err() == nil {
				fmt.Printf("  subscriber error: %v\n", err)
			}
			return
		}
		if raw == nil {
			if msg.Type != "pong" {
				fmt.Printf("  subscriber got %s %s\n", msg.Type, msg.Payload)
			}
			continue
		}
		key, ok := markKey(raw)
		if !ok {
			if key, ok = decodeMarkKey(raw); !ok {
				continue
			}
		}
		select {
		case deliveries <- delivery{key: key, at: at}:
		case <-ctx.Done():
			return
		}
	}
}

// markKey reads "placement/date/session" from an event without decoding
// it. GraphQL writes fields in selection order, so in
// {"payload":{"data":{"attendanceRecorded":{"outcome":…,"mark":{"id":…,"date":"D","session":"S",…,"placement":{"id":"P",…
// the first "date", "session" and "placement" after "mark" are the mark's.
// Anything unexpected (errors, a missing field, escapes) returns false.
func markKey(b []byte) (string, bool) {
	const prefix = `{"payload":{"data":{"attendanceRecorded":{`
	if !bytes.HasPrefix(b, []byte(prefix)) {
		return "", false
	}
	b = b[len(prefix):]
	var date, session, placement []byte
	var ok bool
	if b, ok = skipTo(b, `"mark":{"id":`); !ok {
		return "", false
	}
	if date, b, ok = stringAfter(b, `"date":"`); !ok {
		return "", false
	}
	if session, b, ok = stringAfter(b, `"session":"`); !ok {
		return "", false
	}
	if placement, _, ok = stringAfter(b, `"placement":{"id":"`); !ok {
		return "", false
	}
	return string(placement) + "/" + string(date) + "/" + string(session), true
}

func skipTo(b []byte, marker string) ([]byte, bool) {
	i := bytes.Index(b, []byte(marker))
	if i < 0 {
		return nil, false
	}
	return b[i+len(marker):], true
}

// stringAfter returns the string value following marker, refusing escapes.
func stringAfter(b []byte, marker string) (value, rest []byte, ok bool) {
	if b, ok = skipTo(b, marker); !ok {
		return nil, nil, false
	}
	end := bytes.IndexByte(b, '"')
	if end < 0 || bytes.IndexByte(b[:end], '\\') >= 0 {
		return nil, nil, false
	}
	return b[:end], b[end+1:], true
}

// decodeMarkKey decodes the whole message: the slow path, which also
// reports errors the server sent.
func decodeMarkKey(raw []byte) (string, bool) {
	var msg struct {
		Payload struct {
			Data struct {
				AttendanceRecorded struct {
					Mark struct {
						Date, Session string
						Placement     struct{ ID json.RawMessage }
					}
				}
			}
			Errors []gqlclient.Error
		}
	}
	if err := json.Unmarshal(raw, &msg); err != nil || len(msg.Payload.Errors) > 0 {
		fmt.Printf("  subscriber got %s (%v)\n", raw, err)
		return "", false
	}
	m := msg.Payload.Data.AttendanceRecorded.Mark
	return strings.Trim(string(m.Placement.ID), `"`) + "/" + m.Date + "/" + m.Session, true
}

func wsURL(httpURL string) string { return "ws" + strings.TrimPrefix(httpURL, "http") + "/query" }
