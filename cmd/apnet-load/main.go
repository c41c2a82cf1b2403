// Command apnet-load measures apnet's live attendance targets on this machine:
//
//  1. latency from recordAttendance to every subscriber receiving the event,
//     with N websocket subscribers on the same instance (target p99 < 50 ms);
//  2. the same across two instances through Redis: subscribers on B, marks
//     recorded on A (target p99 < 100 ms);
//  3. marks per second sustained by one instance from K concurrent writers
//     (target ≥ 500 marks/s on PostgreSQL).
//
// It talks only to loopback addresses. Either it starts the servers itself:
//
//	go run ./cmd/apnet-load -spawn -db sqlite
//	go run ./cmd/apnet-load -spawn -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//	    -redis redis://127.0.0.1:6379/0
//
// building ./cmd/apnet (or using -apnet), with a fresh PostgreSQL schema or
// SQLite file; or it uses servers already running, seeding their database:
//
//	go run ./cmd/apnet-load -a http://127.0.0.1:8080 -b http://127.0.0.1:8081 -db 'postgres://…'
//
// Every phase is bounded in count and time, and the tool stops by itself.
//
// To see where a server's time goes, -pprof-server runs apnet in this process
// with /debug/pprof/ (see profile.go) for a second apnet-load to load with
// -a; -cpuprofile profiles the tool itself, the client side.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/apnet/apnet/internal/gqlclient"
)

// defaultRun runs every phase, skipping the cross-instance one when there is no second instance.
const defaultRun = "latency,cross,throughput"

type config struct {
	spawn        bool
	apnet        string
	a, b         string
	db           string
	redis        string
	run          string
	subscribers  int
	marks        int
	warmup       int
	gap          time.Duration
	markTimeout  time.Duration
	readyTimeout time.Duration
	writers      int
	tputMarks    int
	register     int
	duration     time.Duration
	learners     int
	timeout      time.Duration
	keep         bool
	pprofServer  string
	cpuProfile   string
}

func main() {
	exit := 0
	defer func() { os.Exit(exit) }() // after the deferred clean-up
	var c config
	flag.BoolVar(&c.spawn, "spawn", false, "start the apnet servers (instance A, and B for the cross-instance phase)")
	flag.StringVar(&c.apnet, "apnet", "", "with -spawn: the apnet binary (default: go build ./cmd/apnet into a temporary directory)")
	flag.StringVar(&c.a, "a", "", "without -spawn: instance A, e.g. http://127.0.0.1:8080")
	flag.StringVar(&c.b, "b", "", "without -spawn: instance B for the cross-instance phase, e.g. http://127.0.0.1:8081")
	flag.StringVar(&c.db, "db", "sqlite", "with -spawn: \"sqlite\" (a new file) or a postgres:// URL (a new schema is made in it); "+
		"without: the running servers' database, where the test data is added")
	flag.StringVar(&c.redis, "redis", "", "with -spawn: Redis URL for both instances (empty: in-process broker, no cross-instance phase)")
	flag.StringVar(&c.run, "run", defaultRun, "phases to run, comma-separated")
	flag.IntVar(&c.subscribers, "subscribers", 1000, "websocket subscribers in the latency phases")
	flag.IntVar(&c.marks, "marks", 200, "marks measured in each latency phase, sent one at a time")
	flag.IntVar(&c.warmup, "warmup", 10, "marks sent before measuring each latency phase")
	flag.DurationVar(&c.gap, "gap", 20*time.Millisecond, "pause after each latency mark has reached every subscriber")
	flag.DurationVar(&c.markTimeout, "mark-timeout", 5*time.Second, "how long a latency mark may take to reach every subscriber")
	flag.DurationVar(&c.readyTimeout, "ready-timeout", time.Minute, "how long the subscribers may take to be live")
	flag.IntVar(&c.writers, "writers", 16, "concurrent clients in the throughput phase")
	flag.IntVar(&c.tputMarks, "throughput-marks", 10000, "marks sent in the throughput phase")
	flag.IntVar(&c.register, "register", 0, "throughput phase: send recordRegister with this many entries instead of recordAttendance")
	flag.DurationVar(&c.duration, "duration", 2*time.Minute, "the throughput phase stops after this long even if marks are left")
	flag.IntVar(&c.learners, "learners", 200, "learners (placements) created; each has a mark slot every weekday AM and PM for two years")
	flag.DurationVar(&c.timeout, "timeout", 20*time.Minute, "the whole run stops after this long")
	flag.BoolVar(&c.keep, "keep", false, "with -spawn: keep the PostgreSQL schema, SQLite file and server logs")
	flag.StringVar(&c.pprofServer, "pprof-server", "", "instead of a load run: serve apnet in this process on this loopback address, "+
		"with /debug/pprof/, on -db (a postgres:// URL or SQLite file) and -redis")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write this tool's own CPU profile (the client side) to this file")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "apnet-load:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	run := run
	if c.pprofServer != "" {
		run = func(ctx context.Context, c config) error { return servePprof(ctx, c.pprofServer, c.db, c.redis) }
	}
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "apnet-load:", err)
		exit = 1
	}
}

