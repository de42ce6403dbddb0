// Command bench measures, on the simulated foundation (test/cfsim), what users of each deploy
// strategy see under constant load: failed requests, how long failures and mixed versions
// last, deploy time, how soon out confirms what the routers do, Cloud Controller calls, and
// out's memory. It runs out (bluegreen, rolling, canary) and, for comparison, the Cloud
// Controller call sequences of the tools users run today. It is not a test: `make bench`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, cfg.Budget)
	defer cancel()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// settings are one run's knobs; the report prints them.
type settings struct {
	Quick       bool
	Deploys     int // measured deploys per strategy
	Instances   int // web instances of every app
	Foundations []foundationKind
	LoadEvery   time.Duration // one request through the load balancer per interval
	LargeMB     int           // the large app's size, for the memory and upload figures
	Seed        uint64
	Only        []string // strategies to run (names); empty = all
	Verbose     bool     // print out's timeline of every measured deploy
	Results     string   // the report's path; the pictures go beside it
	Budget      time.Duration
}

func parseFlags(args []string) (settings, error) {
	s := settings{Instances: 2, LoadEvery: 10 * time.Millisecond}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.BoolVar(&s.Quick, "quick", false, "one deploy per strategy and a 64 MB large app (under 2 minutes)")
	fs.IntVar(&s.Deploys, "deploys", 0, "measured deploys per strategy (default 10, --quick 1)")
	fs.IntVar(&s.LargeMB, "large-mb", 0, "size of the large app in MB (default 300, --quick 64; -1 skips it)")
	fs.Uint64Var(&s.Seed, "seed", 0, "seeds the router lags (default: from the clock)")
	only := fs.String("only", "", "comma-separated strategies to run, e.g. bluegreen,venerable (default all)")
	foundations := fs.String("foundations", "", "comma-separated foundations to run: default, fast, wide (default all)")
	fs.BoolVar(&s.Verbose, "verbose", false, "print out's timeline of every measured deploy")
	fs.StringVar(&s.Results, "results", "test/bench/results/latest.md", "where to write the report")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if s.Deploys == 0 {
		s.Deploys = pick(s.Quick, 1, 10)
	}
	if s.LargeMB == 0 {
		s.LargeMB = pick(s.Quick, 64, 300)
	}
	if s.Seed == 0 {
		s.Seed = uint64(time.Now().UnixNano())
	}
	if *only != "" {
		s.Only = strings.Split(*only, ",")
	}
	if s.Deploys < 1 {
		return s, fmt.Errorf("--deploys must be at least 1")
	}
	var err error
	if s.Foundations, err = parseFoundations(*foundations); err != nil {
		return s, err
	}
	// A bound on the whole run, not a goal: each foundation's rounds, then the large app.
	s.Budget = time.Duration(len(s.Foundations)*pick(s.Quick, 2, 8)+pick(s.Quick, 1, 4)) * time.Minute
	return s, nil
}

func pick(quick bool, q, full int) int {
	if quick {
		return q
	}
	return full
}
