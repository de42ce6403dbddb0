package main

import (
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
	f          *foundation
	strategies []strategy
	rows       []row
}

// row is one strategy's deploys.
type row struct {
	Strategy strategy
	Deploys  []deployStats
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
	lanes, err := b.lanes(ctx)
	defer func() {
		for _, l := range lanes {
			l.f.sim.Close()
		}
	}()
	if err != nil {
		return err
	}
	if err := b.rounds(ctx, lanes); err != nil {
		return err
	}
	large, err := runLarge(ctx, cfg, lanes)
	if err != nil {
		return err
	}
	var rows []row
	for _, l := range lanes {
		rows = append(rows, l.rows...)
	}
	slices.SortStableFunc(rows, func(a, b row) int { return a.Strategy.Order - b.Strategy.Order })
	rep := report{cfg: cfg, rows: rows, large: large, took: time.Since(began), date: began, loadStart: loadStart}
	text := rep.markdown()
	fmt.Println()
	fmt.Print(text)
	if err := writeFile(cfg.Results, text); err != nil {
		return err
	}
	fmt.Printf("\nwritten to %s\n", cfg.Results)
	return nil
}

// runLarge deploys the large app, alone: its zipping and staging would slow the others'
// deploys. Nil when the settings skip it.
func runLarge(ctx context.Context, cfg settings, lanes []*lane) (*largeResult, error) {
	if cfg.LargeMB <= 0 {
		return nil, nil
	}
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

// lanes start the foundations and say who takes turns on each. The CAPI strategies spend
// most of a deploy waiting for the deployment updater's 5 s tick, so each gets a foundation
// of its own and runs beside the others; the rest take turns on the first one.
func (b *bench) lanes(ctx context.Context) ([]*lane, error) {
	plan := [][]func(*lane) strategy{
		{(*lane).bluegreen, (*lane).naive, (*lane).venerable, (*lane).bgd},
		{(*lane).rolling}, {(*lane).canary}, {(*lane).cliRolling},
	}
	var lanes []*lane
	for i, makers := range plan {
		f, err := b.newFoundation(ctx, fmt.Sprintf("cfsim-%d", i))
		if err != nil {
			return lanes, err
		}
		l := &lane{b: b, f: f}
		lanes = append(lanes, l)
		for _, newStrategy := range makers {
			if s := newStrategy(l); b.cfg.wants(s) {
				l.strategies = append(l.strategies, s)
				l.rows = append(l.rows, row{Strategy: s})
			}
		}
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
			l.f.useLags(b.lags[i])
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
		fmt.Printf("round %d/%d (%.0fs):%s\n", i+1, b.cfg.Deploys, time.Since(roundBegan).Seconds(), progress(lanes, i))
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

func writeFile(path, text string) error {
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	return nil
}