func run(ctx context.Context, c config) error {
	phases := strings.Split(c.run, ",")
	for _, p := range phases {
		if !slices.Contains([]string{"latency", "cross", "throughput"}, p) {
			return fmt.Errorf("-run: unknown phase %q (latency, cross, throughput)", p)
		}
	}
	cross := slices.Contains(phases, "cross")
	if err := checkFlags(c, cross); err != nil {
		return err
	}
	raiseOpenFiles(2*c.subscribers + c.writers + 200)

	// Data first, then the servers: they see it from their first request.
	dir, err := os.MkdirTemp("", "apnet-load-")
	if err != nil {
		return err
	}
	dbURL, dbKind := c.db, "postgres"
	if c.spawn {
		switch {
		case c.db == "sqlite":
			dbURL, dbKind = filepath.Join(dir, "apnet.db"), "sqlite"
		case isPostgres(c.db):
			var drop func()
			if dbURL, drop, err = createSchema(ctx, c.db); err != nil {
				return err
			}
			if !c.keep {
				defer drop()
			}
		default:
			return errors.New("-spawn -db: \"sqlite\" or a postgres:// URL")
		}
	} else if !isPostgres(c.db) {
		dbKind = "sqlite"
	}
	if !c.keep {
		defer os.RemoveAll(dir)
	}
	fmt.Printf("seeding %d learners on %s ...\n", c.learners, dbKind)
	w, err := openSeeded(ctx, dbURL, c.learners)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Printf("  school %d, course %d, %d placements × %d slots = %d possible marks\n",
		w.School, w.Course, len(w.Placements), len(w.Slots), len(w.Placements)*len(w.Slots))

	a, b := c.a, c.b
	if c.spawn {
		bin := c.apnet
		if bin == "" {
			fmt.Println("building ./cmd/apnet ...")
			if bin, err = buildServer(ctx, dir); err != nil {
				return err
			}
		}
		ia, err := spawn(ctx, bin, "A", dir, dbURL, c.redis)
		if err != nil {
			return err
		}
		defer ia.stop()
		a = ia.url
		if cross && c.redis != "" {
			ib, err := spawn(ctx, bin, "B", dir, dbURL, c.redis)
			if err != nil {
				return err
			}
			defer ib.stop()
			b = ib.url
		}
		if c.keep {
			fmt.Printf("  server logs and data in %s\n", dir)
		}
	}
	names := map[string]string{a: "A", b: "B"}
	broker := "in-process"
	switch {
	case !c.spawn:
		broker = "as the servers were started"
	case c.redis != "":
		broker = "redis"
	}
	fmt.Printf("A = %s", a)
	if b != "" {
		fmt.Printf(", B = %s", b)
	}
	fmt.Printf(" (database %s, broker %s)\n", dbKind, broker)

	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = c.writers + 8
	gql := &gqlclient.Client{URL: a + "/query", HTTP: &http.Client{Transport: transport, Timeout: 30 * time.Second}, Token: w.ProviderToken}
	source := &marks{w: w}
	report := &report{}
	for _, phase := range phases {
		switch phase {
		case "latency", "cross":
			subs, title, target := a, "1. latency, one instance (marks → A, subscribers on A)", 50*time.Millisecond
			if phase == "cross" {
				if b == "" {
					fmt.Println("\nskipping the cross-instance phase: it needs -redis (with -spawn) or -b")
					continue
				}
				subs, title, target = b, "2. latency, two instances via Redis (marks → A, subscribers on B)", 100*time.Millisecond
			}
			ms, err := source.take(c.warmup + c.marks)
			if err != nil {
				return err
			}
			fmt.Printf("\n%s: %d subscribers, %d marks (+%d warm-up)\n", title, c.subscribers, c.marks, c.warmup)
			res, err := runLatency(ctx, latencyConfig{
				subscribers: c.subscribers, marks: ms, warmup: c.warmup, gap: c.gap,
				markTimeout: c.markTimeout, readyTimeout: c.readyTimeout, school: w.School, token: w.SchoolToken,
			}, gql, a, subs, names)
			if err != nil {
				return fmt.Errorf("%s: %w", phase, err)
			}
			report.latency(title, c.subscribers, target, res)
		case "throughput":
			ms, err := source.take(c.tputMarks)
			if err != nil {
				return err
			}
			how := "recordAttendance"
			if c.register > 0 {
				how = fmt.Sprintf("recordRegister of %d", c.register)
			}
			title := fmt.Sprintf("3. throughput on %s (%d writers, %s → A)", dbKind, c.writers, how)
			fmt.Printf("\n%s: %d marks, at most %s\n", title, len(ms), c.duration)
			res := runThroughput(ctx, throughputConfig{
				writers: c.writers, marks: ms, register: c.register, duration: c.duration, course: w.Course,
			}, gql, a, names)
			report.throughput(title, res)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	fmt.Printf("\napnet-load %s: nproc %d, GOMAXPROCS %d, %s, database %s, broker %s\n",
		time.Now().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), dbKind, broker)
	report.print()
	return nil
}

func checkFlags(c config, cross bool) error {
	explicitCross := cross && c.run != defaultRun
	if c.subscribers < 1 || c.marks < 1 || c.warmup < 0 || c.writers < 1 || c.tputMarks < 1 || c.learners < 1 || c.register < 0 {
		return errors.New("counts must be positive")
	}
	if c.spawn {
		if c.a != "" || c.b != "" {
			return errors.New("-spawn starts its own servers: drop -a and -b")
		}
		if explicitCross && c.redis == "" {
			return errors.New("-run cross needs -redis")
		}
	} else {
		if c.a == "" {
			return errors.New("give -spawn, or -a (and -b) for running servers")
		}
		if explicitCross && c.b == "" {
			return errors.New("-run cross needs -b")
		}
		if c.db == "sqlite" {
			return errors.New("without -spawn, -db must name the running servers' database so the tool can add its data")
		}
	}
	for flag, v := range map[string]string{"a": c.a, "b": c.b, "redis": c.redis} {
		if v != "" {
			if err := checkLoopback(flag, v); err != nil {
				return err
			}
		}
	}
	if isPostgres(c.db) {
		return checkLoopback("db", c.db)
	}
	return nil
}

func isPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// raiseOpenFiles lifts the soft open-file limit to the hard limit: each
// subscriber is a socket here and another in a spawned server, which
// inherits the limit.
func raiseOpenFiles(need int) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	if lim.Cur < uint64(need) {
		fmt.Printf("warning: open-file limit %d is below the %d this run needs (raise the hard limit: ulimit -Hn)\n", lim.Cur, need)
	}
}

