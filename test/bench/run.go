package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// lane is a foundation and the strategies that take turns on it.
type lane struct {
	b          *bench
	kind       foundationKind
	lags       [][]routerLag // the kind's draws, by round: the same for every lane of the kind
	f          *foundation
	strategies []strategy
	rows       []row
}

// row is one strategy's deploys.
type row struct {
	Strategy strategy
	Deploys  []deployStats
}

// foundationResult is what every strategy did on one kind of foundation.
type foundationResult struct {
	Kind foundationKind
	Rows []row // in the table's order
}

func run(ctx context.Context, cfg settings) error {
	began, loadStart := time.Now(), loadAverage()
	dir, err := os.MkdirTemp("", "bench-")
	if err != nil {
		return fmt.Errorf("scratch folder: %w", err)
	}
	defer os.RemoveAll(dir)
	fmt.Printf("bench: %d deploys per strategy, large app %d MB, seed %d\n", cfg.Deploys, cfg.LargeMB, cfg.Seed)
	b, err := newBench(ctx, cfg, dir)
	if err != nil {
		return err
	}
	results, large, err := b.runAll(ctx)
	if err != nil {
		return err
	}
	rep := report{cfg: cfg, results: results, large: large, took: time.Since(began), date: began, loadStart: loadStart}
	return rep.write()
}

// runAll runs the kinds of foundation one after the other: side by side they would share the
// machine's cores, and a busy machine slows every figure. The large app runs on the first.
func (b *bench) runAll(ctx context.Context) ([]foundationResult, *largeResult, error) {
	var results []foundationResult
	var large *largeResult
	for _, k := range b.cfg.Foundations {
		res, lr, err := b.runKind(ctx, k, len(results) == 0 && b.cfg.LargeMB > 0)
		if err != nil {
			return nil, nil, fmt.Errorf("%s foundation: %w", k.Name, err)
		}
		if len(res.Rows) > 0 {
			results = append(results, res)
			large = cmp.Or(large, lr)
		}
	}
	if len(results) == 0 {
		return nil, nil, fmt.Errorf("--only and --foundations leave nothing to run")
	}
	return results, large, nil
}

// runKind starts the lanes of one kind of foundation, runs the rounds on them, and the large
// app after them when withLarge; the lanes' foundations are closed when it returns.
func (b *bench) runKind(ctx context.Context, k foundationKind, withLarge bool) (foundationResult, *largeResult, error) {
	res := foundationResult{Kind: k}
	lanes, err := b.lanes(ctx, k)
	defer func() {
		for _, l := range lanes {
			l.f.sim.Close()
		}
	}()
	if err != nil || len(lanes) == 0 {
		return res, nil, err
	}
	fmt.Printf("foundation %s: %s\n", k.Name, k.describe())
	if err := b.rounds(ctx, lanes); err != nil {
		return res, nil, err
	}
	var large *largeResult
	if withLarge {
		if large, err = runLarge(ctx, lanes); err != nil {
			return res, nil, err
		}
	}
	for _, l := range lanes {
		res.Rows = append(res.Rows, l.rows...)
	}
	slices.SortStableFunc(res.Rows, func(a, b row) int { return a.Strategy.Order - b.Strategy.Order })
	return res, large, nil
}

// runLarge deploys the large app, alone: its zipping and staging would slow the others'
// deploys.
func runLarge(ctx context.Context, lanes []*lane) (*largeResult, error) {
	for _, l := range lanes[1:] {
		l.f.sim.Close()
	}
	if err := lanes[0].removeApps(ctx); err != nil {
		return nil, err
	}
	lr, err := lanes[0].runLarge(ctx)
	if err != nil {
		return nil, err
	}
	return &lr, nil
}

// lanes start the foundations of kind k and say who takes turns on each. The CAPI
// strategies spend most of a deploy waiting for the deployment updater's tick, so each gets
// a foundation of its own and runs beside the others (ours with pace capi takes turns with
// the cf CLI's); the rest take turns on the first one.
// A lane with no strategy to run (--only) gets no foundation.
func (b *bench) lanes(ctx context.Context, k foundationKind) ([]*lane, error) {
	plan := [][]func(*lane) strategy{{(*lane).bluegreen}, {(*lane).rolling}, {(*lane).canary}, {(*lane).cliRolling, (*lane).rollingCAPI}}
	if k.Baselines {
		plan[0] = append(plan[0], (*lane).naive, (*lane).venerable, (*lane).bgd)
	}
	lags := k.drawLags(b.cfg.Seed, b.cfg.Deploys)
	var lanes []*lane
	for i, makers := range plan {
		l := &lane{b: b, kind: k, lags: lags}
		for _, newStrategy := range makers {
			if s := newStrategy(l); b.cfg.wants(s) {
				l.strategies = append(l.strategies, s)
				l.rows = append(l.rows, row{Strategy: s})
			}
		}
		if len(l.strategies) == 0 {
			continue
		}
		f, err := b.newFoundation(ctx, k, fmt.Sprintf("%s-%d", k.Name, i))
		if err != nil {
			return lanes, err
		}
		l.f = f
		lanes = append(lanes, l)
	}
	return lanes, nil
}

func (c settings) wants(s strategy) bool {
	return len(c.Only) == 0 || slices.Contains(c.Only, s.App) || slices.Contains(c.Only, s.Kind)
}

// rounds puts up every strategy's first version, then runs round after round: in round i
// every router of every foundation has lag set i, and each lane runs deploy i of its
// strategies in turn, the lanes side by side.
func (b *bench) rounds(ctx context.Context, lanes []*lane) error {
	err := eachLane(lanes, func(l *lane) error {
		for _, s := range l.strategies {
			if err := s.first(ctx, "v0"); err != nil {
				return fmt.Errorf("%s: first version: %w", s.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := range b.cfg.Deploys {
		for _, l := range lanes {
			l.f.useLags(l.lags[i])
		}
		roundBegan := time.Now()
		err := eachLane(lanes, func(l *lane) error {
			for j, s := range l.strategies {
				st, err := l.measureDeploy(ctx, s, i, fmt.Sprintf("v%d", i), fmt.Sprintf("v%d", i+1))
				if err != nil {
					return err
				}
				l.rows[j].Deploys = append(l.rows[j].Deploys, st)
			}
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Printf("%s round %d/%d (%.0fs):%s\n", lanes[0].kind.Name, i+1, b.cfg.Deploys, time.Since(roundBegan).Seconds(), progress(lanes, i))
	}
	return nil
}

// eachLane runs f on every lane at once and returns the first error.
func eachLane(lanes []*lane, f func(*lane) error) error {
	errs := make([]error, len(lanes))
	var wg sync.WaitGroup
	for i, l := range lanes {
		wg.Go(func() { errs[i] = f(l) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// progress is each strategy's deploy time and failed requests in round i.
func progress(lanes []*lane, i int) string {
	var b strings.Builder
	for _, l := range lanes {
		for _, r := range l.rows {
			if i < len(r.Deploys) {
				fmt.Fprintf(&b, " %s %.1fs/%d", r.Strategy.App, r.Deploys[i].Wall.Seconds(), r.Deploys[i].Failed)
			}
		}
	}
	return b.String()
}

// removeApps deletes every app of the lane's space, stopping their processes.
func (l *lane) removeApps(ctx context.Context) error {
	apps, err := l.f.ops.p.CF.Applications.ListAll(ctx, nil)
	if err != nil {
		return fmt.Errorf("list apps: %w", err)
	}
	for _, a := range apps {
		if err := l.f.ops.deleteApp(ctx, a.GUID); err != nil {
			return err
		}
	}
	return nil
}