// report collects the phases' results, printed as one small table each.
type report struct {
	sections []section
}

type section struct {
	title string
	rows  [][]string
	notes []string
}

func (r *report) latency(title string, subs int, target time.Duration, res *latencyResult) {
	verdict := "MET"
	if res.perMark.n == 0 || res.perMark.p99 >= target || res.missing > 0 {
		verdict = "MISSED"
	}
	r.sections = append(r.sections, section{title: title, rows: [][]string{
		{"send → last of " + fmt.Sprint(subs) + " subscribers", fmt.Sprint(res.perMark.n) + " marks",
			ms(res.perMark.p50), ms(res.perMark.p99), ms(res.perMark.max), "p99 < " + ms(target), verdict},
		{"send → each subscriber", fmt.Sprint(res.perDelivery.n) + " deliveries",
			ms(res.perDelivery.p50), ms(res.perDelivery.p99), ms(res.perDelivery.max)},
		{"recordAttendance round trip", fmt.Sprint(res.mutation.n) + " requests",
			ms(res.mutation.p50), ms(res.mutation.p99), ms(res.mutation.max)},
	}, notes: []string{
		fmt.Sprintf("missing %d, dropped by the server %.0f, stray %d", res.missing, res.dropped, res.stray),
		res.cpu,
	}})
}

func (r *report) throughput(title string, res *throughputResult) {
	rate := float64(res.marks) / res.elapsed.Seconds()
	verdict := "MET"
	if rate < 500 || res.errors > 0 {
		verdict = "MISSED"
	}
	s := section{title: title, rows: [][]string{
		{"marks saved", fmt.Sprintf("%d in %.1f s", res.marks, res.elapsed.Seconds()),
			fmt.Sprintf("%.0f marks/s", rate), "", "", "≥ 500 marks/s", verdict},
		{"request round trip", fmt.Sprint(res.requests.n) + " requests",
			ms(res.requests.p50), ms(res.requests.p99), ms(res.requests.max)},
	}, notes: []string{fmt.Sprintf("errors %d", res.errors), res.cpu}}
	if res.firstErr != nil {
		s.notes = append(s.notes, "first error: "+res.firstErr.Error())
	}
	r.sections = append(r.sections, s)
}

func (r *report) print() {
	for _, s := range r.sections {
		fmt.Printf("\n%s\n", s.title)
		tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  \tcount\tp50\tp99\tmax\ttarget\tresult\t")
		for _, row := range s.rows {
			fmt.Fprintln(tw, "  "+strings.Join(row, "\t")+"\t")
		}
		tw.Flush()
		for _, n := range s.notes {
			fmt.Printf("  %s\n", n)
		}
	}
}
